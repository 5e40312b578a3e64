package jobs

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"nfvdeck/agent/internal/full"
)

// fakeAPI offers the queued jobs one per poll, then waits like a long-poll; it records every call.
type fakeAPI struct {
	mu     sync.Mutex
	queue  []string
	calls  []string
	inputs []any
}

func (f *fakeAPI) Call(ctx context.Context, procedure string, input any, out any) error {
	f.mu.Lock()
	f.calls = append(f.calls, procedure)
	f.inputs = append(f.inputs, input)
	var job string
	if len(f.queue) > 0 {
		job, f.queue = f.queue[0], f.queue[1:]
	}
	f.mu.Unlock()
	if job == "" {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		job = "null"
	}
	return json.Unmarshal([]byte(`{"job":`+job+`}`), out)
}

func (f *fakeAPI) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// fakeFullAgent is a shell script standing in for the full agent: it appends its argv and stdin to
// log, and for job-exec waits for SIGTERM when the offer says so (recording it).
func fakeFullAgent(t *testing.T) (dir string, logFile string) {
	t.Helper()
	dir = t.TempDir()
	logFile = filepath.Join(dir, "calls.log")
	script := `#!/bin/sh
log="` + logFile + `"
echo "argv $*" >> "$log"
if [ "$1" = "job-exec" ]; then
  offer=$(cat)
  echo "stdin $offer" >> "$log"
  case "$offer" in
    *wait-for-term*) trap 'echo "got TERM" >> "$log"; exit 0' TERM; echo ready >> "$log"; while :; do sleep 0.05; done ;;
    *exit-3*) exit 3 ;;
  esac
fi
if [ "$1" = "job-recover" ]; then rm -f "$3/jobs/in-flight.json"; fi
exit 0
`
	path := filepath.Join(dir, "full-agent")
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv(full.EnvPath, path)
	return dir, logFile
}

func readLog(t *testing.T, file string) string {
	t.Helper()
	b, _ := os.ReadFile(file)
	return string(b)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

const offerJSON = `{"id":"5b0c2f9e-5a43-4a8e-9c1e-2f0a9a7d1e01","kind":"predict_migration","params":{"qmpSocket":"/run/vm.qmp"},"attempts":1,"leaseExpiresAt":"2026-12-02T04:00:00.000Z","renewEveryMs":1000}`

func TestLoopHandsEachOfferToJobExecWithFlags(t *testing.T) {
	_, logFile := fakeFullAgent(t)
	state := t.TempDir()
	api := &fakeAPI{queue: []string{offerJSON}}
	l := &Loop{API: api, StateDir: state, Root: "/srv/root", Server: "http://127.0.0.1:3940", TimeoutMs: 5000, PollWait: 1500 * time.Millisecond, Stderr: &lockedWriter{}}
	l.Start()
	waitFor(t, "job-exec", func() bool { return strings.Contains(readLog(t, logFile), "stdin ") })
	waitFor(t, "the next poll", func() bool { return api.callCount() >= 2 })
	l.Stop()
	got := readLog(t, logFile)
	want := "argv job-exec --state " + state + " --root /srv/root --server http://127.0.0.1:3940 --timeout-ms 5000\nstdin " + offerJSON + "\n"
	if got != want {
		t.Fatalf("full agent calls:\n%s\nwant:\n%s", got, want)
	}
	if api.calls[0] != "agent.jobs.next" {
		t.Fatalf("procedure %q", api.calls[0])
	}
	if in, _ := json.Marshal(api.inputs[0]); string(in) != `{"waitMs":1500}` {
		t.Fatalf("next input %s", in)
	}
}

func TestLoopRecoversAnInterruptedJobBeforePolling(t *testing.T) {
	_, logFile := fakeFullAgent(t)
	state := t.TempDir()
	if err := os.MkdirAll(filepath.Join(state, "jobs"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, InFlightFile), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	api := &fakeAPI{}
	l := &Loop{API: api, StateDir: state}
	l.Start()
	waitFor(t, "two polls", func() bool { return api.callCount() >= 2 })
	l.Stop()
	// job-recover once (the marker is gone after it), before the first poll; no job-exec
	if got := readLog(t, logFile); got != "argv job-recover --state "+state+" --root /\n" {
		t.Fatalf("full agent calls:\n%s", got)
	}
}

func TestLoopBacksOffWhenJobExecFails(t *testing.T) {
	_, logFile := fakeFullAgent(t)
	api := &fakeAPI{queue: []string{strings.Replace(offerJSON, "predict_migration", "exit-3", 1)}}
	stderr := &lockedWriter{}
	l := &Loop{API: api, StateDir: t.TempDir(), Stderr: stderr}
	l.Start()
	waitFor(t, "job-exec", func() bool { return strings.Contains(readLog(t, logFile), "stdin ") })
	waitFor(t, "the log line", func() bool { return strings.Contains(stderr.String(), "job poll failed") })
	l.Stop()
	if !strings.Contains(stderr.String(), "job-exec: exit status 3") {
		t.Fatalf("stderr: %s", stderr.String())
	}
}

func TestStopTerminatesTheRunningJobAndWaitsForIt(t *testing.T) {
	_, logFile := fakeFullAgent(t)
	api := &fakeAPI{queue: []string{strings.Replace(offerJSON, "predict_migration", "wait-for-term", 1)}}
	l := &Loop{API: api, StateDir: t.TempDir()}
	l.Start()
	waitFor(t, "the job to run", func() bool { return strings.Contains(readLog(t, logFile), "ready") })
	l.Stop()
	if got := readLog(t, logFile); !strings.HasSuffix(got, "ready\ngot TERM\n") {
		t.Fatalf("full agent log:\n%s", got)
	}
	if n := api.callCount(); n != 1 {
		t.Fatalf("%d polls after stop, want 1", n)
	}
}

func TestFullJitterStaysInItsWindow(t *testing.T) {
	for attempt, ceiling := range map[int]time.Duration{0: 500 * time.Millisecond, 3: 4 * time.Second, 7: 60 * time.Second, 2000: 60 * time.Second} {
		for i := 0; i < 200; i++ {
			if d := fullJitter(attempt); d < 0 || d >= ceiling {
				t.Fatalf("attempt %d: %v outside [0, %v)", attempt, d, ceiling)
			}
		}
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  strings.Builder
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
