package state

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// A link planted at the temp file's name must not make the (root) agent truncate and write its target.
func TestWriteFileDurableDoesNotWriteThroughAPlantedLink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, fmt.Sprintf(".sequence.%d.tmp", os.Getpid()))
	if err := os.Symlink(victim, tmp); err != nil {
		t.Fatal(err)
	}
	if err := SaveLastSequence(dir, 41); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Fatalf("the link's target was written: %q", b)
	}
	if got := LoadLastSequence(dir); got != 41 {
		t.Fatalf("sequence %d", got)
	}
	st, err := os.Lstat(filepath.Join(dir, "sequence"))
	if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
		t.Fatalf("sequence file %v %v", st.Mode(), err)
	}
	if _, err := os.Lstat(tmp); !os.IsNotExist(err) {
		t.Fatalf("temp file left behind: %v", err)
	}
}
