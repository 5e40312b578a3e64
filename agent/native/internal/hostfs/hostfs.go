// Package hostfs is a read-only view of a host's file tree relative to a root ("/" in production, a
// captured fixture tree in tests) — the Go twin of agent/hostfs.ts. Paths are relative
// ("sys/devices/system/cpu/online"); absolute or escaping paths are refused, so a collector can never
// read outside its root by accident.
package hostfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"nfvdeck/agent/internal/jsonx"
)

// FS reads files under Root.
type FS struct {
	Root string
}

// New returns an FS rooted at root (made absolute and clean).
func New(root string) (*FS, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	return &FS{Root: abs}, nil
}

// Resolve gives the absolute path of a relative one; "/x" and "../x" are programming errors.
func (f *FS) Resolve(rel string) (string, error) {
	if strings.HasPrefix(rel, "/") {
		return "", fmt.Errorf("HostFs path must be relative: %s", rel)
	}
	abs := filepath.Join(f.Root, rel)
	if abs != f.Root && !strings.HasPrefix(abs, strings.TrimSuffix(f.Root, "/")+"/") {
		return "", fmt.Errorf("HostFs path escapes root: %s", rel)
	}
	return abs, nil
}

// isAbsent: "this file is not there on this host" (ENOENT, ENOTDIR) rather than a fault.
func isAbsent(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// ReadText returns the file decoded as UTF-8 the way Node does (each maximal invalid subpart becomes
// U+FFFD), ok=false when the file or a parent does not exist; other errors (EACCES, EIO…) are returned.
func (f *FS) ReadText(rel string) (string, bool, error) {
	b, ok, err := f.ReadBytes(rel)
	if !ok || err != nil {
		return "", ok, err
	}
	return jsonx.DecodeUTF8(b), true, nil
}

// ReadBytes returns raw bytes (e.g. /proc/config.gz), ok=false when absent.
func (f *FS) ReadBytes(rel string) ([]byte, bool, error) {
	p, err := f.Resolve(rel)
	if err != nil {
		return nil, false, err
	}
	b, err := readFile(p)
	if err != nil {
		if isAbsent(err) {
			return nil, false, nil
		}
		return nil, false, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	return b, true, nil
}

// readFile is open(2), read(2) until EOF, close(2) — no fstat and no poller registration (os.ReadFile
// does both per file). A heartbeat reads a few hundred tiny sysfs/procfs files; their size from stat is
// 4096 or 0 anyway, so a small first buffer that grows is the right shape.
func readFile(p string) ([]byte, error) {
	fd, err := openRetry(p)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	buf := make([]byte, 0, 512)
	for {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), cap(buf)*2)
			copy(grown, buf)
			buf = grown
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

func openRetry(p string) (int, error) {
	for {
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// ReadTextOptional is ReadText that also maps permission and I/O errors to "absent": for files only
// root can read.
func (f *FS) ReadTextOptional(rel string) (string, bool) {
	s, ok, err := f.ReadText(rel)
	if err != nil {
		return "", false
	}
	return s, ok
}

// ListDir returns the directory's entry names sorted, ok=false when the directory does not exist.
func (f *FS) ListDir(rel string) ([]string, bool, error) {
	p, err := f.Resolve(rel)
	if err != nil {
		return nil, false, err
	}
	d, err := os.Open(p)
	if err != nil {
		if isAbsent(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		if isAbsent(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	sortUTF16(names)
	return names, true, nil
}

// Exists reports whether the path can be reached (access(2) semantics, any kind of file).
func (f *FS) Exists(rel string) bool {
	p, err := f.Resolve(rel)
	if err != nil {
		return false
	}
	_, err = os.Stat(p)
	return err == nil
}

// ReadLink returns a symbolic link's target, ok=false when absent or not a link.
func (f *FS) ReadLink(rel string) (string, bool) {
	p, err := f.Resolve(rel)
	if err != nil {
		return "", false
	}
	t, err := os.Readlink(p)
	if err != nil {
		return "", false
	}
	return t, true
}

// sortUTF16 sorts like JavaScript's default Array.prototype.sort (UTF-16 code unit order), so lists
// come out in the same order as the TypeScript agent's.
func sortUTF16(names []string) {
	sort.Slice(names, func(i, j int) bool { return jsonx.LessUTF16(names[i], names[j]) })
}
