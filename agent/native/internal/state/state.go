// Package state is the agent's state directory (agent/state.ts): credentials.json, the sequence file,
// durable atomic writes. The format is the TypeScript agent's, byte for byte, so a host can switch
// between the TS and the Go agent on the same directory.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// DefaultStateDir is where the agent keeps its credentials, sequence counter and spool.
const DefaultStateDir = "/var/lib/nfvdeck-agent"

const (
	credentialsFile = "credentials.json"
	sequenceFile    = "sequence"
)

// ResolveStateDir is --state, else $NFVDECK_AGENT_STATE, else $STATE_DIRECTORY's first entry, else
// /var/lib/nfvdeck-agent, made absolute (path.resolve). flag "" means not given; getenv's ok false
// means unset (an empty but set variable is taken, as `??` does in the TS).
func ResolveStateDir(flag string, getenv func(string) (string, bool)) string {
	chosen := flag
	if chosen == "" {
		if v, ok := getenv("NFVDECK_AGENT_STATE"); ok {
			chosen = v
		} else if v, ok := getenv("STATE_DIRECTORY"); ok {
			chosen = v
		} else {
			chosen = DefaultStateDir
		}
	}
	chosen = strings.Split(chosen, ":")[0]
	abs, err := filepath.Abs(chosen)
	if err != nil {
		return filepath.Clean(chosen)
	}
	return abs
}

// Credentials are the host's identity at the server (field order as the TS writes them).
type Credentials struct {
	HostID     string `json:"hostId"`
	HostToken  string `json:"hostToken"`
	Server     string `json:"server"`
	EnrolledAt string `json:"enrolledAt"`
}

// WriteFileDurable writes a file atomically and durably: temp file `.<name>.<pid>.tmp` created with
// mode, chmod (the umask must not weaken 0600), fsync, rename, fsync the directory.
func WriteFileDurable(file string, content []byte, mode os.FileMode) error {
	dir := filepath.Dir(file)
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.%d.tmp", filepath.Base(file), os.Getpid()))
	// A leftover of a crashed process with the same pid goes first; then the temp file must be new
	// (O_EXCL) and not a symlink, so a planted link never makes root truncate and write its target.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, mode)
	if err != nil {
		return err
	}
	if err := writeSyncClose(f, content, mode); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, file); err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(dir)
}

// writeSyncClose writes, sets mode (open's is masked by the umask), fsyncs and closes f.
func writeSyncClose(f *os.File, content []byte, mode os.FileMode) error {
	if _, err := f.Write(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SyncDir fsyncs a directory; a filesystem that refuses fsync on a directory is not an error (the
// rename is still atomic there).
func SyncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	_ = f.Sync()
	return f.Close()
}

// EnsureStateDir creates the directory (0700) if needed.
func EnsureStateDir(dir string) error { return os.MkdirAll(dir, 0o700) }

// SaveCredentials writes credentials.json as JSON.stringify(creds, null, 2) + "\n", mode 0600.
func SaveCredentials(dir string, c Credentials) (string, error) {
	if err := EnsureStateDir(dir); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", err
	}
	file := filepath.Join(dir, credentialsFile)
	return file, WriteFileDurable(file, append(b, '\n'), 0o600)
}

// LoadCredentials returns the stored credentials, or nil when the host is not enrolled yet. A corrupt
// file is an error (say so, don't re-enrol silently).
func LoadCredentials(dir string) (*Credentials, error) {
	file := filepath.Join(dir, credentialsFile)
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	str := func(k string) (string, bool) { s, ok := raw[k].(string); return s, ok }
	c := Credentials{}
	var ok [4]bool
	c.HostID, ok[0] = str("hostId")
	c.HostToken, ok[1] = str("hostToken")
	c.Server, ok[2] = str("server")
	c.EnrolledAt, ok[3] = str("enrolledAt")
	if !ok[0] || !ok[1] || !ok[2] || !ok[3] {
		return nil, fmt.Errorf("%s is not a valid credentials file", file)
	}
	return &c, nil
}

// jsNumber is Number(text) for the texts a sequence file can hold: trimmed decimal (with exponent),
// 0x/0o/0b integers, "" = 0; anything else NaN (ok false).
func jsNumber(text string) (float64, bool) {
	t := strings.TrimSpace(text)
	if t == "" {
		return 0, true
	}
	if len(t) > 2 && t[0] == '0' {
		base := 0
		switch t[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			n, err := strconv.ParseUint(t[2:], base, 64)
			return float64(n), err == nil
		}
	}
	for _, c := range t {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return math.NaN(), false
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	return f, err == nil
}

// maxSafeInteger is Number.MAX_SAFE_INTEGER.
const maxSafeInteger = 1<<53 - 1

// LoadLastSequence is the last sequence number handed out, or -1 when none was (or the file is
// unreadable or not a safe non-negative integer).
func LoadLastSequence(dir string) int64 {
	b, err := os.ReadFile(filepath.Join(dir, sequenceFile))
	if err != nil {
		return -1
	}
	n, ok := jsNumber(string(b))
	if !ok || n != math.Trunc(n) || n < 0 || n > maxSafeInteger {
		return -1
	}
	return int64(n)
}

// SaveLastSequence durably writes "<n>\n" (0600).
func SaveLastSequence(dir string, sequence int64) error {
	return WriteFileDurable(filepath.Join(dir, sequenceFile), []byte(strconv.FormatInt(sequence, 10)+"\n"), 0o600)
}
