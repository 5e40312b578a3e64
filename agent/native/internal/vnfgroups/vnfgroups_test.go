package vnfgroups

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"nfvdeck/agent/internal/hostfs"
)

func vmsOf(vms ...map[string]any) map[string]any {
	list := []any{}
	for _, v := range vms {
		list = append(list, v)
	}
	return map[string]any{"vms": list, "warnings": []string{}}
}

func vm(name any, pid float64, tids ...float64) map[string]any {
	threads := []any{}
	for _, t := range tids {
		threads = append(threads, map[string]any{"tid": t})
	}
	return map[string]any{"name": name, "pid": pid, "vcpuThreads": threads, "emulatorThreads": []any{}}
}

func TestTargetsAndLocaleOrder(t *testing.T) {
	got := Targets(vmsOf(vm("vnf-b", 10, 12, 11), vm(nil, 5), vm("Vnf-a", 20, 21), vm("vnf-b", 30)))
	want := []Target{{"Vnf-a", []int{20, 21}}, {"vnf-b", []int{10, 11, 12, 30}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%v", got)
	}
	// ICU root order, as "x".localeCompare("y") sorts them
	names := []string{"b", "B", "a", "_x", "-x", ".x", "10", "9", "aa", "A", "a-b", "a_b", "a.b", "ab", "aB", "Ab"}
	sort.Slice(names, func(i, j int) bool { return LocaleLess(names[i], names[j]) })
	if strings.Join(names, " ") != "_x -x .x 10 9 a A a_b a-b a.b aa ab aB Ab b B" {
		t.Fatalf("%v", names)
	}
}

func tree(t *testing.T) (*hostfs.FS, string) {
	dir := t.TempDir()
	r := filepath.Join(dir, "sys/fs/resctrl")
	for _, d := range []string{"info", "mon_groups/nfvdeck-leaked", "mon_groups/other-tool", "nfvdeck-vnf-c/mon_groups"} {
		os.MkdirAll(filepath.Join(r, d), 0o755)
	}
	os.WriteFile(filepath.Join(r, "nfvdeck-vnf-c/schemata"), []byte("L3:0=f\n"), 0o644)
	os.WriteFile(filepath.Join(r, "nfvdeck-vnf-c/tasks"), []byte("40\n"), 0o644)
	fs, err := hostfs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return fs, r
}

func TestSyncCreatesMovesAndRemovesOnlyOwnGroups(t *testing.T) {
	fs, r := tree(t)
	s := &Sync{FS: fs, Ops: KernelOps(fs), Lock: FlockResctrl(r, time.Second)}
	out, mounted, err := s.Sync(vmsOf(vm("vnf-a", 10, 11), vm("vnf-c", 40, 41), vm("bad name", 50)))
	if err != nil || !mounted {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"vnf": "bad name", "path": nil, "status": "bad-name", "message": "VM name is not usable as a resctrl group name", "taskCount": nil},
		{"vnf": "vnf-a", "path": "mon_groups/nfvdeck-vnf-a", "status": "monitored", "message": nil, "taskCount": 2.0},
		{"vnf": "vnf-c", "path": "nfvdeck-vnf-c/mon_groups/nfvdeck-vnf-c", "status": "monitored", "message": nil, "taskCount": 2.0},
	}
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("%v", out)
	}
	if _, err := os.Stat(filepath.Join(r, "mon_groups/nfvdeck-leaked")); !os.IsNotExist(err) {
		t.Fatal("a leaked own group was kept")
	}
	if _, err := os.Stat(filepath.Join(r, "mon_groups/other-tool")); err != nil {
		t.Fatal("another tool's group was removed")
	}
	if b, _ := os.ReadFile(filepath.Join(r, "nfvdeck-vnf-c/tasks")); string(b) != "40\n41\n" {
		t.Fatalf("control group tasks %q (the present tid must not be written again)", b)
	}
	// vnf-a gone: its group goes; a second cycle writes nothing new
	os.Remove(filepath.Join(r, "mon_groups/nfvdeck-vnf-a/tasks"))
	out, _, _ = s.Sync(vmsOf(vm("vnf-c", 40, 41)))
	if len(out) != 1 || out[0]["vnf"] != "vnf-c" {
		t.Fatalf("%v", out)
	}
	if _, err := os.Stat(filepath.Join(r, "mon_groups/nfvdeck-vnf-a")); !os.IsNotExist(err) {
		t.Fatal("the group of a gone VNF was kept")
	}
	if b, _ := os.ReadFile(filepath.Join(r, "nfvdeck-vnf-c/tasks")); string(b) != "40\n41\n" {
		t.Fatalf("rewritten %q", b)
	}
}

type noRMID struct{ Ops }

func (n noRMID) Mkdir(rel string) error { return wrap(syscall.ENOSPC, "mkdir", rel) }

func TestNoFreeRMIDAndNotMounted(t *testing.T) {
	fs, _ := tree(t)
	s := &Sync{FS: fs, Ops: noRMID{KernelOps(fs)}, Lock: NoLock}
	out, _, _ := s.Sync(vmsOf(vm("vnf-a", 10)))
	if len(out) != 1 || out[0]["status"] != "no-rmid" {
		t.Fatalf("%v", out)
	}
	empty, _ := hostfs.New(t.TempDir())
	if out, mounted, err := (&Sync{FS: empty, Ops: KernelOps(empty), Lock: NoLock}).Sync(vmsOf(vm("vnf-a", 10))); out != nil || mounted || err != nil {
		t.Fatalf("%v %v %v", out, mounted, err)
	}
}

func TestFlockWaitsAndGivesUp(t *testing.T) {
	dir := t.TempDir()
	fd, _ := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	defer syscall.Close(fd)
	if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	ran := false
	err := FlockResctrl(dir, 100*time.Millisecond)(func() error { ran = true; return nil })
	if err == nil || ran || !strings.Contains(err.Error(), "could not lock") {
		t.Fatalf("%v %v", err, ran)
	}
	syscall.Flock(fd, syscall.LOCK_UN)
	if err := FlockResctrl(dir, time.Second)(func() error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("%v", err)
	}
}
