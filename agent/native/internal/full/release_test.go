package full

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func residentKB(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip("no /proc/self/statm")
	}
	pages, _ := strconv.Atoi(strings.Fields(string(b))[1])
	return pages * os.Getpagesize() / 1024
}

// A read-only file-backed blob (what the embedded payload is) read end to end is resident; after
// releasePages it is not, and it still reads the same.
func TestReleasePagesDropsAReadBlobFromRSS(t *testing.T) {
	file := filepath.Join(t.TempDir(), "blob")
	const size = 32 << 20
	content := make([]byte, size)
	for i := range content {
		content[i] = byte(i*7 + i>>12)
	}
	if err := os.WriteFile(file, content, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	blob, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(blob)
	sum := 0
	for i := 0; i < size; i += 512 {
		sum += int(blob[i])
	}
	read := residentKB(t)
	releasePages(blob[3:]) // not page-aligned, as an embedded slice need not be
	released := residentKB(t)
	if read-released < 24<<10 {
		t.Fatalf("RSS %d KB after reading, %d KB after release: the blob stayed resident", read, released)
	}
	again := 0
	for i := 0; i < size; i += 512 {
		again += int(blob[i])
	}
	if again != sum || blob[size-1] != content[size-1] {
		t.Fatal("the blob reads differently after the release")
	}
}
