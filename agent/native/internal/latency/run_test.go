package latency

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"nfvdeck/agent/internal/collectors/values"
)

func requireCyclictest(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("cyclictest"); err != nil {
		t.Fatalf("cyclictest not found (%v): as root run `apt-get install rt-tests` (npm test provisions it)", err)
	}
}

// measuredAndHousekeeping pins like the TS agent: measurement on the last online CPU, cyclictest's main
// thread on the others ("" on a one-CPU box: unpinned).
func measuredAndHousekeeping(t *testing.T) (string, string) {
	t.Helper()
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		t.Fatal(err)
	}
	online, err := values.ParseCPUList(string(b))
	if err != nil || len(online) == 0 {
		t.Fatalf("online CPUs %q: %v", b, err)
	}
	last := online[len(online)-1]
	return strconv.Itoa(last), HousekeepingCpus(online, []int{last})
}

func bucketsOf(h map[string]any) []int {
	var out []int
	for k := range h {
		b, _ := strconv.Atoi(k)
		out = append(out, b)
	}
	sort.Ints(out)
	return out
}

func TestRunRealCyclictest(t *testing.T) {
	requireCyclictest(t)
	cpu, housekeeping := measuredAndHousekeeping(t)
	schedule := map[string]any{"cpus": cpu, "durationS": 1.0, "intervalUs": 500.0, "priority": 80.0, "histogramSize": 400.0, "everyMinutes": 5.0, "load": "idle"}
	req, err := RequestFromSchedule(schedule, housekeeping)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	watching := make(chan struct{})
	seen := make(chan map[string]string, 1)
	go watchChildAffinity(watching, seen)
	out, err := RunCyclictest(context.Background(), req, "go-test-run", time.Now)
	close(watching)
	affinity := <-seen
	if err != nil {
		var re *RunError
		if errors.As(err, &re) {
			t.Fatalf("%v; stderr: %s", err, re.Stderr)
		}
		t.Fatal(err)
	}
	run := out.Run
	t.Logf("cyclictest affinity seen: %v", affinity)
	// pinned like the TS agent: the measurement thread on the measured CPU, the main thread on housekeeping
	if affinity["main"] != housekeeping && housekeeping != "" {
		t.Errorf("cyclictest's main thread allowed on %q, want housekeeping %q (seen %v)", affinity["main"], housekeeping, affinity)
	}
	if affinity["measuring"] != cpu {
		t.Errorf("no cyclictest thread pinned to %s (seen %v)", cpu, affinity)
	}
	if out.JSON == nil {
		t.Fatal("cyclictest wrote no --json file")
	}
	if problems := CheckRun(run, time.Now()); len(problems) > 0 {
		t.Fatalf("run fails the contract: %v", problems)
	}
	cmdline, _ := run["cmdline"].(string)
	if !strings.HasPrefix(cmdline, "cyclictest -q -p 80 -i 500 -D 1s -h 400 -t 1 -a "+cpu+" ") || (housekeeping != "" && !strings.Contains(cmdline, "--mainaffinity="+housekeeping)) {
		t.Errorf("cmdline %q", cmdline)
	}
	if v, _ := run["toolVersion"].(string); len(v) < 3 || !strings.Contains(v, ".") {
		t.Errorf("toolVersion %q", run["toolVersion"])
	}
	if run["runKey"] != "go-test-run" || run["unit"] != "us" || run["histogramSize"] != 400.0 || run["load"] != "idle" || run["priority"] != 80.0 || run["intervalUs"] != 500.0 {
		t.Errorf("run header %v", run)
	}
	if d, _ := run["durationS"].(float64); d < 1 || d > time.Since(before).Seconds()+0.01 {
		t.Errorf("durationS %v", run["durationS"])
	}
	started, err := time.Parse(time.RFC3339Nano, run["startedAt"].(string))
	if err != nil || started.Before(before.Add(-time.Millisecond)) || started.After(time.Now()) {
		t.Errorf("startedAt %v (%v)", run["startedAt"], err)
	}
	threads := run["threads"].([]any)
	if len(threads) != 1 {
		t.Fatalf("%d threads", len(threads))
	}
	th := threads[0].(map[string]any)
	wantCpu, _ := strconv.Atoi(cpu)
	if th["cpu"] != float64(wantCpu) || th["thread"] != 0.0 {
		t.Errorf("thread %v on cpu %v, want thread 0 on %d", th["thread"], th["cpu"], wantCpu)
	}
	hist := th["histogram"].(map[string]any)
	cycles, overflows := th["cycles"].(float64), th["overflows"].(float64)
	sum := 0.0
	for _, c := range hist {
		sum += c.(float64)
	}
	if sum+overflows != cycles || cycles < 1 {
		t.Errorf("Σ buckets %v + overflows %v ≠ cycles %v", sum, overflows, cycles)
	}
	buckets := bucketsOf(hist)
	minV, maxV, avg := th["min"].(float64), th["max"].(float64), th["avg"].(float64)
	if len(buckets) > 0 {
		lo, hi := float64(buckets[0]), float64(buckets[len(buckets)-1])
		if maxV < hi || minV > lo {
			t.Errorf("min %v max %v outside buckets %v..%v", minV, maxV, lo, hi)
		}
		if overflows == 0 && (maxV != hi || minV != lo) {
			t.Errorf("no overflow, yet min %v max %v ≠ buckets %v..%v", minV, maxV, lo, hi)
		}
	}
	if overflows > 0 && maxV < 400 {
		t.Errorf("%v overflows but max %v < 400", overflows, maxV)
	}
	if avg < minV || avg > maxV {
		t.Errorf("avg %v outside %v..%v", avg, minV, maxV)
	}

	// the printed text of the same run agrees with its JSON (the runner's fallback source); the text's
	// average is an integer and the JSON's may be rounded the other way (37 vs 38 seen in CI)
	text, err := ParseText(out.Text, ParseOptions{Cpus: ExpandCpuList(cpu)})
	if err != nil {
		t.Fatalf("text output: %v\n%s", err, out.Text)
	}
	tt := ThreadsTree(text.Threads)[0].(map[string]any)
	if !reflect.DeepEqual(tt["histogram"], hist) || tt["cycles"] != cycles || tt["overflows"] != overflows || tt["min"] != minV || tt["max"] != maxV || math.Abs(tt["avg"].(float64)-avg) > 1 {
		t.Errorf("text %v ≠ json %v", tt, th)
	}
}

func TestRunRefusesBadSchedulesAndReportsFailures(t *testing.T) {
	good := map[string]any{"cpus": "0", "durationS": 1.0, "intervalUs": 1000.0, "priority": 80.0, "histogramSize": 100.0}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for name, s := range map[string]map[string]any{
		"shell in cpus": with("cpus", "1;rm -rf /"), "priority 100": with("priority", 100.0), "fractional interval": with("intervalUs", 1000.5),
		"no duration": with("durationS", nil), "empty load": with("load", ""), "histogram as text": with("histogramSize", "100"),
	} {
		if _, err := Run(context.Background(), s, "", "k"); err == nil || !strings.Contains(err.Error(), "latency schedule refused") {
			t.Errorf("%s: err %v", name, err)
		}
	}
	if _, err := Run(context.Background(), good, "0;x", "k"); err == nil {
		t.Error("a bad housekeeping list must be refused")
	}
	req, err := RequestFromSchedule(good, "")
	if err != nil {
		t.Fatal(err)
	}
	req.Binary = "/nonexistent/cyclictest"
	var re *RunError
	if _, err := RunCyclictest(context.Background(), req, "k", time.Now); !errors.As(err, &re) || !strings.HasPrefix(err.Error(), "/nonexistent/cyclictest failed: ") {
		t.Errorf("missing binary: %v", err)
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	requireCyclictest(t)
	cpu, housekeeping := measuredAndHousekeeping(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err := Run(ctx, map[string]any{"cpus": cpu, "durationS": 60.0, "intervalUs": 1000.0, "priority": 80.0, "histogramSize": 100.0}, housekeeping, "k")
	var re *RunError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("cancelled run: %v", err)
	}
	if took := time.Since(began); took > 20*time.Second {
		t.Errorf("a cancelled 60 s run took %v to stop", took)
	}
}

func TestPinInPlaceKeepsEveryThreadOnTheTarget(t *testing.T) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	allowed, ok := ParseCpusAllowedList(string(status))
	if !ok || len(allowed) == 0 {
		t.Fatalf("no Cpus_allowed_list in /proc/self/status")
	}
	// pinning to the CPUs already allowed changes nothing for the other tests, but runs taskset for real
	if err := PinInPlace(context.Background(), allowed); err != nil {
		t.Fatalf("PinInPlace(%v): %v", allowed, err)
	}
	threads := ReadThreadAffinity(0)
	if len(threads) < 2 || len(ThreadsOffTarget(threads, allowed)) != 0 {
		t.Errorf("threads %+v not all on %v", threads, allowed)
	}
}

// watchChildAffinity polls for this process's cyclictest child until done closes, then sends the last
// Cpus_allowed_list seen of its main thread ("main") and of another thread ("measuring").
func watchChildAffinity(done <-chan struct{}, seen chan<- map[string]string) {
	last := map[string]string{}
	me := strconv.Itoa(os.Getpid())
	for {
		select {
		case <-done:
			seen <- last
			return
		case <-time.After(20 * time.Millisecond):
		}
		procs, _ := os.ReadDir("/proc")
		for _, p := range procs {
			comm, err := os.ReadFile("/proc/" + p.Name() + "/comm")
			if err != nil || strings.TrimSpace(string(comm)) != "cyclictest" {
				continue
			}
			status, _ := os.ReadFile("/proc/" + p.Name() + "/status")
			if !strings.Contains(string(status), "\nPPid:\t"+me+"\n") {
				continue
			}
			pid, _ := strconv.Atoi(p.Name())
			for _, th := range ReadThreadAffinity(pid) {
				if th.Tid == pid {
					last["main"] = FormatCpuList(th.Allowed)
				} else if len(th.Allowed) > 0 {
					last["measuring"] = FormatCpuList(th.Allowed)
				}
			}
		}
	}
}
