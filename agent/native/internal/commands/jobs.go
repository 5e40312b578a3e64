package commands

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"nfvdeck/agent/internal/jobs"
	"nfvdeck/agent/internal/state"
	"nfvdeck/agent/internal/transport"
)

// JobsSummary is what `help` says about jobs.
const JobsSummary = "take this host's jobs only (no reports) until SIGTERM: the job loop `run` also runs"

const jobsUsage = "usage: jobs [--state DIR] [--root /] [--server URL] [--timeout-ms MS] [--poll-wait-ms MS]"

// NewJobLoop is the job loop for an enrolled host: the credentials' server (or server when given) with
// the CA pinned at enrolment for https. `run` and `jobs` both take their loop from here.
func NewJobLoop(stateDir, root, server string, timeoutMs int, stderr io.Writer) (*jobs.Loop, *state.Credentials, error) {
	creds, err := state.LoadCredentials(stateDir)
	if err != nil {
		return nil, nil, err
	}
	if creds == nil {
		return nil, nil, fmt.Errorf("not enrolled (no credentials in %s); run `enroll --server URL --token TOKEN` first", stateDir)
	}
	if server == "" {
		server = creds.Server
	}
	var pinned *transport.PinnedTLS
	if u, err := url.Parse(server); err == nil && u.Scheme == "https" {
		if pinned, err = transport.LoadServerCa(stateDir); err != nil {
			return nil, nil, err
		}
	}
	client, err := transport.New(transport.Options{Server: server, HostToken: creds.HostToken, TimeoutMs: timeoutMs, TLS: pinned})
	if err != nil {
		return nil, nil, err
	}
	return &jobs.Loop{API: client, StateDir: stateDir, Root: root, Server: server, TimeoutMs: timeoutMs, Stderr: stderr}, creds, nil
}

// Jobs is `jobs`: the job loop alone, in the foreground (tests, a host that must not report).
func Jobs(argv []string, stderr io.Writer) int {
	fl := flag.NewFlagSet("jobs", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	stateFlag := fl.String("state", "", "")
	root := fl.String("root", "/", "")
	server := fl.String("server", "", "")
	timeoutMs := fl.Int("timeout-ms", 15000, "")
	pollWaitMs := fl.Int("poll-wait-ms", 25000, "")
	if err := fl.Parse(argv); err != nil || fl.NArg() > 0 || *root == "" || *timeoutMs < 100 || *pollWaitMs < 1 || *pollWaitMs > 30000 {
		msg := "unexpected argument or value out of range"
		if err != nil {
			msg = err.Error()
		}
		fmt.Fprintf(stderr, "jobs: %s\n%s\n", msg, jobsUsage)
		return 2
	}
	stateDir := state.ResolveStateDir(*stateFlag, os.LookupEnv)
	loop, creds, err := NewJobLoop(stateDir, *root, *server, *timeoutMs, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "jobs: %v\n", err)
		return 1
	}
	loop.PollWait = time.Duration(*pollWaitMs) * time.Millisecond
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(signals)
	loop.Start()
	fmt.Fprintf(stderr, "nfvdeck-agent: host %s taking jobs from %s (state %s)\n", creds.HostID, loop.Server, stateDir)
	s := <-signals
	fmt.Fprintf(stderr, "nfvdeck-agent: %s: stopping the job loop\n", s)
	loop.Stop()
	return 0
}
