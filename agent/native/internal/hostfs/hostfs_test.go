package hostfs

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func tree(t *testing.T) *FS {
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "sys/a"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "sys/a/file"), []byte("x\xffy"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "sys/a/big"), []byte(strings.Repeat("z", 70_000)), 0o644))
	must(os.WriteFile(filepath.Join(dir, "sys/a/😀"), nil, 0o644))
	must(os.WriteFile(filepath.Join(dir, "sys/a/\uffff"), nil, 0o644))
	must(os.WriteFile(filepath.Join(dir, "sys/a/B"), nil, 0o644))
	must(os.Symlink("a/file", filepath.Join(dir, "sys/link")))
	fs, err := New(dir)
	must(err)
	return fs
}

func TestReadsDecodeLikeNodeAndAbsentIsNotAnError(t *testing.T) {
	fs := tree(t)
	if s, ok, err := fs.ReadText("sys/a/file"); err != nil || !ok || s != "x\ufffdy" {
		t.Errorf("ReadText = %q %v %v", s, ok, err)
	}
	if s, ok, err := fs.ReadText("sys/a/big"); err != nil || !ok || len(s) != 70_000 {
		t.Errorf("a file larger than the first buffers: %d bytes %v %v", len(s), ok, err)
	}
	for _, rel := range []string{"sys/nope", "sys/a/file/below-a-file"} { // ENOENT and ENOTDIR
		if _, ok, err := fs.ReadText(rel); ok || err != nil {
			t.Errorf("%s: ok=%v err=%v, want absent", rel, ok, err)
		}
	}
	if _, _, err := fs.ReadText("sys/a"); err == nil {
		t.Error("reading a directory must be an error (EISDIR), not absent")
	}
	if _, ok := fs.ReadTextOptional("sys/a"); ok {
		t.Error("ReadTextOptional maps errors to absent")
	}
	if target, ok := fs.ReadLink("sys/link"); !ok || target != "a/file" {
		t.Errorf("ReadLink = %q %v", target, ok)
	}
	if !fs.Exists("sys/link") || fs.Exists("sys/nope") {
		t.Error("Exists")
	}
}

func TestListDirSortsLikeJavaScript(t *testing.T) {
	names, ok, err := tree(t).ListDir("sys/a")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	want := []string{"B", "big", "file", "😀", "\uffff"} // UTF-16 order: the surrogate pair before U+FFFF
	if !reflect.DeepEqual(names, want) {
		t.Errorf("ListDir = %q, want %q", names, want)
	}
}

func TestPathsCannotLeaveTheRoot(t *testing.T) {
	fs := tree(t)
	for _, rel := range []string{"/etc/passwd", "../x", "sys/../../x"} {
		if _, _, err := fs.ReadText(rel); err == nil {
			t.Errorf("%s: read outside the root was allowed", rel)
		}
	}
	if _, _, err := fs.ReadText("sys/../sys/a/file"); err != nil {
		t.Errorf("a path that stays inside is fine: %v", err)
	}
}
