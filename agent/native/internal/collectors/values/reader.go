package values

import "nfvdeck/agent/internal/hostfs"

// Text is a file's raw text; OK=false means the file is absent (TS null).
type Text struct {
	S  string
	OK bool
}

// Reader reads files and keeps the first real error (EACCES, EIO…): the TS collectors' reads throw on
// it and the section fails; absent files are just absent. Collectors embed it.
type Reader struct {
	FS  *hostfs.FS
	Err error
}

func (r *Reader) keep(err error) {
	if err != nil && r.Err == nil {
		r.Err = err
	}
}

// Text reads a file; a real error is kept and the file reads as absent.
func (r *Reader) Text(rel string) Text {
	s, ok, err := r.FS.ReadText(rel)
	if err != nil {
		r.keep(err)
		return Text{}
	}
	return Text{S: s, OK: ok}
}

// Optional reads a file that only root may read: any error is "absent" (readTextOptional).
func (r *Reader) Optional(rel string) Text {
	s, ok := r.FS.ReadTextOptional(rel)
	return Text{S: s, OK: ok}
}

// List lists a directory; a real error is kept and the list is empty.
func (r *Reader) List(rel string) []string {
	names, _, err := r.FS.ListDir(rel)
	r.keep(err)
	return names
}
