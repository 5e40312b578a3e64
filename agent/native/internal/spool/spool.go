// Package spool is the bounded on-disk store-and-forward queue of reports (agent/transport/spool.ts),
// in the TS agent's format: one file per report named by its zero-padded sequence (16 digits, so a
// listing sorts in send order), written durably; dropped.json and set-aside.json counters; set-aside/
// for reports the server kept failing. A directory left by either agent is read by the other.
//
// Eviction, only when a bound is hit: first the oldest reports that carry no static section; only if
// none is left, the oldest report with static sections, and then TakeStaticDropped tells the caller to
// send every section again so the server's view converges. Everything dropped is counted.
package spool

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"sync"

	"nfvdeck/agent/internal/state"
)

// Limits bound the spool.
type Limits struct {
	MaxFiles int
	MaxBytes int64
}

// DefaultLimits are 10,000 files and 64 MiB.
var DefaultLimits = Limits{MaxFiles: 10_000, MaxBytes: 64 * 1024 * 1024}

// Entry is one spooled report.
type Entry struct {
	Sequence int64
	File     string
	Bytes    int64
	// HasStatic: carries at least one static section (topology, kernel, …)
	HasStatic   bool
	LatencyRuns int
	QosSamples  int
}

// Dropped counts what eviction has cost (dropped.json; field order as the TS writes it).
type Dropped struct {
	Reports       int64 `json:"reports"`
	StaticReports int64 `json:"staticReports"`
	LatencyRuns   int64 `json:"latencyRuns"`
	QosSamples    int64 `json:"qosSamples"`
}

var namePattern = regexp.MustCompile(`^(\d{16})\.json$`)

const (
	droppedFile = "dropped.json"
	// SetAsideDir holds reports the server kept failing (kept for a human).
	SetAsideDir       = "set-aside"
	setAsideCountFile = "set-aside.json"
	// maxSetAsideFiles kept on disk (the oldest beyond it are deleted; all stay counted).
	maxSetAsideFiles = 100
)

// FileName is the spool file name of a sequence.
func FileName(sequence int64) string { return fmt.Sprintf("%016d.json", sequence) }

// Spool is safe for use by one collecting and one sending goroutine.
type Spool struct {
	Dir    string
	Limits Limits

	mu            sync.Mutex
	entries       []Entry
	totalBytes    int64
	dropped       Dropped
	staticDropped bool
	setAside      int64
}

// describe reads what eviction needs from a payload: any non-null section, latencyRuns and qosSamples counts.
func describe(payload []byte) (hasStatic bool, runs, qos int, err error) {
	var p struct {
		Sections    map[string]json.RawMessage `json:"sections"`
		LatencyRuns []json.RawMessage          `json:"latencyRuns"`
		QosSamples  []json.RawMessage          `json:"qosSamples"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		if json.Valid(payload) {
			return false, 0, 0, nil // JSON of another shape: JSON.parse takes it, it describes as empty
		}
		return false, 0, 0, err
	}
	for _, s := range p.Sections {
		if len(s) > 0 {
			hasStatic = true
			break
		}
	}
	return hasStatic, len(p.LatencyRuns), len(p.QosSamples), nil
}

// Open opens (creating) the spool directory and indexes what a previous run left; unreadable files are
// renamed *.corrupt, out of the queue.
func Open(dir string, limits Limits) (*Spool, error) {
	if limits.MaxFiles < 1 || limits.MaxBytes < 1 {
		return nil, errors.New("spool limits must be ≥ 1")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	dirents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(dirents))
	for _, d := range dirents {
		names = append(names, d.Name())
	}
	sort.Strings(names)
	s := &Spool{Dir: dir, Limits: limits}
	for _, name := range names {
		m := namePattern.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		file := filepath.Join(dir, name)
		b, err := os.ReadFile(file)
		var hasStatic bool
		var runs, qos int
		if err == nil {
			hasStatic, runs, qos, err = describe(b)
		}
		if err != nil {
			// a torn or foreign file (should not happen: writes are atomic): keep it for a human
			_ = os.Rename(file, file+".corrupt")
			continue
		}
		seq, _ := strconv.ParseInt(m[1], 10, 64)
		s.entries = append(s.entries, Entry{Sequence: seq, File: file, Bytes: int64(len(b)), HasStatic: hasStatic, LatencyRuns: runs, QosSamples: qos})
		s.totalBytes += int64(len(b))
	}
	if b, err := os.ReadFile(filepath.Join(dir, droppedFile)); err == nil {
		_ = json.Unmarshal(b, &s.dropped) // missing members keep 0, as {...defaults, ...parsed}
	}
	if b, err := os.ReadFile(filepath.Join(dir, setAsideCountFile)); err == nil {
		var c struct {
			Reports any `json:"reports"`
		}
		if json.Unmarshal(b, &c) == nil {
			if n, ok := c.Reports.(float64); ok && n >= 0 && n == float64(int64(n)) && n <= 1<<53-1 {
				s.setAside = int64(n)
			}
		}
	}
	return s, nil
}

// Files is the number of spooled reports.
func (s *Spool) Files() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.entries) }

// Bytes is their total size.
func (s *Spool) Bytes() int64 { s.mu.Lock(); defer s.mu.Unlock(); return s.totalBytes }

// DroppedCounts is what eviction has dropped since the spool was created (persisted).
func (s *Spool) DroppedCounts() Dropped { s.mu.Lock(); defer s.mu.Unlock(); return s.dropped }

// SetAside is the number of reports set aside since the spool was created (persisted).
func (s *Spool) SetAside() int64 { s.mu.Lock(); defer s.mu.Unlock(); return s.setAside }

// LastSequence is the highest sequence in the spool, or -1 (so a lost sequence file never reuses one).
func (s *Spool) LastSequence() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.entries) == 0 {
		return -1
	}
	return s.entries[len(s.entries)-1].Sequence
}

// Oldest is the next report to send (lowest sequence); ok false when empty.
func (s *Spool) Oldest() (Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.entries) == 0 {
		return Entry{}, false
	}
	return s.entries[0], true
}

// Sequences lists the spooled sequences in order.
func (s *Spool) Sequences() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int64, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.Sequence
	}
	return out
}

// TakeStaticDropped is true once after a report carrying static sections was evicted.
func (s *Spool) TakeStaticDropped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.staticDropped
	s.staticDropped = false
	return was
}

// Append durably adds a report (its JSON text); sequences must increase. Evicts per the policy above if
// a bound would be exceeded and returns the evicted entries.
func (s *Spool) Append(sequence int64, payload []byte) ([]Entry, error) {
	hasStatic, runs, qos, err := describe(payload)
	if err != nil {
		return nil, fmt.Errorf("spool: payload: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.entries); n > 0 && sequence <= s.entries[n-1].Sequence {
		return nil, fmt.Errorf("spool: sequence %d is not after %d", sequence, s.entries[n-1].Sequence)
	}
	size := int64(len(payload))
	var evicted []Entry
	for len(s.entries) > 0 && (len(s.entries)+1 > s.Limits.MaxFiles || s.totalBytes+size > s.Limits.MaxBytes) {
		victim := 0 // the oldest, unless one without static sections comes first
		for i, e := range s.entries {
			if !e.HasStatic {
				victim = i
				break
			}
		}
		evicted = append(evicted, s.entries[victim])
		s.evict(victim)
	}
	if len(evicted) > 0 {
		if err := state.SyncDir(s.Dir); err != nil {
			return evicted, err
		}
		b, _ := json.Marshal(s.dropped)
		if err := state.WriteFileDurable(filepath.Join(s.Dir, droppedFile), append(b, '\n'), 0o600); err != nil {
			return evicted, err
		}
	}
	file := filepath.Join(s.Dir, FileName(sequence))
	if err := state.WriteFileDurable(file, payload, 0o600); err != nil {
		return evicted, err
	}
	s.entries = append(s.entries, Entry{Sequence: sequence, File: file, Bytes: size, HasStatic: hasStatic, LatencyRuns: runs, QosSamples: qos})
	s.totalBytes += size
	return evicted, nil
}

// evict drops entries[i] (mu held): counted, file removed.
func (s *Spool) evict(i int) {
	e := s.entries[i]
	s.dropped.Reports++
	s.dropped.LatencyRuns += int64(e.LatencyRuns)
	s.dropped.QosSamples += int64(e.QosSamples)
	if e.HasStatic {
		s.dropped.StaticReports++
		s.staticDropped = true
	}
	s.entries = append(s.entries[:i], s.entries[i+1:]...)
	s.totalBytes -= e.Bytes
	_ = os.Remove(e.File)
}

// Read returns a spooled report's JSON text.
func (s *Spool) Read(e Entry) ([]byte, error) { return os.ReadFile(e.File) }

func (s *Spool) index(sequence int64) int {
	for i, e := range s.entries {
		if e.Sequence == sequence {
			return i
		}
	}
	return -1
}

// Remove drops a delivered (or rejected) report; an unknown sequence is ignored (evicted meanwhile).
func (s *Spool) Remove(sequence int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(sequence)
	if i < 0 {
		return nil
	}
	e := s.entries[i]
	s.entries = append(s.entries[:i], s.entries[i+1:]...)
	s.totalBytes -= e.Bytes
	if err := os.Remove(e.File); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// SetAsideReport moves a report out of the queue into set-aside/ (same file name), counted and
// persisted, so the reports after it can be delivered. Returns the new path, "" for an unknown sequence.
func (s *Spool) SetAsideReport(sequence int64) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(sequence)
	if i < 0 {
		return "", nil
	}
	e := s.entries[i]
	s.entries = append(s.entries[:i], s.entries[i+1:]...)
	s.totalBytes -= e.Bytes
	dir := filepath.Join(s.Dir, SetAsideDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	dest := filepath.Join(dir, filepath.Base(e.File))
	if err := os.Rename(e.File, dest); err != nil {
		return "", err
	}
	s.setAside++
	_ = state.SyncDir(dir)
	_ = state.SyncDir(s.Dir)
	if err := state.WriteFileDurable(filepath.Join(s.Dir, setAsideCountFile), []byte(fmt.Sprintf("{\"reports\":%d}\n", s.setAside)), 0o600); err != nil {
		return dest, err
	}
	// bounded: a server that fails everything must not fill the disk
	dirents, _ := os.ReadDir(dir)
	var kept []string
	for _, d := range dirents {
		if namePattern.MatchString(d.Name()) {
			kept = append(kept, d.Name())
		}
	}
	sort.Strings(kept)
	for len(kept) > maxSetAsideFiles {
		_ = os.Remove(filepath.Join(dir, kept[0]))
		kept = kept[1:]
	}
	return dest, nil
}
