// Package vms collects the "vms" section (the Go port of agent/collectors/vms.ts): every running QEMU
// system emulator found in /proc, with what its command line says (name, uuid, accelerator, vCPU count,
// monitor sockets) and each thread's real affinity.
package vms

import (
	"bytes"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
)

// Task is one thread of a QEMU process; HasComm/HasStatus are false when the file could not be read
// (the thread exited between listing and reading).
type Task struct {
	TID       float64
	Comm      string
	HasComm   bool
	Status    string
	HasStatus bool
}

// Process is what Read gathers for one QEMU process: the raw texts, parsed by Parse.
type Process struct {
	PID float64
	// Cmdline is /proc/PID/cmdline: NUL-separated argv
	Cmdline string
	Tasks   []Task
}

const maxText = 1024

var (
	qemuBinary = regexp.MustCompile(`^(?:qemu-system-[A-Za-z0-9_]+|qemu-kvm)$`)
	vcpuThread = regexp.MustCompile(`^CPU (\d+)/[A-Za-z]+$`)
	// single-threaded TCG runs every vCPU in one thread
	allVcpusThread = regexp.MustCompile(`^ALL CPUs/[A-Za-z]+$`)
	// libvirt's per-domain directory, e.g. /var/lib/libvirt/qemu/domain-3-vnf-a (from master-key.aes and
	// friends): /(\/[^,"\s]*\/domain-\d+-[^/,"\s]+)\// with JS's \s spelled out (RE2's \s is ASCII only and
	// lacks \v). RE2's leftmost-first submatches are the backtracking ones.
	libvirtDomainDir = regexp.MustCompile(`(/[^,"` + jsSpaceClass + `]*/domain-\d+-[^/,"` + jsSpaceClass + `]+)/`)
)

// jsSpaceClass: JavaScript's \s inside a character class.
const jsSpaceClass = `\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`

// ArgvOf splits a cmdline at NULs, dropping the empty piece after the final NUL.
func ArgvOf(cmdline string) []string {
	parts := strings.Split(cmdline, "\x00")
	if len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

func basename(p string) string {
	return p[strings.LastIndexByte(p, '/')+1:]
}

// IsQemuArgv: argv[0] is a QEMU system emulator.
func IsQemuArgv(argv []string) bool {
	return len(argv) > 0 && qemuBinary.MatchString(basename(argv[0]))
}

// KV is one item of QEMU's keyval syntax; Key is "" for an item without "=".
type KV struct{ Key, Value string }

// ParseKeyval parses QEMU's keyval syntax: "a,b=1,c=x,,y" → ("", a), (b, 1), (c, "x,y") (",," is a
// literal comma; an item without "=" has the empty key: the option's implied key, or a bare flag).
func ParseKeyval(text string) []KV {
	var items []string
	var current strings.Builder
	for i := 0; i < len(text); i++ {
		ch := text[i]
		if ch == ',' {
			if i+1 < len(text) && text[i+1] == ',' {
				current.WriteByte(',')
				i++
				continue
			}
			items = append(items, current.String())
			current.Reset()
			continue
		}
		current.WriteByte(ch)
	}
	items = append(items, current.String())
	out := make([]KV, len(items))
	for i, item := range items {
		if eq := strings.IndexByte(item, '='); eq >= 0 {
			out[i] = KV{item[:eq], item[eq+1:]}
		} else {
			out[i] = KV{"", item}
		}
	}
	return out
}

// get is the first value with the key.
func get(items []KV, key string) (string, bool) {
	for _, kv := range items {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// optionValues: values by option name ("-name" and "--name" are the same option), in order.
func optionValues(argv []string) map[string][]string {
	out := map[string][]string{}
	for i := 1; i < len(argv); i++ {
		arg := argv[i]
		if !strings.HasPrefix(arg, "-") {
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
		// flags without a value (-enable-kvm, -nodefaults …) are recorded with "" and do not consume the next arg
		if i+1 >= len(argv) || strings.HasPrefix(argv[i+1], "-") {
			out[name] = append(out[name], "")
			continue
		}
		out[name] = append(out[name], argv[i+1])
		i++
	}
	return out
}

// last is options.get(name)?.at(-1).
func last(options map[string][]string, name string) (string, bool) {
	v := options[name]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

// chardevSpec: "unix:/p,server=on,wait=off" / "tcp:h:p,server" / "stdio" → transport and address.
func chardevSpec(spec string) (transport, address string, ok bool) {
	first := ParseKeyval(spec)[0].Value
	switch {
	case strings.HasPrefix(first, "unix:"):
		return "unix", first[5:], true
	case strings.HasPrefix(first, "tcp:"):
		return "tcp", first[4:], true
	case strings.HasPrefix(first, "telnet:"):
		return "tcp", first[7:], true
	}
	return "", "", false
}

func monitor(protocol, transport, address, source string) map[string]any {
	return map[string]any{"protocol": protocol, "transport": transport, "address": address, "source": source}
}

func monitorsOf(argv []string, options map[string][]string) []any {
	out := []any{}
	for _, opt := range []string{"qmp", "qmp-pretty"} {
		for _, spec := range options[opt] {
			if transport, address, ok := chardevSpec(spec); ok {
				out = append(out, monitor("qmp", transport, values.SliceText(address, 4096), "qmp-option"))
			}
		}
	}
	for _, spec := range options["monitor"] {
		if transport, address, ok := chardevSpec(spec); ok {
			out = append(out, monitor("hmp", transport, values.SliceText(address, 4096), "monitor-option"))
		}
	}
	// -chardev socket,id=charmonitor,path=…|fd=N … with -mon chardev=charmonitor,mode=control
	chardevs := map[string][]KV{}
	for _, spec := range options["chardev"] {
		kv := ParseKeyval(spec)
		if id, ok := get(kv, "id"); ok && kv[0].Key == "" && kv[0].Value == "socket" {
			chardevs[id] = kv
		}
	}
	domainDir, hasDomainDir := "", false
	for _, a := range argv {
		if m := libvirtDomainDir.FindStringSubmatch(a); m != nil {
			domainDir, hasDomainDir = m[1], true
			break
		}
	}
	for _, spec := range options["mon"] {
		kv := ParseKeyval(spec)
		name, _ := get(kv, "chardev")
		dev, ok := chardevs[name]
		if !ok {
			continue
		}
		protocol := "hmp"
		if mode, _ := get(kv, "mode"); mode == "control" {
			protocol = "qmp"
		}
		path, hasPath := get(dev, "path")
		host, _ := get(dev, "host")
		port, hasPort := get(dev, "port")
		fd, hasFd := get(dev, "fd")
		switch {
		case hasPath:
			out = append(out, monitor(protocol, "unix", values.SliceText(path, 4096), "chardev"))
		case hasPort:
			out = append(out, monitor(protocol, "tcp", values.SliceText(host+":"+port, 4096), "chardev"))
		case hasFd && hasDomainDir && protocol == "qmp":
			out = append(out, monitor(protocol, "unix", values.SliceText(domainDir+"/monitor.sock", 4096), "libvirt-domain-dir"))
		case hasFd:
			out = append(out, monitor(protocol, "fd", values.SliceText(fd, 64), "chardev"))
		}
	}
	return out
}

// implied is kv.find(([k]) => k === "")?.[1].
func implied(kv []KV) (string, bool) { return get(kv, "") }

func nameOf(options map[string][]string) (string, bool) {
	spec, ok := last(options, "name")
	if !ok || spec == "" {
		return "", false
	}
	kv := ParseKeyval(spec)
	name, ok := get(kv, "guest")
	if !ok {
		name, ok = implied(kv)
	}
	if !ok || name == "" {
		return "", false
	}
	return values.SliceText(name, maxText), true
}

func accelOf(options map[string][]string) any {
	if accel, ok := last(options, "accel"); ok && accel != "" {
		kv := ParseKeyval(accel)
		a, ok := get(kv, "accel")
		if !ok {
			a = kv[0].Value
		}
		// (… ?? "").slice(0, MAX) || null: a cut that leaves "" is null too
		if a = values.SliceText(a, maxText); a != "" {
			return a
		}
		return nil
	}
	for _, opt := range []string{"machine", "M"} {
		if spec, ok := last(options, opt); ok {
			if a, ok := get(ParseKeyval(spec), "accel"); ok && a != "" {
				return values.SliceText(a, maxText)
			}
		}
	}
	if _, ok := options["enable-kvm"]; ok {
		return "kvm"
	}
	return nil
}

// numberText is String(n): values.NumberText is JSON's text, "null" for the Infinity a 400-digit
// /proc entry name gives; JavaScript's template literals write "Infinity".
func numberText(n float64) string {
	if math.IsInf(n, 1) {
		return "Infinity"
	}
	return values.NumberText(n)
}

func smpOf(options map[string][]string) any {
	spec, ok := last(options, "smp")
	if !ok || spec == "" {
		return nil
	}
	kv := ParseKeyval(spec)
	text, ok := get(kv, "cpus")
	if !ok {
		text, ok = implied(kv)
	}
	if !ok || !values.IsDigits(text) {
		return nil
	}
	if n := values.DigitsNumber(text); n >= 1 && n <= 65535 {
		return n
	}
	return nil
}

// ParseCpusAllowed finds "Cpus_allowed_list:\t0-3,8" in a /proc/…/status text and parses the list;
// ok=false when there is none or it is not a cpu list.
func ParseCpusAllowed(status string) ([]int, bool) {
	capture, ok := cpusAllowedText(status)
	if !ok {
		return nil, false
	}
	return values.TryParseCPUList(capture)
}

func isLineTerminator(r rune) bool {
	return r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029
}

const cpusAllowedKey = "Cpus_allowed_list:"

// cpusAllowedText is /^Cpus_allowed_list:\s*(\S*)\s*$/m.exec(status)?.[1], by hand: JS's ^ and $ also
// work at \r, U+2028 and U+2029 and its \s* may cross line ends, and the capture is the backtracking
// engine's (RE2's multiline mode knows only \n).
func cpusAllowedText(status string) (string, bool) {
	if c, ok := cpusAllowedAt(status, 0); ok {
		return c, true
	}
	for i, r := range status {
		if isLineTerminator(r) {
			if c, ok := cpusAllowedAt(status, i+len(string(r))); ok {
				return c, true
			}
		}
	}
	return "", false
}

// runFrom: the end of the run of characters from p for which in is true.
func runFrom(s string, p int, in func(rune) bool) int {
	for p < len(s) {
		r, size := utf8.DecodeRuneInString(s[p:])
		if !in(r) {
			break
		}
		p += size
	}
	return p
}

// lastTerminator: the byte offset of the last line terminator in s[from:to], or -1.
func lastTerminator(s string, from, to int) int {
	at := -1
	for i, r := range s[from:to] {
		if isLineTerminator(r) {
			at = from + i
		}
	}
	return at
}

// cpusAllowedAt tries the regex at one line start p. With A, B, C the greedy runs of \s*, \S*, \s*:
// the text ends after C → capture B; else $ must hold inside C (a terminator there) → capture B;
// else only a shorter first \s* can reach a $ (a terminator inside A) → capture "".
func cpusAllowedAt(s string, p int) (string, bool) {
	if !strings.HasPrefix(s[p:], cpusAllowedKey) {
		return "", false
	}
	q := p + len(cpusAllowedKey)
	a := runFrom(s, q, values.IsJSSpace)
	b := runFrom(s, a, func(r rune) bool { return !values.IsJSSpace(r) })
	c := runFrom(s, b, values.IsJSSpace)
	if c == len(s) || lastTerminator(s, b, c) >= 0 {
		return s[a:b], true
	}
	if lastTerminator(s, q, a) >= 0 {
		return "", true
	}
	return "", false
}

type thread struct {
	tid         float64
	comm        string
	vcpu        any
	cpusAllowed any
}

func (t thread) value() map[string]any {
	return map[string]any{"tid": t.tid, "comm": t.comm, "vcpu": t.vcpu, "cpusAllowed": t.cpusAllowed}
}

// Parse builds the vms section from the raw texts of every QEMU process found (pure).
func Parse(processes []Process) map[string]any {
	warnings := values.NewWarnings()
	sorted := append([]Process(nil), processes...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].PID < sorted[j].PID })
	vms := []any{}
	for _, p := range sorted {
		argv := ArgvOf(p.Cmdline)
		if !IsQemuArgv(argv) {
			continue
		}
		options := optionValues(argv)
		vcpuThreads := []any{}
		emulatorThreads := []any{}
		emulatorCPUs := map[int]bool{}
		named := false
		tasks := append([]Task(nil), p.Tasks...)
		sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].TID < tasks[j].TID })
		for _, t := range tasks {
			if !t.HasComm {
				continue // exited between listing and reading
			}
			th := thread{tid: t.TID, comm: values.SliceText(values.Trim(t.Comm), 64)}
			var cpus []int
			if t.HasStatus {
				if list, ok := ParseCpusAllowed(t.Status); ok {
					cpus = list
					th.cpusAllowed = list
				}
			}
			if m := vcpuThread.FindStringSubmatch(th.comm); m != nil {
				named = true
				n := values.DigitsNumber(m[1])
				if n > 65535 {
					n = 65535
				}
				th.vcpu = n
				vcpuThreads = append(vcpuThreads, th.value())
			} else if allVcpusThread.MatchString(th.comm) {
				named = true
				vcpuThreads = append(vcpuThreads, th.value())
			} else {
				emulatorThreads = append(emulatorThreads, th.value())
				for _, c := range cpus {
					emulatorCPUs[c] = true
				}
			}
		}
		name, hasName := nameOf(options)
		if !named && len(emulatorThreads) > 0 {
			who := ""
			if hasName {
				who = " (" + name + ")"
			}
			warnings.Add("pid " + numberText(p.PID) + who + ": threads are unnamed (QEMU without -name …,debug-threads=on): vCPU threads cannot be told from emulator threads")
		}
		var nameValue, uuid any
		if hasName {
			nameValue = name
		}
		if u, ok := last(options, "uuid"); ok {
			if u = values.SliceText(u, 64); u != "" {
				uuid = u
			}
		}
		monitors := monitorsOf(argv, options)
		if len(monitors) > 64 {
			monitors = monitors[:64]
		}
		vms = append(vms, map[string]any{
			"pid":             p.PID,
			"binary":          values.SliceText(basename(argv[0]), maxText),
			"name":            nameValue,
			"uuid":            uuid,
			"accel":           accelOf(options),
			"smpCpus":         smpOf(options),
			"monitors":        monitors,
			"threadsNamed":    named,
			"vcpuThreads":     vcpuThreads,
			"emulatorThreads": emulatorThreads,
			"emulatorCpus":    sortedSet(emulatorCPUs),
		})
	}
	if len(vms) > 1024 {
		vms = vms[:1024]
	}
	return map[string]any{"vms": vms, "warnings": warnings.Items}
}

func sortedSet(set map[int]bool) []int {
	out := make([]int, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Ints(out)
	return out
}

// pidEntries: the numeric entries of a listing, as numbers, ascending (duplicates such as "7" and
// "07" kept, as the TS agent keeps them).
func pidEntries(names []string) []float64 {
	out := []float64{}
	for _, n := range names {
		if values.IsDigits(n) {
			out = append(out, values.DigitsNumber(n))
		}
	}
	sort.Float64s(out)
	return out
}

// isQemuCmdline is IsQemuArgv(ArgvOf(decoded cmdline)) on the raw bytes, so the text of every other
// process is never decoded: NUL and "/" are ASCII, which UTF-8 decoding keeps in place, and the
// binary-name pattern is ASCII-only, which no U+FFFD or other decoded character can match.
func isQemuCmdline(cmdline []byte) bool {
	argv0 := cmdline
	if i := bytes.IndexByte(argv0, 0); i >= 0 {
		argv0 = argv0[:i]
	}
	return qemuBinary.Match(argv0[bytes.LastIndexByte(argv0, '/')+1:])
}

// ReadRaw returns every QEMU process under proc/ with its cmdline and, per thread, comm and status;
// nil when there is no proc/ at all.
func ReadRaw(fs *hostfs.FS) ([]Process, bool, error) {
	entries, ok, err := fs.ListDir("proc")
	if err != nil || !ok {
		return nil, false, err
	}
	out := []Process{}
	for _, pid := range pidEntries(entries) {
		dir := "proc/" + numberText(pid)
		// A process can exit at any moment: every read is optional.
		raw, ok, err := fs.ReadBytes(dir + "/cmdline")
		if err != nil || !ok || !isQemuCmdline(raw) {
			continue
		}
		cmdline := jsonx.DecodeUTF8(raw)
		tids, _, _ := fs.ListDir(dir + "/task") // gone (or unreadable): no threads, the process is still listed
		tasks := []Task{}
		for _, tid := range pidEntries(tids) {
			task := dir + "/task/" + numberText(tid)
			comm, hasComm := fs.ReadTextOptional(task + "/comm")
			status, hasStatus := fs.ReadTextOptional(task + "/status")
			tasks = append(tasks, Task{TID: tid, Comm: comm, HasComm: hasComm, Status: status, HasStatus: hasStatus})
		}
		out = append(out, Process{PID: pid, Cmdline: cmdline, Tasks: tasks})
	}
	return out, true, nil
}

// Read returns the vms section, or nil when there is no proc/ (an empty tree); no VMs when no QEMU runs.
func Read(fs *hostfs.FS) (any, error) {
	processes, ok, err := ReadRaw(fs)
	if err != nil || !ok {
		return nil, err
	}
	return Parse(processes), nil
}
