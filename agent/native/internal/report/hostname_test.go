package report

import (
	"os"
	"path/filepath"
	"testing"

	"nfvdeck/agent/internal/hostfs"
)

// The first word of proc/sys/kernel/hostname as the TS agent splits it (text.trim().split(/\s+/)[0]):
// JS whitespace includes U+FEFF and U+3000 but not U+0085.
func TestReadHostnameJSWhitespace(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"nfvi-01\n", "nfvi-01"},
		{"  nfvi-01 extra\n", "nfvi-01"},
		{"nfvi-s\ufeffkx-01\n", "nfvi-s"},
		{"\ufeffnfvi-01", "nfvi-01"},
		{"nfvi\u3000b", "nfvi"},
		{"nfvi\u0085b", "unknown"}, // U+0085 is not JS whitespace: the word is not a host name
		{"\r\n", "unknown"},
		{"-bad", "unknown"},
	} {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "proc/sys/kernel"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "proc/sys/kernel/hostname"), []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		fs, err := hostfs.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := ReadHostname(fs); got != c.want {
			t.Errorf("ReadHostname(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
