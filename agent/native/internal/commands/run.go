package commands

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"nfvdeck/agent/internal/collectors/kernel"
	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/daemon"
	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/latency"
	"nfvdeck/agent/internal/qos"
	"nfvdeck/agent/internal/spool"
	"nfvdeck/agent/internal/state"
	"nfvdeck/agent/internal/transport"
	"nfvdeck/agent/internal/vnfgroups"
)

// RunSummary is what `help` says about run.
const RunSummary = "the daemon: collect every heartbeat, report, spool what cannot be delivered and resend it in order"

const runUsage = "usage: run [--server URL] [--state DIR] [--root /] [--heartbeat SECONDS] [--backoff-max-ms MS] [--timeout-ms MS]\n" +
	"           [--spool-max-files N] [--spool-max-bytes N] [--max-server-error-tries N] [--slow-refresh-s S] [--no-qos] [--no-jobs] [--verbose]"

// runStringFlags and runBoolFlags are agent/commands/run.ts's parseArgs options.
var runStringFlags = map[string]bool{
	"server": true, "state": true, "root": true, "heartbeat": true, "backoff-max-ms": true, "timeout-ms": true,
	"spool-max-files": true, "spool-max-bytes": true, "max-server-error-tries": true, "slow-refresh-s": true,
}
var runBoolFlags = map[string]bool{"no-qos": true, "no-jobs": true, "verbose": true}

// parseArgsLike is node's util.parseArgs in strict mode with positionals allowed: --name value,
// --name=value, booleans without a value, "--" ends the options; the last occurrence wins. The error
// texts are node's.
func parseArgsLike(argv []string, strFlags, boolFlags map[string]bool) (map[string]string, map[string]bool, error) {
	strs, bools := map[string]string{}, map[string]bool{}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue // positional (run takes none and ignores them, as the TS does)
		}
		if !strings.HasPrefix(a, "--") {
			return nil, nil, fmt.Errorf("Unknown option '%s'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"%s\"", a[:2], a)
		}
		name, value, hasValue := strings.Cut(a[2:], "=")
		switch {
		case strFlags[name]:
			if !hasValue {
				if i+1 >= len(argv) {
					return nil, nil, fmt.Errorf("Option '--%s <value>' argument missing", name)
				}
				value = argv[i+1]
				if strings.HasPrefix(value, "-") {
					return nil, nil, fmt.Errorf("Option '--%s' argument is ambiguous.\nDid you forget to specify the option argument for '--%s'?\nTo specify an option argument starting with a dash use '--%s=-XYZ'.", name, name, name)
				}
				i++
			}
			strs[name] = value
		case boolFlags[name]:
			if hasValue {
				return nil, nil, fmt.Errorf("Option '--%s' does not take an argument", name)
			}
			bools[name] = true
		default:
			return nil, nil, fmt.Errorf("Unknown option '--%s'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--%s\"", name, name)
		}
	}
	return strs, bools, nil
}

// jsNumber is Number(text) (z.coerce.number): trimmed decimal or 0x/0o/0b integer, "" = 0, else NaN.
func jsNumber(text string) float64 {
	t := strings.TrimSpace(text)
	if t == "" {
		return 0
	}
	if len(t) > 2 && t[0] == '0' {
		base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'O': 8, 'b': 2, 'B': 2}[t[1]]
		if base != 0 {
			n, err := strconv.ParseUint(t[2:], base, 64)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}
	}
	switch t {
	case "Infinity", "+Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	for _, c := range t {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return math.NaN()
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

func formatBound(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// numberFlag is z.coerce.number()[.int()].min(lo).max(hi) with zod's messages.
func numberFlag(strs map[string]string, name string, integer bool, lo, hi, def float64, problems *[]string) (float64, bool) {
	text, given := strs[name]
	if !given {
		return def, false
	}
	v := jsNumber(text)
	switch {
	case math.IsNaN(v):
		*problems = append(*problems, fmt.Sprintf("--%s: Invalid input: expected number, received NaN", name))
	case math.IsInf(v, 0):
		*problems = append(*problems, fmt.Sprintf("--%s: Invalid input: expected number, received number", name))
	case integer && v != math.Trunc(v):
		*problems = append(*problems, fmt.Sprintf("--%s: Invalid input: expected int, received number", name))
	case v < lo:
		*problems = append(*problems, fmt.Sprintf("--%s: Too small: expected number to be >=%s", name, formatBound(lo)))
	case v > hi:
		*problems = append(*problems, fmt.Sprintf("--%s: Too big: expected number to be <=%s", name, formatBound(hi)))
	}
	return v, true
}

type runFlags struct {
	server, stateDir, root  string
	heartbeatS              float64
	heartbeatGiven          bool
	backoffMaxMs, timeoutMs int
	spoolMaxFiles           int
	spoolMaxBytes           int64
	maxServerErrorTries     int
	slowRefreshS            float64
	slowRefreshGiven        bool
	noQos, noJobs, verbose  bool
}

func parseRunFlags(argv []string) (*runFlags, string) {
	strs, bools, err := parseArgsLike(argv, runStringFlags, runBoolFlags)
	if err != nil {
		return nil, err.Error()
	}
	var problems []string
	f := &runFlags{root: "/", noQos: bools["no-qos"], noJobs: bools["no-jobs"], verbose: bools["verbose"]}
	if s, ok := strs["server"]; ok {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			problems = append(problems, "--server: Invalid URL")
		}
		f.server = s
	}
	for _, name := range []string{"state", "root"} {
		if s, ok := strs[name]; ok {
			if s == "" {
				problems = append(problems, fmt.Sprintf("--%s: Too small: expected string to have >=1 characters", name))
			}
			if name == "state" {
				f.stateDir = s
			} else {
				f.root = s
			}
		}
	}
	f.heartbeatS, f.heartbeatGiven = numberFlag(strs, "heartbeat", false, 0.05, 86_400, 0, &problems)
	v, _ := numberFlag(strs, "backoff-max-ms", true, 10, 3_600_000, 60_000, &problems)
	f.backoffMaxMs = int(v)
	v, _ = numberFlag(strs, "timeout-ms", true, 100, 600_000, 15_000, &problems)
	f.timeoutMs = int(v)
	v, _ = numberFlag(strs, "spool-max-files", true, 1, 10_000_000, 10_000, &problems)
	f.spoolMaxFiles = int(v)
	v, _ = numberFlag(strs, "spool-max-bytes", true, 1024, 1<<40, 64*1024*1024, &problems)
	f.spoolMaxBytes = int64(v)
	v, _ = numberFlag(strs, "max-server-error-tries", true, 1, 1_000_000, daemon.DefaultMaxServerErrorTry, &problems)
	f.maxServerErrorTries = int(v)
	f.slowRefreshS, f.slowRefreshGiven = numberFlag(strs, "slow-refresh-s", false, 0, 86_400, 0, &problems)
	if len(problems) > 0 {
		return nil, strings.Join(problems, "; ")
	}
	return f, ""
}

// pinnedEnv is set in a re-executed agent: it never re-executes again (agent/pin.ts PINNED_ENV).
const pinnedEnv = "NFVDECK_AGENT_PINNED"

// pinToHousekeeping is agent/pin.ts pinToHousekeeping: if this process may run on an isolated CPU,
// move every thread to the housekeeping CPUs with `taskset -a -p` (verified per thread); if that fails,
// execve this command under `taskset -c` (one process: Go can exec, node could not). Returns the
// housekeeping CPU list for cyclictest's --mainaffinity ("" when none), or an error (bad override).
func pinToHousekeeping(stderr io.Writer) (string, error) {
	root, _ := hostfs.New("/")
	iso, err := kernel.ReadIsolatedCPUs(root)
	if err != nil {
		return "", err
	}
	isolated := iso.Isolated
	if override, ok := os.LookupEnv("NFVDECK_ISOLATED_CPUS"); ok {
		if isolated, err = values.ParseCPUList(override); err != nil {
			return "", fmt.Errorf("NFVDECK_ISOLATED_CPUS=%q is not a cpu list", override)
		}
	}
	housekeeping := latency.HousekeepingCpus(iso.Online, isolated)
	status, _ := os.ReadFile("/proc/self/status")
	allowed, _ := latency.ParseCpusAllowedList(string(status))
	decision := latency.DecidePinning(allowed, iso.Online, isolated)
	switch {
	case decision.Action == "none":
		return housekeeping, nil
	case decision.Action == "impossible":
		fmt.Fprintf(stderr, "nfvdeck-agent: warning: %s; running unpinned\n", decision.Reason)
		return housekeeping, nil
	case os.Getenv(pinnedEnv) == "1":
		fmt.Fprintf(stderr, "nfvdeck-agent: warning: still on isolated CPUs after pinning (%s); not re-executing again\n", decision.Reason)
		return housekeeping, nil
	}
	target := latency.FormatCpuList(decision.Cpus)
	if os.Getenv("NFVDECK_PIN_METHOD") != "reexec" {
		err := latency.PinInPlace(context.Background(), decision.Cpus)
		if err == nil {
			fmt.Fprintf(stderr, "nfvdeck-agent: %s: pinned in place to housekeeping CPUs %s\n", decision.Reason, target)
			return housekeeping, nil
		}
		fmt.Fprintf(stderr, "nfvdeck-agent: pinning in place failed (%v); falling back to re-executing\n", err)
	}
	fmt.Fprintf(stderr, "nfvdeck-agent: %s: re-executing on housekeeping CPUs %s\n", decision.Reason, target)
	taskset, err := exec.LookPath("taskset")
	if err == nil {
		self, _ := os.Executable()
		err = syscall.Exec(taskset, append([]string{"taskset", "-c", target, self}, os.Args[1:]...), append(os.Environ(), pinnedEnv+"=1"))
	}
	fmt.Fprintf(stderr, "nfvdeck-agent: warning: cannot run taskset (%v); running unpinned\n", err)
	return housekeeping, nil
}

// Run is `run`: agent/commands/run.ts with the same flags, defaults and exit codes (2 bad flags, 1 not
// enrolled or a transport that may not carry the token, 0 after SIGTERM/SIGINT).
func Run(argv []string, stderr io.Writer) int {
	flags, problem := parseRunFlags(argv)
	if problem != "" {
		fmt.Fprintf(stderr, "run: %s\n%s\n", problem, runUsage)
		return 2
	}
	stateDir := state.ResolveStateDir(flags.stateDir, os.LookupEnv)
	creds, err := state.LoadCredentials(stateDir)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	if creds == nil {
		fmt.Fprintf(stderr, "run: not enrolled (no credentials in %s); run `enroll --server URL --token TOKEN` first\n", stateDir)
		return 1
	}
	// housekeeping only: before any work, move off isolated CPUs (may re-execute this command pinned)
	housekeeping, err := pinToHousekeeping(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	server := flags.server
	if server == "" {
		server = creds.Server
	}
	// https: only the CA pinned at enrolment is trusted; plain http: loopback only
	var pinned *transport.PinnedTLS
	isHTTPS := strings.HasPrefix(server, "https:")
	if isHTTPS {
		if pinned, err = transport.LoadServerCa(stateDir); err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
			return 1
		}
	}
	if p := transport.TransportProblem(server, pinned != nil); p != "" {
		hint := ""
		if pinned == nil && isHTTPS {
			hint = "; enrol again with --ca-fingerprint"
		}
		fmt.Fprintf(stderr, "run: %s%s\n", p, hint)
		return 1
	}
	fs, err := hostfs.New(flags.root)
	if err != nil {
		fmt.Fprintf(stderr, "run: %v\n", err)
		return 1
	}
	opts := daemon.Options{
		StateDir: stateDir, FS: fs, Credentials: *creds,
		API: func() (daemon.Reporter, error) {
			c, err := transport.New(transport.Options{Server: server, HostToken: creds.HostToken, TimeoutMs: flags.timeoutMs, TLS: pinned})
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		Backoff:             &transport.BackoffPolicy{BaseMs: math.Min(500, float64(flags.backoffMaxMs)), MaxMs: float64(flags.backoffMaxMs)},
		SpoolLimits:         &spool.Limits{MaxFiles: flags.spoolMaxFiles, MaxBytes: flags.spoolMaxBytes},
		MaxServerErrorTries: flags.maxServerErrorTries,
		HousekeepingCpus:    housekeeping,
		RunLatency:          latency.Run,
		Verbose:             flags.verbose,
		Log:                 func(line string) { fmt.Fprintln(stderr, line) },
	}
	if flags.heartbeatGiven {
		opts.HeartbeatMs = int(math.Round(flags.heartbeatS * 1000))
	}
	if flags.slowRefreshGiven {
		// the same interval for every section the default table refreshes slowly (0 = every heartbeat)
		opts.SectionRefreshMs = map[string]int{}
		for name := range daemon.SectionRefreshMs {
			opts.SectionRefreshMs[name] = int(flags.slowRefreshS * 1000)
		}
	}
	if !flags.noQos {
		// per-VNF resctrl monitoring groups (issue 13) are kept by the resctrl collector; --no-qos: none
		opts.Collectors = vnfgroups.CollectorsWithVnfGroups(fs)
		opts.TakeQosSamples = qos.NewSampler(fs, nil).Take
	}
	d := daemon.New(opts)

	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(signals)
	if err := d.Start(); err != nil {
		fmt.Fprintf(stderr, "run: %v\n", err)
		return 1
	}
	go func() {
		sig := <-signals
		name := map[os.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT"}[sig]
		fmt.Fprintf(stderr, "nfvdeck-agent: %s: stopping after the current report\n", name)
		d.Stop()
	}()
	// jobs: a long-poll on the agent port, its own loop beside the heartbeat (internal/jobs)
	var jobLoop interface{ Stop() }
	if !flags.noJobs {
		loop, _, err := NewJobLoop(stateDir, flags.root, server, flags.timeoutMs, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "nfvdeck-agent: jobs: %v; not taking jobs\n", err)
		} else {
			loop.Start()
			jobLoop = loop
		}
	}
	fmt.Fprintf(stderr, "nfvdeck-agent: host %s reporting to %s (state %s)\n", creds.HostID, server, stateDir)
	<-d.Done()
	if jobLoop != nil {
		jobLoop.Stop()
	}
	fmt.Fprintf(stderr, "nfvdeck-agent: stopped; %d report(s) left in the spool for next start\n", d.Status().Spooled)
	return 0
}
