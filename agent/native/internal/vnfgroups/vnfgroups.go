// Package vnfgroups keeps the agent's resctrl monitoring groups, one per VNF running on this host
// (agent/resctrl-groups/{vnf-groups,collector,lock}.ts), and is the `resctrl` collector `run` uses:
// first the groups are brought up to date, then the tree is read, so the section lists the groups and
// the QoS samples of the same heartbeat carry their counters.
//
// VNF ↔ VM: a VNF's QEMU process runs with `-name guest=<VNF name>`, so the vms section's name is the
// VNF name. Groups are `nfvdeck-<vnf>` under mon_groups/, or inside the VNF's CAT control group
// `nfvdeck-<vnf>` when it exists (threads are moved into the control group first). Only directories with
// our prefix are ever removed; at start every `nfvdeck-*` monitoring group is removed (a crash may have
// leaked them, and they hold scarce RMIDs). mkdir failing with ENOSPC: no free RMID, "no-rmid".
package vnfgroups

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"nfvdeck/agent/internal/collectors/resctrl"
	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/collectors/vms"
	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
	"nfvdeck/agent/internal/report"
)

// GroupPrefix names the agent's own groups.
const GroupPrefix = "nfvdeck-"

const root = "sys/fs/resctrl"

var (
	notGroups = map[string]bool{"info": true, "mon_groups": true, "mon_data": true}
	// safeName: resctrl group names are directory names; keep to what every tool can print
	safeName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,120}$`)
	digits   = regexp.MustCompile(`^\d+$`)
)

// Ops are the directory operations the kernel turns into RMID/CLOSID allocation (injectable for tests).
type Ops interface {
	Mkdir(rel string) error
	RemoveGroup(rel string) error
	WriteTask(rel string, tid int) error
}

// Lock runs work while holding the resctrl lock.
type Lock func(work func() error) error

// NoLock is for trees nobody else changes (tests on fixture copies).
func NoLock(work func() error) error { return work() }

// nodeError words a failed system call as node's fs errors do ("ENOSPC: no space left on device, mkdir '/x'").
type nodeError struct {
	errno syscall.Errno
	msg   string
}

func (e *nodeError) Error() string { return e.msg }
func (e *nodeError) Unwrap() error { return e.errno }

var errnoNames = map[syscall.Errno]string{
	syscall.EACCES: "EACCES", syscall.EPERM: "EPERM", syscall.ENOSPC: "ENOSPC", syscall.ESRCH: "ESRCH", syscall.EEXIST: "EEXIST",
	syscall.ENOENT: "ENOENT", syscall.EINVAL: "EINVAL", syscall.EBUSY: "EBUSY", syscall.ENOTDIR: "ENOTDIR", syscall.EIO: "EIO",
	syscall.EROFS: "EROFS", syscall.ENOTEMPTY: "ENOTEMPTY",
}

// libuv's texts where they differ from the C library's
var uvText = map[syscall.Errno]string{syscall.EBUSY: "resource busy or locked", syscall.EEXIST: "file already exists"}

func wrap(err error, call, path string) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err
	}
	name, ok := errnoNames[errno]
	if !ok {
		name = "E" + strconv.Itoa(int(errno))
	}
	text, ok := uvText[errno]
	if !ok {
		text = errno.Error()
	}
	msg := fmt.Sprintf("%s: %s, %s", name, text, call)
	if path != "" {
		msg += " '" + path + "'"
	}
	return &nodeError{errno: errno, msg: msg}
}

type kernelOps struct{ fs *hostfs.FS }

// KernelOps is the real kernel interface, relative to the FS root.
func KernelOps(fs *hostfs.FS) Ops { return kernelOps{fs} }

func (k kernelOps) Mkdir(rel string) error {
	p, err := k.fs.Resolve(rel)
	if err != nil {
		return err
	}
	return wrap(syscall.Mkdir(p, 0o777), "mkdir", p)
}

func (k kernelOps) RemoveGroup(rel string) error {
	p, err := k.fs.Resolve(rel)
	if err != nil {
		return err
	}
	return wrap(syscall.Rmdir(p), "rmdir", p)
}

func (k kernelOps) WriteTask(rel string, tid int) error {
	p, err := k.fs.Resolve(rel)
	if err != nil {
		return err
	}
	// O_APPEND: resctrl ignores the offset; on a plain file (a fixture copy) it adds a line
	fd, err := syscall.Open(p, syscall.O_WRONLY|syscall.O_APPEND|syscall.O_CREAT|syscall.O_CLOEXEC, 0o666)
	if err != nil {
		return wrap(err, "open", p)
	}
	defer syscall.Close(fd)
	if _, err := syscall.Write(fd, []byte(strconv.Itoa(tid)+"\n")); err != nil {
		return wrap(err, "write", "")
	}
	return nil
}

// FlockResctrl holds flock(2) LOCK_EX on the resctrl mount point while work runs, as the kernel's
// resctrl documentation asks cooperating tools to (the TS agent runs flock(1) for it; Go can call
// flock directly). Waits up to wait for the lock.
func FlockResctrl(absRoot string, wait time.Duration) Lock {
	return func(work func() error) error {
		fd, err := syscall.Open(absRoot, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("could not lock %s: %v", absRoot, err)
		}
		defer syscall.Close(fd) // closing releases the lock
		deadline := time.Now().Add(wait)
		for {
			err = syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
			if err == nil {
				break
			}
			if err != syscall.EWOULDBLOCK && err != syscall.EINTR || time.Now().After(deadline) {
				return fmt.Errorf("could not lock %s with flock(2) within %s s (%v)", absRoot, strconv.FormatFloat(wait.Seconds(), 'f', -1, 64), err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		return work()
	}
}

// Target is one VNF to monitor with all its threads (vCPU and emulator) and its QEMU pid.
type Target struct {
	VNF  string
	Tids []int
}

func intOf(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), n == float64(int(n))
	case int:
		return n, true
	case int64:
		return int(n), true
	}
	return 0, false
}

func listOf(v any) []any {
	switch l := v.(type) {
	case []any:
		return l
	case []map[string]any:
		out := make([]any, len(l))
		for i, m := range l {
			out[i] = m
		}
		return out
	}
	return nil
}

// Targets maps named QEMU processes (the vms section's data) to the VNFs to monitor. Pure.
func Targets(vmsSection any) []Target {
	section, _ := vmsSection.(map[string]any)
	byName := map[string]map[int]bool{}
	for _, v := range listOf(section["vms"]) {
		vm, _ := v.(map[string]any)
		name, ok := vm["name"].(string)
		if !ok {
			continue
		}
		tids := byName[name]
		if tids == nil {
			tids = map[int]bool{}
			byName[name] = tids
		}
		if pid, ok := intOf(vm["pid"]); ok {
			tids[pid] = true
		}
		for _, key := range []string{"vcpuThreads", "emulatorThreads"} {
			for _, t := range listOf(vm[key]) {
				if th, ok := t.(map[string]any); ok {
					if tid, ok := intOf(th["tid"]); ok {
						tids[tid] = true
					}
				}
			}
		}
	}
	out := make([]Target, 0, len(byName))
	for name, set := range byName {
		t := Target{VNF: name}
		for tid := range set {
			t.Tids = append(t.Tids, tid)
		}
		sort.Ints(t.Tids)
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return LocaleLess(out[i].VNF, out[j].VNF) })
	return out
}

// ownMonGroups lists every `nfvdeck-*` monitoring group now in the tree ("mon_groups/x" or "<ctrl>/mon_groups/x").
func ownMonGroups(fs *hostfs.FS) []string {
	parents := []string{""}
	names, _, _ := fs.ListDir(root)
	for _, name := range names {
		if !notGroups[name] && fs.Exists(root+"/"+name+"/schemata") {
			parents = append(parents, name)
		}
	}
	var out []string
	for _, p := range parents {
		base := "mon_groups"
		if p != "" {
			base = p + "/mon_groups"
		}
		mons, _, _ := fs.ListDir(root + "/" + base)
		for _, m := range mons {
			if strings.HasPrefix(m, GroupPrefix) {
				out = append(out, base+"/"+m)
			}
		}
	}
	return out
}

func tidsOf(text string) map[int]bool {
	out := map[int]bool{}
	for _, l := range strings.Split(text, "\n") {
		if t := values.Trim(l); digits.MatchString(t) {
			n, _ := strconv.Atoi(t)
			out[n] = true
		}
	}
	return out
}

func messageOf(err error) string { return values.SliceText(err.Error(), 200) }

// Sync keeps one monitoring group per VNF.
type Sync struct {
	FS      *hostfs.FS
	Ops     Ops
	Lock    Lock
	started bool
}

func (s *Sync) mounted() bool { return s.FS.Exists(root + "/info") }

// Start removes every monitoring group with our prefix; returns the paths removed.
func (s *Sync) Start() ([]string, error) {
	s.started = true
	if !s.mounted() {
		return nil, nil
	}
	var removed []string
	err := s.Lock(func() error {
		for _, g := range ownMonGroups(s.FS) {
			if s.Ops.RemoveGroup(root+"/"+g) == nil {
				removed = append(removed, g)
			} // else left for the next cycle's garbage collection
		}
		return nil
	})
	return removed, err
}

func group(vnf string, path any, status string, message any, taskCount any) map[string]any {
	return map[string]any{"vnf": vnf, "path": path, "status": status, "message": message, "taskCount": taskCount}
}

// Sync is one cycle: creates missing groups, adds threads that appeared since, removes groups whose VNF
// is gone. The outcome per VNF (ResctrlVnfGroup), sorted by VNF; mounted false when resctrl is not mounted.
func (s *Sync) Sync(vmsSection any) (outcome []map[string]any, mounted bool, err error) {
	if !s.started {
		if _, err := s.Start(); err != nil {
			return nil, false, err
		}
	}
	if !s.mounted() {
		return nil, false, nil
	}
	targets := Targets(vmsSection)
	outcome = []map[string]any{}
	err = s.Lock(func() error {
		type placedTarget struct {
			Target
			ctrl, path string
		}
		var placed []placedTarget
		for _, t := range targets {
			if !safeName.MatchString(t.VNF) {
				outcome = append(outcome, group(values.SliceText(t.VNF, 120), nil, "bad-name", "VM name is not usable as a resctrl group name", nil))
				continue
			}
			name := GroupPrefix + t.VNF
			p := placedTarget{Target: t, path: "mon_groups/" + name}
			if s.FS.Exists(root + "/" + name + "/schemata") {
				p.ctrl, p.path = name, name+"/mon_groups/"+name
			}
			placed = append(placed, p)
		}
		// first free what is no longer wanted: the RMIDs released are available to the groups created below
		wanted := map[string]bool{}
		for _, p := range placed {
			wanted[p.path] = true
		}
		for _, g := range ownMonGroups(s.FS) {
			if !wanted[g] {
				_ = s.Ops.RemoveGroup(root + "/" + g) // retried next cycle
			}
		}
		for _, p := range placed {
			dir := root + "/" + p.path
			if !s.FS.Exists(dir) {
				if err := s.Ops.Mkdir(dir); err != nil {
					if errors.Is(err, syscall.ENOSPC) {
						outcome = append(outcome, group(p.VNF, nil, "no-rmid", "no free RMID (mkdir: ENOSPC): too many monitoring groups on this host", nil))
					} else {
						outcome = append(outcome, group(p.VNF, nil, "error", "mkdir /"+dir+": "+messageOf(err), nil))
					}
					continue
				}
			}
			var failed any
			// into the class of service first: a MON group only takes tasks of its parent CTRL_MON group
			files := []string{dir + "/tasks"}
			if p.ctrl != "" {
				files = []string{root + "/" + p.ctrl + "/tasks", dir + "/tasks"}
			}
			for _, file := range files {
				text, _ := s.FS.ReadTextOptional(file)
				present := tidsOf(text)
				for _, tid := range p.Tids {
					if present[tid] {
						continue
					}
					// ESRCH: the thread exited since the vms section was read — it needs no group
					if err := s.Ops.WriteTask(file, tid); err != nil && !errors.Is(err, syscall.ESRCH) {
						failed = fmt.Sprintf("write %d to /%s: %s", tid, file, messageOf(err))
					}
				}
			}
			status := "monitored"
			if failed != nil {
				status = "error"
			}
			text, ok := s.FS.ReadTextOptional(dir + "/tasks")
			outcome = append(outcome, group(p.VNF, p.path, status, failed, resctrl.CountTasks(text, ok)))
		}
		sort.SliceStable(outcome, func(i, j int) bool { return LocaleLess(outcome[i]["vnf"].(string), outcome[j]["vnf"].(string)) })
		return nil
	})
	if err != nil {
		return nil, true, err
	}
	return outcome, true, nil
}

// Collector is resctrlWithVnfGroups: the `resctrl` collector that first syncs the groups; a failed sync
// (lock not taken, tree unreadable) becomes a warning, never the section's failure.
func Collector(s *Sync) report.Collector {
	return report.Collector{Name: "resctrl", Read: func(fs *hostfs.FS) (any, error) {
		var groups []map[string]any
		problem := ""
		vmsSection, err := vms.Read(fs)
		if err == nil {
			groups, _, err = s.Sync(vmsSection)
		}
		if err != nil {
			problem = values.SliceText("per-VNF monitoring groups: "+err.Error(), 500)
		}
		section, err := resctrl.Read(fs)
		if err != nil || section == nil {
			return section, err
		}
		m, ok := section.(map[string]any)
		if !ok {
			return section, nil
		}
		if groups == nil {
			groups = []map[string]any{}
		}
		m["vnfGroups"] = groups
		if problem != "" {
			var warnings []string
			switch w := m["warnings"].(type) {
			case []string:
				warnings = w
			case []any:
				for _, x := range w {
					if s, ok := x.(string); ok {
						warnings = append(warnings, s)
					}
				}
			}
			if len(warnings) > 50 {
				warnings = warnings[:50]
			}
			m["warnings"] = append(append([]string{}, warnings...), problem)
		}
		return m, nil
	}}
}

// CollectorsWithVnfGroups is report.SectionCollectors with resctrl replaced by the group-keeping one.
func CollectorsWithVnfGroups(fs *hostfs.FS) []report.Collector {
	abs, _ := fs.Resolve(root)
	s := &Sync{FS: fs, Ops: KernelOps(fs), Lock: FlockResctrl(abs, 10*time.Second)}
	out := make([]report.Collector, 0, len(report.SectionCollectors))
	for _, c := range report.SectionCollectors {
		if c.Name == "resctrl" {
			c = Collector(s)
		}
		out = append(out, c)
	}
	return out
}

// primary is the ICU root collation's first-level weight of the characters a group name may hold:
// punctuation (_ - .) before digits before letters, letters without case. Others sort after, by code point.
func primary(r rune) int {
	switch {
	case r == '_':
		return 1
	case r == '-':
		return 2
	case r == '.':
		return 3
	case r >= '0' && r <= '9':
		return 10 + int(r-'0')
	case r >= 'a' && r <= 'z':
		return 100 + int(r-'a')*2
	case r >= 'A' && r <= 'Z':
		return 100 + int(r-'A')*2
	}
	return 1000 + int(r)
}

// LocaleLess is a.localeCompare(b) < 0 for names in the group-name alphabet: the first level
// (letters case-blind), then lower case before upper case, then code points.
func LocaleLess(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if pa, pb := primary(ra[i]), primary(rb[i]); pa != pb {
			return pa < pb
		}
	}
	if len(ra) != len(rb) {
		return len(ra) < len(rb)
	}
	for i := range ra {
		la, lb := ra[i] >= 'a' && ra[i] <= 'z', rb[i] >= 'a' && rb[i] <= 'z'
		if la != lb {
			return la
		}
	}
	return jsonx.LessUTF16(a, b)
}
