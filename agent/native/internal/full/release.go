package full

import (
	"os"
	"syscall"
	"unsafe"
)

// releasePages tells the kernel it may drop the pages wholly inside b, a blob the process only reads
// that is backed by the executable file (the embedded, gzip-compressed full agent). Why: reading it
// once for an extraction made its ~50 MB resident, and they stayed in the resident daemon's RSS for
// good (issue 14's budget is 30 MB). A later read faults them in again from the executable. b must
// never have been written to: MADV_DONTNEED discards private changes.
func releasePages(b []byte) {
	if len(b) == 0 {
		return
	}
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(&b[0]))
	first := (start + page - 1) &^ (page - 1)
	last := (start + uintptr(len(b))) &^ (page - 1)
	if last <= first {
		return
	}
	off := first - start
	_ = syscall.Madvise(b[off:off+(last-first)], syscall.MADV_DONTNEED)
}
