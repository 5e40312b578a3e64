// Package jobs is the native daemon's job loop: it long-polls the agent port for this host's next job
// (agent.jobs.next, which claims it) and hands each offer to the full agent's `job-exec`, which runs the
// TypeScript JobRunner for exactly that offer — in-flight marker, journal, start, lease renewals,
// cancel, finish — and exits (agent/jobs/runner.ts is the reference; nothing of it is re-implemented
// here). Before every poll, a job marked in flight by an earlier run (<state>/jobs/in-flight.json) is
// settled first with `job-recover`, as JobRunner's loop does with recoverInterrupted.
package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"nfvdeck/agent/internal/full"
)

// Caller is the part of the transport client the loop needs (internal/transport's Client).
type Caller interface {
	Call(ctx context.Context, procedure string, input any, out any) error
}

// InFlightFile is JobRunner's marker, relative to the state dir (runner.ts JOBS_DIR/IN_FLIGHT_FILE).
var InFlightFile = filepath.Join("jobs", "in-flight.json")

// Loop takes jobs from the server for as long as it runs. Zero values are the TS defaults.
type Loop struct {
	API      Caller
	StateDir string
	// Root is the host root the actions work on ("/" in production).
	Root string
	// Server and TimeoutMs are passed to the full agent (it opens its own connection, with the
	// credentials and pinned CA of StateDir).
	Server    string
	TimeoutMs int
	// PollWait is one long-poll's wait on the server (default 25 s, at most 30 s).
	PollWait time.Duration
	// Stderr gets the full agent's output and the loop's own lines (default os.Stderr).
	Stderr io.Writer
	// Locate finds the full agent (default full.Locate).
	Locate func(stateDir string) (*full.Executable, error)

	mu       sync.Mutex
	cancel   context.CancelFunc
	done     chan struct{}
	child    *os.Process
	stopping bool
	failures int
}

// Start runs the loop in the background until Stop.
func (l *Loop) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	l.mu.Lock()
	l.cancel, l.done = cancel, make(chan struct{})
	l.mu.Unlock()
	go func() {
		defer close(l.done)
		l.run(ctx)
	}()
}

// Stop ends polling; a job in progress gets SIGTERM, which JobRunner answers like its own stop(): the
// action is aborted (a migration cancelled, the VM stays on the source) and the outcome delivered if the
// server takes it (else kept in the marker for the next start). Returns once the loop and child are done.
func (l *Loop) Stop() {
	l.mu.Lock()
	if l.cancel == nil {
		l.mu.Unlock()
		return
	}
	l.stopping = true
	l.cancel()
	if l.child != nil {
		_ = l.child.Signal(syscall.SIGTERM)
	}
	done := l.done
	l.mu.Unlock()
	<-done
}

func (l *Loop) stderr() io.Writer {
	if l.Stderr != nil {
		return l.Stderr
	}
	return os.Stderr
}

func (l *Loop) log(format string, args ...any) {
	fmt.Fprintf(l.stderr(), "nfvdeck-agent jobs: "+format+"\n", args...)
}

// minEmptyPoll is the least time between two polls that brought no job. A server answers an empty
// long-poll after the wait; one that answers at once (no long-poll, an error path answering null) would
// otherwise get a new connection, TLS handshake and marker check in a loop without pause.
const minEmptyPoll = time.Second

func (l *Loop) pollWait() time.Duration {
	if l.PollWait <= 0 || l.PollWait > 30*time.Second {
		return 25 * time.Second
	}
	return l.PollWait
}

func (l *Loop) run(ctx context.Context) {
	for ctx.Err() == nil {
		started := time.Now()
		gotJob, err := l.once(ctx)
		if err == nil {
			l.failures = 0
			gap := minEmptyPoll
			if w := l.pollWait(); w < gap {
				gap = w // a short --poll-wait-ms is honoured as the server would honour it
			}
			if rest := gap - time.Since(started); !gotJob && rest > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(rest):
				}
			}
			continue
		}
		if ctx.Err() != nil {
			return
		}
		delay := fullJitter(l.failures)
		l.failures++
		if l.failures == 1 {
			l.log("job poll failed (%v); retrying in %d ms", err, delay.Milliseconds())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

type nextJobOutput struct {
	Job json.RawMessage `json:"job"`
}

// once is one turn of JobRunner.run: settle an interrupted job, poll, run the offer. gotJob says an
// offer came.
func (l *Loop) once(ctx context.Context) (gotJob bool, err error) {
	if _, err := os.Stat(filepath.Join(l.StateDir, InFlightFile)); err == nil {
		if err := l.runChild(ctx, "job-recover", nil); err != nil {
			return false, err
		}
	}
	var out nextJobOutput
	if err := l.API.Call(ctx, "agent.jobs.next", map[string]any{"waitMs": l.pollWait().Milliseconds()}, &out); err != nil {
		return false, err
	}
	l.failures = 0
	if len(out.Job) == 0 || string(out.Job) == "null" {
		return false, nil
	}
	// From here the job is claimed for this host: it runs even if Stop comes meanwhile (job-exec
	// then sees SIGTERM and ends it cancelled, as JobRunner.stop() would).
	return true, l.runChild(context.Background(), "job-exec", out.Job)
}

// runChild runs `<command> --state S --root R [--server URL] [--timeout-ms N]` in the full agent with
// stdin (the offer) and waits; a non-zero exit is an error (JobRunner's handle threw).
func (l *Loop) runChild(ctx context.Context, command string, stdin []byte) error {
	locate := l.Locate
	if locate == nil {
		locate = full.Locate
	}
	exe, err := locate(l.StateDir)
	if err != nil {
		return err
	}
	args := []string{command, "--state", l.StateDir, "--root", l.rootOrSlash()}
	if l.Server != "" {
		args = append(args, "--server", l.Server)
	}
	if l.TimeoutMs > 0 {
		args = append(args, "--timeout-ms", strconv.Itoa(l.TimeoutMs))
	}
	cmd := exe.Command(args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	cmd.Stdout, cmd.Stderr = l.stderr(), l.stderr()
	l.mu.Lock()
	if l.stopping && command == "job-recover" {
		l.mu.Unlock()
		exe.Close()
		return ctx.Err()
	}
	err = full.Start(cmd)
	exe.Close()
	if err == nil {
		l.child = cmd.Process
		if l.stopping {
			_ = cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("starting the full agent's %s: %w", command, err)
	}
	err = cmd.Wait()
	l.mu.Lock()
	l.child = nil
	l.mu.Unlock()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return fmt.Errorf("%s: %s", command, exitErr.ProcessState.String())
	}
	return err
}

func (l *Loop) rootOrSlash() string {
	if l.Root == "" {
		return "/"
	}
	return l.Root
}

// fullJitter is agent/transport/backoff.ts fullJitterDelayMs with DEFAULT_BACKOFF (500 ms .. 60 s).
func fullJitter(attempt int) time.Duration {
	ceiling := 60_000.0
	if attempt < 17 {
		if c := 500.0 * float64(int64(1)<<uint(attempt)); c < ceiling {
			ceiling = c
		}
	}
	jitterMu.Lock()
	unit := jitter.Float64()
	jitterMu.Unlock()
	return time.Duration(unit*ceiling) * time.Millisecond
}

// Go 1.19's global math/rand starts from the same seed in every process: a fleet would retry in step.
var (
	jitterMu sync.Mutex
	jitter   = rand.New(rand.NewSource(time.Now().UnixNano() ^ int64(os.Getpid())<<32))
)
