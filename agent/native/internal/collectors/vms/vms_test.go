package vms

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
)

func status(list string) string {
	return "Name:\tqemu-system-x86\nState:\tS (sleeping)\nCpus_allowed:\tff\nCpus_allowed_list:\t" + list + "\nMems_allowed_list:\t0\n"
}

func argv(args ...string) string { return strings.Join(args, "\x00") + "\x00" }

func task(tid float64, comm, st string) Task {
	return Task{TID: tid, Comm: comm, HasComm: true, Status: st, HasStatus: true}
}

// libvirtVM is what libvirt 9 starts for a pinned domain (monitor as an inherited fd, debug-threads on).
var libvirtVM = Process{
	PID: 4242,
	Cmdline: argv(
		"/usr/bin/qemu-system-x86_64",
		"-name", "guest=vnf-a,debug-threads=on",
		"-S",
		"-object", `{"qom-type":"secret","id":"masterKey0","format":"raw","file":"/var/lib/libvirt/qemu/domain-3-vnf-a/master-key.aes"}`,
		"-machine", "pc-q35-7.2,usb=off,dump-guest-core=off,memory-backend=pc.ram",
		"-accel", "kvm",
		"-smp", "4,sockets=1,dies=1,cores=2,threads=2",
		"-uuid", "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
		"-chardev", "socket,id=charmonitor,fd=31,server=on,wait=off",
		"-mon", "chardev=charmonitor,id=monitor,mode=control",
	),
	Tasks: []Task{
		task(4242, "qemu-system-x86\n", status("0-1")),
		task(4250, "CPU 0/KVM\n", status("12")),
		task(4251, "CPU 1/KVM\n", status("40")),
		task(4244, "call_rcu\n", status("0-1")),
		task(4252, "CPU 2/KVM\n", status("13")),
		task(4253, "CPU 3/KVM\n", status("41")),
		{TID: 4260}, // exited between listing and reading
	},
}

func TestParseKeyval(t *testing.T) {
	cases := []struct {
		text string
		want []KV
	}{
		{"guest=t1,debug-threads=on", []KV{{"guest", "t1"}, {"debug-threads", "on"}}},
		{"t1", []KV{{"", "t1"}}},
		{"unix:/tmp/a,,b.sock,server,nowait", []KV{{"", "unix:/tmp/a,b.sock"}, {"", "server"}, {"", "nowait"}}},
		{"", []KV{{"", ""}}},
		{"a=b=c,,d,", []KV{{"a", "b=c,d"}, {"", ""}}},
	}
	for _, c := range cases {
		if got := ParseKeyval(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.text, got, c.want)
		}
	}
}

// Expected captures are what /^Cpus_allowed_list:\s*(\S*)\s*$/m gives under Node.
func TestCpusAllowedText(t *testing.T) {
	cases := []struct {
		status string
		want   string
		ok     bool
	}{
		{status("0-3,8"), "0-3,8", true},
		{"Cpus_allowed_list:\t0-3", "0-3", true},
		{"Cpus_allowed_list:", "", true},
		{"Cpus_allowed_list:\n0-3\n", "0-3", true},  // \s* crosses the line end
		{"Cpus_allowed_list:\t0-3 x\n", "", false},  // a second word: no match on that line
		{"Cpus_allowed_list:\n0-3 x\n", "", true},   // ... unless $ can hold before it
		{"x\rCpus_allowed_list:\t5\r\n", "5", true}, // ^ and $ at \r
		{"Cpus_allowed_list:\t1 2\nCpus_allowed_list:\t7\n", "7", true},
		{"Cpus_allowed_list:\t9\u2028more", "9", true},   // $ before U+2028
		{"Name: x\n Cpus_allowed_list:\t9\n", "", false}, // not at a line start
		{"garbage", "", false},
	}
	for _, c := range cases {
		got, ok := cpusAllowedText(c.status)
		if got != c.want || ok != c.ok {
			t.Errorf("%q: got %q %v, want %q %v", c.status, got, ok, c.want, c.ok)
		}
	}
	if cpus, ok := ParseCpusAllowed(status("(null)")); ok || cpus != nil {
		t.Errorf("(null): got %v %v", cpus, ok)
	}
}

func vmAt(t *testing.T, s map[string]any, i int) map[string]any {
	t.Helper()
	vms := s["vms"].([]any)
	if i >= len(vms) {
		t.Fatalf("vms: %d, want more than %d", len(vms), i)
	}
	return vms[i].(map[string]any)
}

func expect(t *testing.T, what string, got map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s %s: got %#v, want %#v", what, k, got[k], w)
		}
	}
}

func threads(v any) [][]any {
	var out [][]any
	for _, x := range v.([]any) {
		th := x.(map[string]any)
		out = append(out, []any{th["vcpu"], th["tid"], th["comm"], th["cpusAllowed"]})
	}
	return out
}

func TestParseLibvirtDomain(t *testing.T) {
	s := Parse([]Process{libvirtVM})
	if w := s["warnings"].([]string); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
	if n := len(s["vms"].([]any)); n != 1 {
		t.Fatalf("vms: %d", n)
	}
	vm := vmAt(t, s, 0)
	expect(t, "vm", vm, map[string]any{
		"pid": 4242.0, "binary": "qemu-system-x86_64", "name": "vnf-a", "uuid": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
		"accel": "kvm", "smpCpus": 4.0, "threadsNamed": true, "emulatorCpus": []int{0, 1},
		"monitors": []any{monitor("qmp", "unix", "/var/lib/libvirt/qemu/domain-3-vnf-a/monitor.sock", "libvirt-domain-dir")},
	})
	wantVcpus := [][]any{{0.0, 4250.0, "CPU 0/KVM", []int{12}}, {1.0, 4251.0, "CPU 1/KVM", []int{40}}, {2.0, 4252.0, "CPU 2/KVM", []int{13}}, {3.0, 4253.0, "CPU 3/KVM", []int{41}}}
	if got := threads(vm["vcpuThreads"]); !reflect.DeepEqual(got, wantVcpus) {
		t.Errorf("vcpuThreads: %v", got)
	}
	wantEmulator := [][]any{{nil, 4242.0, "qemu-system-x86", []int{0, 1}}, {nil, 4244.0, "call_rcu", []int{0, 1}}}
	if got := threads(vm["emulatorThreads"]); !reflect.DeepEqual(got, wantEmulator) {
		t.Errorf("emulatorThreads: %v", got)
	}
}

func TestParseOptions(t *testing.T) {
	s := Parse([]Process{
		{PID: 11, Cmdline: argv("/usr/libexec/qemu-kvm", "-enable-kvm", "-smp", "cpus=8")},
		{PID: 10, Cmdline: argv("qemu-system-x86_64", "-name", "plain", "-machine", "pc,accel=tcg",
			"-qmp", "unix:/run/q,,1.sock,server=on,wait=off", "-monitor", "tcp:127.0.0.1:4444,server,nowait",
			"-chardev", "socket,id=m2,path=/run/m2.sock,server=on,wait=off", "-mon", "chardev=m2,mode=control",
			"-chardev", "socket,id=h,host=127.0.0.1,port=5555,server=on", "-mon", "chardev=h",
			"-chardev", "socket,id=f,fd=7", "-mon", "chardev=f",
			"-chardev", "file,id=nf,path=/x", "-mon", "chardev=nf"),
			Tasks: []Task{task(10, "qemu-system-x86", status("0-3"))}},
	})
	first := vmAt(t, s, 0)
	expect(t, "pid 10", first, map[string]any{"pid": 10.0, "name": "plain", "accel": "tcg", "smpCpus": nil, "threadsNamed": false, "vcpuThreads": []any{}, "emulatorCpus": []int{0, 1, 2, 3}})
	wantMonitors := []any{
		monitor("qmp", "unix", "/run/q,1.sock", "qmp-option"),
		monitor("hmp", "tcp", "127.0.0.1:4444", "monitor-option"),
		monitor("qmp", "unix", "/run/m2.sock", "chardev"),
		monitor("hmp", "tcp", "127.0.0.1:5555", "chardev"),
		monitor("hmp", "fd", "7", "chardev"), // no libvirt domain directory on this command line
	}
	if !reflect.DeepEqual(first["monitors"], wantMonitors) {
		t.Errorf("monitors: %v", first["monitors"])
	}
	expect(t, "pid 11", vmAt(t, s, 1), map[string]any{"binary": "qemu-kvm", "name": nil, "accel": "kvm", "smpCpus": 8.0, "monitors": []any{}})
	// unnamed threads are said out loud: the CPUs tab cannot compare vCPU pins for that VM
	want := []string{"pid 10 (plain): threads are unnamed (QEMU without -name …,debug-threads=on): vCPU threads cannot be told from emulator threads"}
	if w := s["warnings"].([]string); !reflect.DeepEqual(w, want) {
		t.Errorf("warnings: %q", w)
	}
}

func TestParseAccelAndSmp(t *testing.T) {
	cases := []struct {
		args  []string
		accel any
		smp   any
	}{
		{[]string{"-accel", "accel=hvf,thread=single"}, "hvf", nil},
		{[]string{"-accel", "kvm", "-accel", "tcg"}, "tcg", nil},
		{[]string{"-accel", "", "-M", "q35,accel=xen", "-smp", "65535"}, "xen", 65535.0},
		{[]string{"-machine", "q35", "-smp", "65536"}, nil, nil},
		{[]string{"--enable-kvm", "-smp", "0"}, "kvm", nil},
		{[]string{"-smp", "2", "-smp", "sockets=1"}, nil, nil}, // the last -smp counts
		{[]string{"-smp", "00000000000000000000003"}, nil, 3.0},
	}
	for _, c := range cases {
		s := Parse([]Process{{PID: 1, Cmdline: argv(append([]string{"qemu-system-x86_64"}, c.args...)...)}})
		expect(t, strings.Join(c.args, " "), vmAt(t, s, 0), map[string]any{"accel": c.accel, "smpCpus": c.smp})
	}
}

func TestParseIgnoresOthers(t *testing.T) {
	s := Parse([]Process{
		{PID: 1, Cmdline: argv("/sbin/init")},
		{PID: 2, Cmdline: ""},
		{PID: 3, Cmdline: argv("qemu-img", "info", "x")},
		{PID: 4, Cmdline: argv("qemu-system-aarch64", "-name", "", "-smp", "zero"), Tasks: []Task{task(4, "ALL CPUs/TCG", "garbage")}},
		{PID: 5, Cmdline: argv("qemu-system-x86_64.bak")},
	})
	if n := len(s["vms"].([]any)); n != 1 {
		t.Fatalf("vms: %d, want 1", n)
	}
	vm := vmAt(t, s, 0)
	expect(t, "pid 4", vm, map[string]any{"pid": 4.0, "name": nil, "smpCpus": nil, "threadsNamed": true,
		"vcpuThreads": []any{map[string]any{"tid": 4.0, "comm": "ALL CPUs/TCG", "vcpu": nil, "cpusAllowed": nil}}})
}

func TestIsQemuCmdline(t *testing.T) {
	for _, c := range []string{
		"", "\x00", "qemu-kvm", "qemu-kvm\x00-S\x00", "\x00qemu-kvm\x00", "/usr/bin/qemu-system-x86_64\x00", "/usr/bin/\xffqemu-system-x86_64\x00",
		"/x\xe2/qemu-kvm\x00", "/x/qemu-kvm\xe2\x00", "qemu-system-\x00", "qemu-system-é\x00", "/qemu-kvm/\x00", "qemu-img\x00info\x00",
	} {
		want := IsQemuArgv(ArgvOf(jsonx.DecodeUTF8([]byte(c))))
		if got := isQemuCmdline([]byte(c)); got != want {
			t.Errorf("%q: got %v, want %v (the decoded text's answer)", c, got, want)
		}
	}
}

func put(t *testing.T, root, rel, text string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readTree(t *testing.T, root string) any {
	t.Helper()
	fs, err := hostfs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Read(fs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReadTree(t *testing.T) {
	root := t.TempDir()
	put(t, root, "proc/1/cmdline", argv("/sbin/init"))
	put(t, root, "proc/4242/cmdline", libvirtVM.Cmdline)
	for _, tk := range libvirtVM.Tasks {
		if tk.HasComm {
			dir := "proc/4242/task/" + strconv.Itoa(int(tk.TID))
			put(t, root, dir+"/comm", tk.Comm)
			put(t, root, dir+"/status", tk.Status)
		}
	}
	// listed, then gone: its task directory exists without comm or status
	if err := os.MkdirAll(filepath.Join(root, "proc/4242/task/4260"), 0o755); err != nil {
		t.Fatal(err)
	}
	put(t, root, "proc/self", "not a pid")
	// a QEMU whose task directory vanished: still listed, without threads
	put(t, root, "proc/5000/cmdline", argv("qemu-system-x86_64", "-name", "gone"))
	got := readTree(t, root)
	want := Parse([]Process{libvirtVM, {PID: 5000, Cmdline: argv("qemu-system-x86_64", "-name", "gone"), Tasks: []Task{}}})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read:\n%v\nwant\n%v", got, want)
	}
	if s := readTree(t, t.TempDir()); s != nil {
		t.Errorf("no proc/: got %v, want nil", s)
	}
}

// startQemu starts a real QEMU (TCG, no disk) pinned with taskset; returns once its QMP socket exists.
func startQemu(t *testing.T, socket string, args ...string) *exec.Cmd {
	t.Helper()
	full := append([]string{"-c", "0", "qemu-system-x86_64", "-machine", "pc,accel=tcg", "-m", "64", "-nodefaults", "-no-user-config",
		"-display", "none", "-smp", "2", "-qmp", "unix:" + socket + ",server=on,wait=off"}, args...)
	cmd := exec.Command("taskset", full...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := os.Stat(socket); err == nil {
			return cmd
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("qemu exited before its socket appeared: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("qemu did not start within 15 s")
		}
	}
}

func findVM(t *testing.T, pid int) (map[string]any, map[string]any) {
	t.Helper()
	s := readTree(t, "/").(map[string]any)
	for _, x := range s["vms"].([]any) {
		if vm := x.(map[string]any); vm["pid"] == float64(pid) {
			return vm, s
		}
	}
	return nil, s
}

func TestRealQemu(t *testing.T) {
	dir := t.TempDir()
	t.Run("named threads: name, QMP socket, two TCG vCPU threads and their real affinity", func(t *testing.T) {
		socket := filepath.Join(dir, "t1.qmp")
		cmd := startQemu(t, socket, "-name", "guest=t1,debug-threads=on") // taskset execs: QEMU keeps its pid
		var vm map[string]any
		for i := 0; i < 100; i++ {
			if vm, _ = findVM(t, cmd.Process.Pid); vm != nil && len(vm["vcpuThreads"].([]any)) == 2 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if vm == nil {
			t.Fatal("qemu not found in /proc")
		}
		expect(t, "t1", vm, map[string]any{"binary": "qemu-system-x86_64", "name": "t1", "accel": "tcg", "smpCpus": 2.0, "threadsNamed": true,
			"monitors": []any{monitor("qmp", "unix", socket, "qmp-option")}, "emulatorCpus": []int{0}})
		wantVcpus := [][]any{{0.0, "CPU 0/TCG", []int{0}}, {1.0, "CPU 1/TCG", []int{0}}}
		var gotVcpus [][]any
		for _, th := range threads(vm["vcpuThreads"]) {
			gotVcpus = append(gotVcpus, []any{th[0], th[2], th[3]})
		}
		if !reflect.DeepEqual(gotVcpus, wantVcpus) {
			t.Errorf("vcpuThreads: %v", gotVcpus)
		}
		mainThread := false
		for _, th := range threads(vm["emulatorThreads"]) {
			mainThread = mainThread || th[1] == float64(cmd.Process.Pid)
		}
		if !mainThread {
			t.Errorf("the main thread is not among the emulator threads: %v", vm["emulatorThreads"])
		}
	})
	t.Run("without debug-threads=on: every thread as emulator, and warned about", func(t *testing.T) {
		cmd := startQemu(t, filepath.Join(dir, "t2.qmp"), "-name", "t2")
		vm, s := findVM(t, cmd.Process.Pid)
		if vm == nil {
			t.Fatal("qemu not found in /proc")
		}
		expect(t, "t2", vm, map[string]any{"name": "t2", "threadsNamed": false, "vcpuThreads": []any{}, "emulatorCpus": []int{0}})
		prefix := "pid " + strconv.Itoa(cmd.Process.Pid) + " (t2): threads are unnamed"
		found := false
		for _, w := range s["warnings"].([]string) {
			found = found || strings.HasPrefix(w, prefix)
		}
		if !found {
			t.Errorf("no warning %q in %q", prefix, s["warnings"])
		}
	})
}

// BenchmarkRead: the cost per heartbeat on this host's /proc (every process's cmdline is read).
func BenchmarkRead(b *testing.B) {
	fs, err := hostfs.New("/")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Read(fs); err != nil {
			b.Fatal(err)
		}
	}
}
