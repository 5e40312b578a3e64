package latency

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"nfvdeck/agent/internal/collectors/values"
)

var cpusAllowedLine = jsRegexp(`(?m)^Cpus_allowed_list:\s*(\S*)\s*$`)

// ParseCpusAllowedList reads "Cpus_allowed_list:\t0-3" from /proc/<pid>/status; ok false when absent or garbage.
func ParseCpusAllowedList(statusText string) ([]int, bool) {
	m := cpusAllowedLine.FindStringSubmatch(statusText)
	if m == nil {
		return nil, false
	}
	cpus, err := values.ParseCPUList(m[1])
	return cpus, err == nil
}

// PinDecision is agent/pin.ts decidePinning's answer: Action "none", "pin" (to Cpus) or "impossible".
type PinDecision struct {
	Action string
	Cpus   []int
	Reason string
}

// DecidePinning says whether the agent must move off isolated CPUs, and where: allowed − isolated
// (staying inside a cpuset the service manager gave it), else online − isolated, else nowhere.
func DecidePinning(allowed, online, isolated []int) PinDecision {
	touching := values.IntersectCPUs(allowed, isolated)
	if len(touching) == 0 {
		iso := FormatCpuList(isolated)
		if iso == "" {
			iso = "(none)"
		}
		return PinDecision{Action: "none", Reason: fmt.Sprintf("allowed CPUs %s avoid the isolated set %s", FormatCpuList(allowed), iso)}
	}
	cpus := values.SubtractCPUs(allowed, isolated)
	if len(cpus) == 0 {
		cpus = values.SubtractCPUs(online, isolated)
	}
	if len(cpus) == 0 {
		return PinDecision{Action: "impossible", Reason: fmt.Sprintf("every CPU is isolated (%s): no housekeeping CPU to run on", FormatCpuList(isolated))}
	}
	return PinDecision{Action: "pin", Cpus: cpus, Reason: fmt.Sprintf("allowed CPUs %s include isolated %s", FormatCpuList(allowed), FormatCpuList(touching))}
}

// HousekeepingCpus is online − isolated as a cpu list, "" when every CPU is isolated (Run's
// housekeeping argument: "" leaves cyclictest's main thread unpinned).
func HousekeepingCpus(online, isolated []int) string {
	return FormatCpuList(values.SubtractCPUs(online, isolated))
}

// ThreadAffinity is one thread's allowed CPUs.
type ThreadAffinity struct {
	Tid     int
	Allowed []int
}

var digitsName = regexp.MustCompile(`^\d+$`)

// ReadThreadAffinity lists the allowed CPUs of every thread of process pid (0: this process).
func ReadThreadAffinity(pid int) []ThreadAffinity {
	dir := "/proc/self/task"
	if pid != 0 {
		dir = fmt.Sprintf("/proc/%d/task", pid)
	}
	entries, _ := os.ReadDir(dir)
	var out []ThreadAffinity
	for _, e := range entries {
		if !digitsName.MatchString(e.Name()) {
			continue
		}
		// a thread may exit between the listing and the read
		b, err := os.ReadFile(dir + "/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		tid, _ := strconv.Atoi(e.Name())
		allowed, _ := ParseCpusAllowedList(string(b))
		out = append(out, ThreadAffinity{Tid: tid, Allowed: allowed})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tid < out[j].Tid })
	return out
}

// ThreadsOffTarget lists the threads whose allowed CPUs are not exactly cpus.
func ThreadsOffTarget(threads []ThreadAffinity, cpus []int) []int {
	want := FormatCpuList(cpus)
	off := []int{}
	for _, t := range threads {
		if FormatCpuList(t.Allowed) != want {
			off = append(off, t.Tid)
		}
	}
	return off
}

// PinInPlace moves every thread of this process to cpus with `taskset -a -p -c` (util-linux), checks
// /proc/self/task and tries once more (a thread born during taskset's walk keeps the old mask). Threads
// the Go runtime starts later inherit the mask of the thread that creates them. nil on success.
func PinInPlace(ctx context.Context, cpus []int) error {
	target := FormatCpuList(cpus)
	var why error
	for attempt := 0; attempt < 2; attempt++ {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		out, err := exec.CommandContext(c, "taskset", "-a", "-p", "-c", target, strconv.Itoa(os.Getpid())).CombinedOutput()
		cancel()
		off := ThreadsOffTarget(ReadThreadAffinity(0), cpus)
		if len(off) == 0 {
			return nil
		}
		if err != nil {
			msg := strings.TrimSpace(string(out))
			if msg == "" {
				msg = err.Error()
			}
			if len(msg) > 200 {
				msg = msg[:200]
			}
			why = fmt.Errorf("taskset: %s", msg)
		} else {
			ids := make([]string, len(off))
			for i, t := range off {
				ids[i] = strconv.Itoa(t)
			}
			why = fmt.Errorf("thread(s) %s not on %s", strings.Join(ids, ","), target)
		}
	}
	return why
}
