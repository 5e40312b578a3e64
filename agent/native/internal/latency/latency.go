// Package latency runs the agent's scheduled cyclictest measurement (rt-tests) and turns its output
// into the report's latency run — the Go port of agent/collectors/latency.ts, the cyclictest parsers
// of server/domain/latency/cyclictest/ and the pure parts of agent/pin.ts.
//
// API for the daemon: report, err := latency.Run(ctx, schedule, housekeeping, runKey), where
//
//   - schedule is the server's latencySchedule as decoded JSON (cpus, durationS, intervalUs, priority,
//     histogramSize, load; everyMinutes and other keys are ignored). It is checked first, like
//     latency.ts cyclictestRequestSchema: a bad schedule is an error and nothing runs.
//   - housekeeping is the cpu list for cyclictest's main thread (--mainaffinity), normally
//     HousekeepingCpus(online, isolated); "" leaves it unpinned (TS: null). Measurement thread i runs on
//     the i-th CPU of schedule.cpus (-a LIST -t N).
//   - runKey identifies the run (the TS daemon uses a random UUID).
//   - The call blocks for about durationS seconds; cancelling ctx stops cyclictest with SIGINT (as the
//     TS runner's timeout of durationS + 60 s does) and Run returns an error.
//   - The result is the LatencyRunReport tree (server/contract/sections/latency.ts) the TS runLatency
//     returns: runKey, startedAt, durationS, toolVersion, cmdline, priority, intervalUs, load, unit,
//     histogramSize, threads[{thread, cpu, cycles, overflows, min, avg, max, histogram}], checked
//     against latencyRunSchema's rules (including its refinements) before it is returned.
//
// cyclictest writes --json (exact avg, tool version) into a temporary directory and prints the text
// histogram; the JSON is the source, the text the fallback when the JSON file is missing. Needs root
// (or CAP_SYS_NICE) for the RT priority.
package latency

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf16"

	"nfvdeck/agent/internal/jsonx"
)

var cpuListPattern = regexp.MustCompile(`^\d+(-\d+)?(,\d+(-\d+)?)*$`)

// Request is what a run measures (latency.ts cyclictestRequestSchema after its defaults).
type Request struct {
	Cpus          string
	Housekeeping  string // "" = unpinned main thread
	Priority      float64
	IntervalUs    float64
	DurationS     float64
	HistogramSize float64
	Load          string
	Nsecs         bool
	LockMemory    bool
	Binary        string
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// RequestFromSchedule checks a schedule like cyclictestRequestSchema and fills the TS defaults.
func RequestFromSchedule(schedule map[string]any, housekeeping string) (Request, error) {
	var problems []string
	bad := func(path, msg string) { problems = append(problems, path+": "+msg) }
	cpuList := func(path string, v any) string {
		s, ok := v.(string)
		if !ok {
			bad(path, "expected string")
		} else if !cpuListPattern.MatchString(s) {
			bad(path, "not a cpu list")
		}
		return s
	}
	intIn := func(path string, lo, hi float64) float64 {
		f, ok := schedule[path].(float64)
		if i, isInt := schedule[path].(int); isInt {
			f, ok = float64(i), true
		}
		switch {
		case !ok:
			bad(path, "expected number")
		case f != math.Trunc(f) || math.IsInf(f, 0):
			bad(path, "expected int")
		case f < lo || f > hi:
			bad(path, fmt.Sprintf("must be within %s..%s", num(lo), num(hi)))
		}
		return f
	}
	req := Request{Nsecs: false, LockMemory: true, Binary: "cyclictest", Load: "idle"}
	req.Cpus = cpuList("cpus", schedule["cpus"])
	if housekeeping != "" {
		req.Housekeeping = cpuList("housekeeping", housekeeping)
	}
	req.Priority = intIn("priority", 1, 99)
	req.IntervalUs = intIn("intervalUs", 50, 1_000_000)
	req.DurationS = intIn("durationS", 1, 86_400)
	req.HistogramSize = intIn("histogramSize", 1, 100_000)
	if v, present := schedule["load"]; present {
		s, ok := v.(string)
		if !ok {
			bad("load", "expected string")
		} else if n := utf16Len(s); n < 1 || n > 256 {
			bad("load", "must be 1..256 characters")
		}
		req.Load = s
	}
	if len(problems) > 0 {
		return Request{}, fmt.Errorf("latency schedule refused: %s", strings.Join(problems, "; "))
	}
	return req, nil
}

// BuildArgs is the cyclictest argument vector (pure, so tests see exactly what runs).
func BuildArgs(req Request, jsonFile string) []string {
	args := []string{
		"-q",
		"-p", num(req.Priority),
		"-i", num(req.IntervalUs),
		"-D", num(req.DurationS) + "s",
		"-h", num(req.HistogramSize),
		"-t", strconv.Itoa(len(ExpandCpuList(req.Cpus))),
		"-a", req.Cpus,
	}
	if req.Housekeeping != "" {
		args = append(args, "--mainaffinity="+req.Housekeeping)
	}
	if req.LockMemory {
		args = append(args, "-m")
	}
	if req.Nsecs {
		args = append(args, "-N")
	}
	if jsonFile != "" {
		args = append(args, "--json="+jsonFile)
	}
	return args
}

// RunMeta is what the runner knows about a run beyond cyclictest's output.
type RunMeta struct {
	RunKey      string
	StartedAt   time.Time
	DurationS   float64
	Load        string
	Priority    *float64
	IntervalUs  *float64
	Cmdline     *string
	ToolVersion *string
}

// isoTime is Date.prototype.toISOString.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// ToLatencyRun turns a parsed output into the contract's latency run, checked like latencyRunSchema.parse.
func ToLatencyRun(r *Result, meta RunMeta, now time.Time) (map[string]any, error) {
	toolVersion := r.ToolVersion
	if toolVersion == nil {
		toolVersion = meta.ToolVersion
	}
	cmdline := r.Cmdline
	if cmdline == nil {
		cmdline = meta.Cmdline
	}
	run := map[string]any{
		"runKey":        meta.RunKey,
		"startedAt":     isoTime(meta.StartedAt),
		"durationS":     meta.DurationS,
		"toolVersion":   optString(toolVersion),
		"cmdline":       optString(cmdline),
		"priority":      optNumber(meta.Priority),
		"intervalUs":    optNumber(meta.IntervalUs),
		"load":          meta.Load,
		"unit":          r.Unit,
		"histogramSize": r.HistogramSize,
		"threads":       ThreadsTree(r.Threads),
	}
	if problems := CheckRun(run, now); len(problems) > 0 {
		return nil, fmt.Errorf("latency run does not fit the contract: %s", strings.Join(problems, "; "))
	}
	return run, nil
}

// RunError is a cyclictest that could not run or failed; Stderr is what it printed.
type RunError struct {
	Message string
	Stderr  string
}

func (e *RunError) Error() string { return e.Message }

// Run runs one scheduled measurement (see the package comment).
func Run(ctx context.Context, schedule map[string]any, housekeeping string, runKey string) (map[string]any, error) {
	req, err := RequestFromSchedule(schedule, housekeeping)
	if err != nil {
		return nil, err
	}
	out, err := RunCyclictest(ctx, req, runKey, time.Now)
	if err != nil {
		return nil, err
	}
	return out.Run, nil
}

// RunOutput is a run with both raw outputs (kept for truth checks).
type RunOutput struct {
	Run  map[string]any
	Text string
	JSON *string
	Args []string
}

// RunCyclictest runs cyclictest for real; now is the clock (tests inject one).
func RunCyclictest(ctx context.Context, req Request, runKey string, now func() time.Time) (*RunOutput, error) {
	dir, err := os.MkdirTemp("", "nfvdeck-cyclictest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	jsonFile := filepath.Join(dir, "run.json")
	args := BuildArgs(req, jsonFile)
	startedAt := now()
	stdout, err := execCyclictest(ctx, req.Binary, args, time.Duration(req.DurationS+60)*time.Second)
	if err != nil {
		return nil, err
	}
	elapsedS := float64(now().Sub(startedAt).Milliseconds()) / 1000
	var jsonText *string
	if b, err := os.ReadFile(jsonFile); err == nil {
		s := jsonx.DecodeUTF8(b)
		jsonText = &s
	}
	cpus := ExpandCpuList(req.Cpus)
	cmdline := strings.Join(append([]string{filepath.Base(req.Binary)}, args...), " ")
	var parsed *Result
	if jsonText != nil {
		parsed, err = ParseJSON(*jsonText, ParseOptions{Cpus: cpus})
	} else {
		unit := "us"
		if req.Nsecs {
			unit = "ns"
		}
		size := req.HistogramSize
		parsed, err = ParseText(stdout, ParseOptions{Cpus: cpus, Cmdline: &cmdline, HistogramSize: &size, Unit: unit})
	}
	if err != nil {
		return nil, err
	}
	priority, interval := req.Priority, req.IntervalUs
	run, err := ToLatencyRun(parsed, RunMeta{
		RunKey:     runKey,
		StartedAt:  startedAt,
		DurationS:  math.Min(elapsedS, req.DurationS+60),
		Load:       req.Load,
		Priority:   &priority,
		IntervalUs: &interval,
		Cmdline:    &cmdline,
	}, now())
	if err != nil {
		return nil, err
	}
	return &RunOutput{Run: run, Text: stdout, JSON: jsonText, Args: args}, nil
}

// maxOutput is execFile's maxBuffer in latency.ts.
const maxOutput = 64 << 20

type limitedBuffer struct {
	b        []byte
	overflow bool
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if len(l.b)+len(p) > maxOutput {
		l.overflow = true
		return 0, errors.New("output exceeds 64 MiB")
	}
	l.b = append(l.b, p...)
	return len(p), nil
}

// execCyclictest runs the binary; on timeout or cancellation it is interrupted with SIGINT (and
// killed 5 s later if it still runs).
func execCyclictest(ctx context.Context, binary string, args []string, timeout time.Duration) (string, error) {
	cmd := exec.Command(binary, args...)
	var stdout, stderr limitedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return "", &RunError{Message: fmt.Sprintf("%s failed: %s", binary, firstLine(err.Error()))}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var why string
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		why = fmt.Sprintf("timed out after %s", timeout)
	case <-ctx.Done():
		why = ctx.Err().Error()
	}
	if why != "" {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		return "", &RunError{Message: fmt.Sprintf("%s failed: %s", binary, why), Stderr: jsonx.DecodeUTF8(stderr.b)}
	}
	if stdout.overflow || stderr.overflow {
		return "", &RunError{Message: fmt.Sprintf("%s failed: output exceeds 64 MiB", binary), Stderr: jsonx.DecodeUTF8(stderr.b)}
	}
	if err != nil {
		return "", &RunError{Message: fmt.Sprintf("%s failed: %s", binary, firstLine(err.Error())), Stderr: jsonx.DecodeUTF8(stderr.b)}
	}
	return jsonx.DecodeUTF8(stdout.b), nil
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }
