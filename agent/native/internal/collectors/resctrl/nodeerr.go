package resctrl

import (
	"errors"
	"io/fs"
	"syscall"
)

// uvErrors: errno → libuv's code and description, the words of Node's fs errors.
var uvErrors = map[syscall.Errno][2]string{
	syscall.EACCES:       {"EACCES", "permission denied"},
	syscall.EPERM:        {"EPERM", "operation not permitted"},
	syscall.EIO:          {"EIO", "i/o error"},
	syscall.EISDIR:       {"EISDIR", "illegal operation on a directory"},
	syscall.ELOOP:        {"ELOOP", "too many symbolic links encountered"},
	syscall.ENAMETOOLONG: {"ENAMETOOLONG", "name too long"},
	syscall.EINVAL:       {"EINVAL", "invalid argument"},
	syscall.ENXIO:        {"ENXIO", "no such device or address"},
	syscall.ENODEV:       {"ENODEV", "no such device"},
	syscall.EBUSY:        {"EBUSY", "resource busy or locked"},
	syscall.EAGAIN:       {"EAGAIN", "resource temporarily unavailable"},
	syscall.ENOMEM:       {"ENOMEM", "not enough memory"},
	syscall.EMFILE:       {"EMFILE", "too many open files"},
	syscall.ENFILE:       {"ENFILE", "file table overflow"},
	syscall.EBADF:        {"EBADF", "bad file descriptor"},
	syscall.EINTR:        {"EINTR", "interrupted system call"},
	syscall.ENODATA:      {"ENODATA", "no data available"},
	syscall.EOPNOTSUPP:   {"ENOTSUP", "operation not supported on socket"},
}

// nodeError words a HostFs error as Node's readFileSync ("EACCES: permission denied, open '/p'";
// a read error has no path: "EISDIR: illegal operation on a directory, read") or readdirSync
// (dir=true: "…, scandir '/p'") does, so the section's error reads as the TS agent's. Others pass as is.
func nodeError(err error, dir bool) error {
	var pe *fs.PathError
	var errno syscall.Errno
	if err == nil || !errors.As(err, &pe) || !errors.As(pe.Err, &errno) {
		return err
	}
	uv, ok := uvErrors[errno]
	if !ok {
		return err
	}
	if dir {
		return errors.New(uv[0] + ": " + uv[1] + ", scandir '" + pe.Path + "'")
	}
	// HostFs labels open(2) and read(2) failures alike: these errnos come from open, the others
	// (EISDIR, EIO, EINVAL, ENODEV… — a sysfs attribute refusing a read) from read
	switch errno {
	case syscall.EACCES, syscall.EPERM, syscall.ELOOP, syscall.ENAMETOOLONG, syscall.ENXIO, syscall.EMFILE, syscall.ENFILE:
		return errors.New(uv[0] + ": " + uv[1] + ", open '" + pe.Path + "'")
	}
	return errors.New(uv[0] + ": " + uv[1] + ", read")
}
