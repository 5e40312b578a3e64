// Package full runs the full agent: the TypeScript agent compiled by Bun (agent/build.ts), which
// carries what the native agent does not port — jobs (migrate, predict-migration, tune) and the rare
// CLI commands. A build with the `full` tag embeds it (gzip); on first use it is extracted to
// <state>/runtime/<sha256>/nfvdeck-agent-full and, before every exec, its SHA-256 is checked against the
// embedded one through the very descriptor that is then executed (/proc/self/fd/N), so a file swapped
// or edited after extraction is never run. Without the tag, NFVDECK_AGENT_FULL names it (development,
// tests; no check). The full agent lives only for one job or command: the resident RSS stays Go's.
package full

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// EnvPath names the full agent in a build without it embedded.
const EnvPath = "NFVDECK_AGENT_FULL"

// FileName is the extracted full agent's name inside <state>/runtime/<sha256>/.
const FileName = "nfvdeck-agent-full"

var errNotEmbedded = errors.New("this nfvdeck-agent was built without the full agent (build tag `full`); set " + EnvPath + " to its path")

// Embedded reports whether this build carries the full agent.
func Embedded() bool { return embedded }

// PayloadSHA256 is the hex SHA-256 of the embedded full agent ("" when none is embedded).
func PayloadSHA256() string { return payloadSHA256 }

// Executable is a full agent ready to run. For an embedded one it holds the read-only descriptor whose
// content was hashed; Command executes that descriptor, never the path again.
type Executable struct {
	file *os.File
	path string
}

// Path is what Command executes: /proc/self/fd/N for an embedded agent, else NFVDECK_AGENT_FULL.
func (e *Executable) Path() string { return e.path }

// Close releases the verified descriptor (after the child has started or when not needed).
func (e *Executable) Close() error {
	if e.file == nil {
		return nil
	}
	err := e.file.Close()
	e.file = nil
	return err
}

// Command is the full agent with args (argv[1:]), environment inherited; the caller sets stdio.
func (e *Executable) Command(args ...string) *exec.Cmd {
	cmd := exec.Command(e.path, args...)
	cmd.Args[0] = FileName
	return cmd
}

// Start starts cmd, retrying briefly on ETXTBSY: a fork elsewhere in this process (a collector's
// dmidecode) may hold the extraction's write descriptor for an instant.
func Start(cmd *exec.Cmd) error {
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if err = cmd.Start(); err == nil || !errors.Is(err, syscall.ETXTBSY) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
		// exec.Cmd refuses a second Start; take a fresh one with the same settings
		next := exec.Command(cmd.Path, cmd.Args[1:]...)
		next.Args[0], next.Env, next.Dir = cmd.Args[0], cmd.Env, cmd.Dir
		next.Stdin, next.Stdout, next.Stderr, next.ExtraFiles, next.SysProcAttr = cmd.Stdin, cmd.Stdout, cmd.Stderr, cmd.ExtraFiles, cmd.SysProcAttr
		*cmd = *next
	}
	return err
}

// RuntimeDir is where the embedded full agent is extracted for stateDir.
func RuntimeDir(stateDir string) string {
	return filepath.Join(stateDir, "runtime", payloadSHA256)
}

// Locate returns the full agent: the embedded one, extracted under stateDir (again when the extracted
// file is missing or does not hash to the embedded SHA-256), or NFVDECK_AGENT_FULL without the tag.
func Locate(stateDir string) (*Executable, error) {
	if !embedded {
		p := os.Getenv(EnvPath)
		if p == "" {
			return nil, errNotEmbedded
		}
		return &Executable{path: p}, nil
	}
	dir := RuntimeDir(stateDir)
	final := filepath.Join(dir, FileName)
	if f, err := openVerified(final); err == nil {
		return &Executable{file: f, path: "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))}, nil
	}
	if err := extract(dir, final); err != nil {
		return nil, fmt.Errorf("extracting the full agent to %s: %w", dir, err)
	}
	f, err := openVerified(final)
	if err != nil {
		return nil, fmt.Errorf("refusing to run the full agent: %w", err)
	}
	removeOtherRuntimes(filepath.Dir(dir), filepath.Base(dir))
	return &Executable{file: f, path: "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))}, nil
}

// openVerified opens file read-only (no symlink), checks it is a regular file of ours that nobody else
// may write, and that its content hashes to the embedded SHA-256; the descriptor stays open for exec.
func openVerified(file string) (*os.File, error) {
	f, err := os.OpenFile(file, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	if err := verify(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return f, nil
}

func verify(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !st.Mode().IsRegular() || !ok {
		return errors.New("not a regular file")
	}
	if int(sys.Uid) != os.Geteuid() || st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("owned by uid %d with mode %o: only this agent's user may write it", sys.Uid, st.Mode().Perm())
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, st.Size())); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != payloadSHA256 {
		return fmt.Errorf("SHA-256 %s, not the embedded %s", got, payloadSHA256)
	}
	return nil
}

// extract writes the embedded agent to final atomically: temp file (0700) in the same directory,
// fsync, rename, fsync the directory. The bytes are hashed on the way and must match.
func extract(dir, final string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	src, err := openPayload()
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(dir, "."+FileName+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), src)
	if err == nil {
		err = tmp.Chmod(0o700)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != payloadSHA256 {
		return fmt.Errorf("the embedded payload hashes to %s, not %s (corrupt build)", got, payloadSHA256)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // some filesystems refuse fsync on a directory; the rename is still atomic
		d.Close()
	}
	return nil
}

// removeOtherRuntimes deletes earlier versions' extracted agents (best effort: a running one keeps its
// inode until it exits).
func removeOtherRuntimes(runtimeRoot, keep string) {
	entries, err := os.ReadDir(runtimeRoot)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Name() != keep && e.IsDir() && len(e.Name()) == 64 {
			_ = os.RemoveAll(filepath.Join(runtimeRoot, e.Name()))
		}
	}
}
