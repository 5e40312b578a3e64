// Package kernel collects the "kernel" section (the Go port of agent/collectors/kernel.ts): the command
// line's tuning parameters, CPU isolation, preemption model, clocksource, sysctls, THP and irqbalance.
package kernel

import (
	"bytes"
	"compress/gzip"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
)

// ParseBracketChoice gives the bracketed choice of a sysfs selector: "always [madvise] never" →
// "madvise" (the first match of /\[([^\]]+)\]/, trimmed).
func ParseBracketChoice(t Text) (string, bool) {
	if !t.OK {
		return "", false
	}
	s := t.S
	for i := strings.IndexByte(s, '['); i >= 0; {
		j := strings.IndexByte(s[i+1:], ']')
		if j < 0 {
			return "", false
		}
		if j > 0 {
			return values.Trim(s[i+1 : i+1+j]), true
		}
		next := strings.IndexByte(s[i+1:], '[')
		if next < 0 {
			return "", false
		}
		i += 1 + next
	}
	return "", false
}

func isIdentStart(c byte) bool { return c == '_' || c|0x20 >= 'a' && c|0x20 <= 'z' }
func isIdent(c byte) bool      { return isIdentStart(c) || c >= '0' && c <= '9' }

// isLineTerminator: what JS's "." does not match.
func isLineTerminator(r rune) bool { return r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029 }

// shellAssignment matches /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/ on one line.
func shellAssignment(line string) (name, value string, ok bool) {
	s := strings.TrimLeftFunc(line, values.IsJSSpace)
	if strings.HasPrefix(s, "export") {
		rest := s[len("export"):]
		if after := strings.TrimLeftFunc(rest, values.IsJSSpace); after != rest {
			s = after // "export NAME=": without the export group, "export" would need "=" next
		}
	}
	i := 0
	if i >= len(s) || !isIdentStart(s[i]) {
		return "", "", false
	}
	for i < len(s) && isIdent(s[i]) {
		i++
	}
	if i >= len(s) || s[i] != '=' {
		return "", "", false
	}
	value = s[i+1:]
	if strings.IndexFunc(value, isLineTerminator) >= 0 {
		return "", "", false
	}
	return s[:i], value, true
}

// stripShellComment is value.replace(/\s+#.*$/, ""): cut at the whitespace run before the first "#"
// that follows whitespace.
func stripShellComment(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] != '#' || i == 0 {
			continue
		}
		start := i
		for start > 0 {
			r, size := utf8.DecodeLastRuneInString(v[:start])
			if !values.IsJSSpace(r) {
				break
			}
			start -= size
		}
		if start < i {
			return v[:start]
		}
	}
	return v
}

// Vars is an ordered variable map (later assignments win).
type Vars map[string]string

// ParseShellAssignments reads KEY=VALUE lines of a shell-style config file (etc/default/irqbalance);
// comments and quotes removed.
func ParseShellAssignments(text string) Vars {
	out := Vars{}
	for _, line := range strings.Split(text, "\n") {
		name, raw, ok := shellAssignment(line)
		if !ok {
			continue
		}
		value := values.Trim(raw)
		if q := value; len(q) > 0 && (q[0] == '"' || q[0] == '\'') {
			if end := strings.IndexByte(q[1:], q[0]); end >= 0 {
				out[name] = q[1 : 1+end]
				continue
			}
		}
		out[name] = values.Trim(stripShellComment(value))
	}
	return out
}

// ParseEnviron maps a NUL-separated /proc/<pid>/environ.
func ParseEnviron(text string) Vars {
	out := Vars{}
	for _, entry := range strings.Split(text, "\x00") {
		if eq := strings.IndexByte(entry, '='); eq > 0 {
			out[entry[:eq]] = entry[eq+1:]
		}
	}
	return out
}

// BannedCPUsFromVars is irqbalance's ban from its variables: IRQBALANCE_BANNED_CPULIST (cpu list) wins
// over IRQBALANCE_BANNED_CPUS (hex mask). variable "" = no ban configured.
func BannedCPUsFromVars(vars Vars) (cpus []int, variable string, err error) {
	if list, ok := vars["IRQBALANCE_BANNED_CPULIST"]; ok && values.Trim(list) != "" {
		cpus, err := values.ParseCPUList(list)
		return cpus, "IRQBALANCE_BANNED_CPULIST", err
	}
	if mask, ok := vars["IRQBALANCE_BANNED_CPUS"]; ok && values.Trim(mask) != "" {
		cpus, err := values.ParseCPUMask(mask)
		return cpus, "IRQBALANCE_BANNED_CPUS", err
	}
	return nil, "", nil
}

// hasWord reports /\bword\b/ (ASCII word boundaries).
func hasWord(s, word string) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(word)
		if (i == 0 || !isIdent(s[i-1])) && (end == len(s) || !isIdent(s[end])) {
			return true
		}
		from = i + 1
	}
}

// ParsePreemptModel reads the preemption model from /proc/version: PREEMPT_RT, PREEMPT_DYNAMIC,
// PREEMPT or NONE; nil when the version is unknown.
func ParsePreemptModel(version any) any {
	v, ok := version.(string)
	if !ok {
		return nil
	}
	switch {
	case strings.Contains(v, "PREEMPT_RT") || strings.Contains(v, "PREEMPT RT"):
		return "PREEMPT_RT"
	case strings.Contains(v, "PREEMPT_DYNAMIC"):
		return "PREEMPT_DYNAMIC"
	case hasWord(v, "PREEMPT"):
		return "PREEMPT"
	}
	return "NONE"
}

// ConfigHasNohzFull reports CONFIG_NO_HZ_FULL=y in a kernel .config text (/^CONFIG_NO_HZ_FULL=y\s*$/m).
func ConfigHasNohzFull(config string) bool {
	const want = "CONFIG_NO_HZ_FULL=y"
	for from := 0; ; {
		i := strings.Index(config[from:], want)
		if i < 0 {
			return false
		}
		i += from
		from = i + 1
		if i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(config[:i]); !isLineTerminator(r) {
				continue
			}
		}
		rest := config[i+len(want):]
		if end := strings.IndexFunc(rest, isLineTerminator); end >= 0 {
			rest = rest[:end]
		}
		if strings.TrimFunc(rest, values.IsJSSpace) == "" {
			return true
		}
	}
}

// Config is an irqbalance configuration file and where it was found.
type Config struct {
	Source, Text string
}

// Raw is every file the kernel section reads: the pure input of ParseKernel.
type Raw struct {
	Cmdline, OSRelease, Version, Realtime, SysIsolated, SysNohzFull, Online Text
	// NohzFullConfig is CONFIG_NO_HZ_FULL=y in the kernel .config (/boot/config-<release>, else
	// /proc/config.gz); nil when neither is readable. Read only when cpu/nohz_full is absent.
	NohzFullConfig                                                            *bool
	ClocksourceCurrent, ClocksourceAvailable                                  Text
	SchedRtRuntimeUs, SchedRtPeriodUs, TimerMigration, NumaBalancing, NmiWdog Text
	THPEnabled, THPDefrag                                                     Text
	IrqbalancePids                                                            []int
	IrqbalanceEnviron                                                         Text // environ of the first irqbalance process
	IrqbalanceConfig                                                          *Config
}

func listOrNil(cpus []int, ok bool) any {
	if !ok {
		return nil
	}
	return cpus
}

// ParseKernel builds the kernel section from raw file text (pure).
func ParseKernel(raw Raw) map[string]any {
	w := values.NewWarnings()
	var cmd *Cmdline
	var cmdlineValue any
	if raw.Cmdline.OK {
		c := ParseCmdline(raw.Cmdline.S)
		cmd = &c
		cmdlineValue = c.Section
		for _, p := range []struct {
			name  string
			value *CPUListValue
		}{{"nohz_full", c.NohzFull}, {"rcu_nocbs", c.RcuNocbs}, {"irqaffinity", c.IrqAffin}} {
			if p.value != nil && !p.value.OK {
				w.Add("cmdline " + p.name + "=" + values.SliceText(p.value.Raw, 80) + " is not a cpu list")
			}
		}
		if c.Isolcpus != nil && !c.Isolcpus.ok {
			w.Add("cmdline isolcpus=" + values.SliceText(c.Isolcpus.raw, 80) + " is not a cpu list")
		}
	}
	var sysIsolated, sysNohzFull any
	isolatedSets := [][]int{}
	if raw.SysIsolated.OK {
		cpus, ok := ParseSysCPUList(raw.SysIsolated.S)
		if sysIsolated = listOrNil(cpus, ok); !ok {
			w.Add("cpu/isolated is not a cpu list")
		}
		isolatedSets = append(isolatedSets, cpus)
	}
	if raw.SysNohzFull.OK {
		cpus, ok := ParseSysCPUList(raw.SysNohzFull.S)
		if sysNohzFull = listOrNil(cpus, ok); !ok {
			w.Add("cpu/nohz_full is not a cpu list")
		}
		isolatedSets = append(isolatedSets, cpus)
	}
	online, ok := values.TryParseCPUList(raw.Online.S)
	if !ok {
		online = []int{}
		if raw.Online.OK {
			w.Add("cpu/online is not a cpu list")
		}
	}

	// the same union as ComputeIsolatedCPUs, from the command line already parsed
	if cmd != nil {
		if cmd.Isolcpus != nil {
			isolatedSets = append(isolatedSets, cmd.Isolcpus.cpus)
		}
		for _, p := range []*CPUListValue{cmd.NohzFull, cmd.RcuNocbs} {
			if p != nil && p.OK {
				isolatedSets = append(isolatedSets, p.CPUs)
			}
		}
	}
	isolated := values.UnionCPUs(isolatedSets...)

	var bannedCPUs, bannedSource any
	found := false
	if raw.IrqbalanceEnviron.OK {
		if cpus, variable, ok := safeBan(ParseEnviron(raw.IrqbalanceEnviron.S), "process environ", w); ok {
			pid := "?"
			if len(raw.IrqbalancePids) > 0 {
				pid = strconv.Itoa(raw.IrqbalancePids[0])
			}
			bannedCPUs, bannedSource, found = cpus, "proc/"+pid+"/environ:"+variable, true
		}
	}
	if !found && raw.IrqbalanceConfig != nil {
		if cpus, variable, ok := safeBan(ParseShellAssignments(raw.IrqbalanceConfig.Text), raw.IrqbalanceConfig.Source, w); ok {
			bannedCPUs, bannedSource = cpus, raw.IrqbalanceConfig.Source+":"+variable
		}
	}

	var nohzFullSupported any
	if raw.SysNohzFull.OK {
		nohzFullSupported = true
	} else if raw.NohzFullConfig != nil {
		nohzFullSupported = *raw.NohzFullConfig
	}

	version := values.WordOrNil(raw.Version.S, raw.Version.OK, 1024)
	preemptModel := ParsePreemptModel(version)
	var clocksource any
	if raw.ClocksourceCurrent.OK || raw.ClocksourceAvailable.OK {
		available := values.Fields(raw.ClocksourceAvailable.S)
		if len(available) > 64 {
			available = available[:64]
		}
		for i, s := range available {
			available[i] = values.SliceText(s, 64)
		}
		clocksource = map[string]any{"current": values.WordOrNil(raw.ClocksourceCurrent.S, raw.ClocksourceCurrent.OK, 1024), "available": available}
	}
	var thpEnabled, thpDefrag any
	if choice, ok := ParseBracketChoice(raw.THPEnabled); ok && (choice == "always" || choice == "madvise" || choice == "never") {
		thpEnabled = choice
	}
	if choice, ok := ParseBracketChoice(raw.THPDefrag); ok {
		thpDefrag = choice
	}
	pids := raw.IrqbalancePids
	if pids == nil {
		pids = []int{}
	}
	if len(pids) > 64 {
		pids = pids[:64]
	}
	return map[string]any{
		"release":           values.WordOrNil(raw.OSRelease.S, raw.OSRelease.OK, 1024),
		"version":           version,
		"preemptRt":         raw.Realtime.OK && values.Trim(raw.Realtime.S) == "1" || preemptModel == "PREEMPT_RT",
		"preemptModel":      preemptModel,
		"cmdline":           cmdlineValue,
		"sysIsolated":       sysIsolated,
		"sysNohzFull":       sysNohzFull,
		"nohzFullSupported": nohzFullSupported,
		"clocksource":       clocksource,
		"sysctl": map[string]any{
			"schedRtRuntimeUs": values.IntOrNil(raw.SchedRtRuntimeUs.S, raw.SchedRtRuntimeUs.OK),
			"schedRtPeriodUs":  values.IntOrNil(raw.SchedRtPeriodUs.S, raw.SchedRtPeriodUs.OK),
			"timerMigration":   values.IntOrNil(raw.TimerMigration.S, raw.TimerMigration.OK),
			"numaBalancing":    values.IntOrNil(raw.NumaBalancing.S, raw.NumaBalancing.OK),
			"nmiWatchdog":      values.IntOrNil(raw.NmiWdog.S, raw.NmiWdog.OK),
		},
		"thp": map[string]any{"enabled": thpEnabled, "defrag": thpDefrag},
		"irqbalance": map[string]any{
			"running":      len(raw.IrqbalancePids) > 0,
			"pids":         pids,
			"bannedCpus":   bannedCPUs,
			"bannedSource": bannedSource,
		},
		"onlineCpus":       online,
		"isolatedCpus":     isolated,
		"housekeepingCpus": ComputeHousekeepingCPUs(online, isolated),
		"warnings":         w.Items,
	}
}

// safeBan: a ban that does not parse is a warning, not a failed section.
func safeBan(vars Vars, where string, w *values.Warnings) ([]int, string, bool) {
	cpus, variable, err := BannedCPUsFromVars(vars)
	if err != nil {
		w.Add("irqbalance ban in " + where + ": " + err.Error())
		return nil, "", false
	}
	return cpus, variable, variable != ""
}

var irqbalanceConfigs = []string{"etc/default/irqbalance", "etc/sysconfig/irqbalance"}

// reader is values.Reader: the first real read error is kept, absent files are just absent.
type reader struct{ values.Reader }

// FindProcesses lists the PIDs whose comm is comm (a scan of every /proc/<pid>/comm).
func FindProcesses(fs *hostfs.FS, comm string) ([]int, error) {
	names, _, err := fs.ListDir("proc")
	if err != nil {
		return nil, err
	}
	found := []int{}
	for _, pid := range values.IndexedEntries(names, "") {
		if text, ok := fs.ReadTextOptional("proc/" + strconv.Itoa(pid) + "/comm"); ok && values.Trim(text) == comm {
			found = append(found, pid)
		}
	}
	return found, nil
}

// knownProcesses: the PIDs last found, per root and comm. Scanning every /proc/<pid>/comm costs a read per
// process (thousands on a busy host); while the found process still has that comm, it is the same daemon:
// re-check only it. Nothing found is not cached (a started irqbalance is seen at the next collection).
var (
	knownMu        sync.Mutex
	knownProcesses = map[string][]int{}
)

// FindProcessesCached is FindProcesses, re-checking the PIDs found last time first and scanning only
// when one of them is gone.
func FindProcessesCached(fs *hostfs.FS, comm string) ([]int, error) {
	key := fs.Root + "\x00" + comm
	knownMu.Lock()
	known := knownProcesses[key]
	knownMu.Unlock()
	if len(known) > 0 {
		alive := []int{}
		for _, pid := range known {
			if text, ok := fs.ReadTextOptional("proc/" + strconv.Itoa(pid) + "/comm"); ok && values.Trim(text) == comm {
				alive = append(alive, pid)
			}
		}
		if len(alive) == len(known) {
			return alive, nil
		}
	}
	found, err := FindProcesses(fs, comm)
	if err != nil {
		return nil, err
	}
	knownMu.Lock()
	if len(found) > 0 {
		knownProcesses[key] = found
	} else {
		delete(knownProcesses, key)
	}
	knownMu.Unlock()
	return found, nil
}

// lastConfigGz: the last /proc/config.gz seen and its NO_HZ_FULL verdict. The config changes only with a
// reboot, and gunzipping ~25 KB into ~250 KB of text is the collector's dearest step: compare the
// compressed bytes (cheap) and decompress only when they differ.
var (
	configMu     sync.Mutex
	lastConfigGz *struct {
		root     string
		gz       []byte
		nohzFull *bool
	}
)

func isReleaseName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isIdent(c) || c == '.' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// gunzip decompresses like Node's gunzipSync: members follow one another; after a member, a zero byte
// ends the input (trailing zero padding is ignored), anything else must be another member.
func gunzip(gz []byte) ([]byte, error) {
	var out bytes.Buffer
	br := bytes.NewReader(gz)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, err
	}
	for {
		zr.Multistream(false)
		if _, err := io.Copy(&out, zr); err != nil {
			return nil, err
		}
		next, err := br.ReadByte()
		if err != nil || next == 0 {
			return out.Bytes(), nil
		}
		_ = br.UnreadByte()
		if err := zr.Reset(br); err != nil {
			return nil, err
		}
	}
}

func boolPtr(b bool) *bool { return &b }

// ReadNohzFullConfig reports CONFIG_NO_HZ_FULL=y in the running kernel's .config: /boot/config-<release>,
// else the gzipped /proc/config.gz (CONFIG_IKCONFIG_PROC); nil when neither is readable.
func ReadNohzFullConfig(fs *hostfs.FS, release string) *bool {
	if isReleaseName(release) {
		if boot, ok := fs.ReadTextOptional("boot/config-" + release); ok {
			return boolPtr(ConfigHasNohzFull(boot))
		}
	}
	gz, ok, err := fs.ReadBytes("proc/config.gz")
	if !ok || err != nil {
		return nil
	}
	configMu.Lock()
	defer configMu.Unlock()
	if lastConfigGz != nil && lastConfigGz.root == fs.Root && bytes.Equal(lastConfigGz.gz, gz) {
		return lastConfigGz.nohzFull
	}
	var nohzFull *bool
	if text, err := gunzip(gz); err == nil {
		nohzFull = boolPtr(ConfigHasNohzFull(jsonx.DecodeUTF8(text)))
	}
	lastConfigGz = &struct {
		root     string
		gz       []byte
		nohzFull *bool
	}{fs.Root, gz, nohzFull}
	return nohzFull
}

// ReadRaw reads the kernel section's sources.
func ReadRaw(fs *hostfs.FS) (Raw, error) {
	r := &reader{values.Reader{FS: fs}}
	var raw Raw
	raw.OSRelease = r.Text("proc/sys/kernel/osrelease")
	release := values.Trim(raw.OSRelease.S)
	pids, err := FindProcessesCached(fs, "irqbalance")
	if err != nil {
		if r.Err != nil { // the TS reader would have thrown at osrelease already
			return Raw{}, r.Err
		}
		return Raw{}, err
	}
	raw.IrqbalancePids = pids
	for _, source := range irqbalanceConfigs {
		if t := r.Optional(source); t.OK {
			raw.IrqbalanceConfig = &Config{Source: source, Text: t.S}
			break
		}
	}
	raw.SysNohzFull = r.Text("sys/devices/system/cpu/nohz_full")
	raw.Cmdline = r.Text("proc/cmdline")
	raw.Version = r.Text("proc/version")
	raw.Realtime = r.Text("sys/kernel/realtime")
	raw.SysIsolated = r.Text("sys/devices/system/cpu/isolated")
	raw.Online = r.Text("sys/devices/system/cpu/online")
	if !raw.SysNohzFull.OK {
		raw.NohzFullConfig = ReadNohzFullConfig(fs, release)
	}
	raw.ClocksourceCurrent = r.Text("sys/devices/system/clocksource/clocksource0/current_clocksource")
	raw.ClocksourceAvailable = r.Text("sys/devices/system/clocksource/clocksource0/available_clocksource")
	raw.SchedRtRuntimeUs = r.Text("proc/sys/kernel/sched_rt_runtime_us")
	raw.SchedRtPeriodUs = r.Text("proc/sys/kernel/sched_rt_period_us")
	raw.TimerMigration = r.Text("proc/sys/kernel/timer_migration")
	raw.NumaBalancing = r.Text("proc/sys/kernel/numa_balancing")
	raw.NmiWdog = r.Text("proc/sys/kernel/nmi_watchdog")
	raw.THPEnabled = r.Text("sys/kernel/mm/transparent_hugepage/enabled")
	raw.THPDefrag = r.Text("sys/kernel/mm/transparent_hugepage/defrag")
	if len(pids) > 0 {
		raw.IrqbalanceEnviron = r.Optional("proc/" + strconv.Itoa(pids[0]) + "/environ")
	}
	return raw, r.Err
}

// HasAnySource reports whether the tree has at least one of the kernel section's sources.
func HasAnySource(raw Raw) bool {
	if len(raw.IrqbalancePids) > 0 || raw.IrqbalanceConfig != nil || raw.NohzFullConfig != nil {
		return true
	}
	for _, t := range []Text{raw.Cmdline, raw.OSRelease, raw.Version, raw.Realtime, raw.SysIsolated, raw.SysNohzFull, raw.Online,
		raw.ClocksourceCurrent, raw.ClocksourceAvailable, raw.SchedRtRuntimeUs, raw.SchedRtPeriodUs, raw.TimerMigration,
		raw.NumaBalancing, raw.NmiWdog, raw.THPEnabled, raw.THPDefrag, raw.IrqbalanceEnviron} {
		if t.OK {
			return true
		}
	}
	return false
}

// Read returns the kernel section, or nil when the tree has none of its sources. A partial tree (a
// foreign capture with cpu/isolated but no /proc/cmdline) reports what exists; an absent source stays
// null (cmdline: null).
func Read(fs *hostfs.FS) (any, error) {
	raw, err := ReadRaw(fs)
	if err != nil {
		return nil, err
	}
	if !HasAnySource(raw) {
		return nil, nil
	}
	return ParseKernel(raw), nil
}

// Isolation is what the agent needs to pin itself to housekeeping CPUs.
type Isolation struct {
	Isolated, Online, Housekeeping []int
}

// ReadIsolatedCPUs reads the three sources and computes the isolated set (readIsolatedCpus).
func ReadIsolatedCPUs(fs *hostfs.FS) (Isolation, error) {
	r := &reader{values.Reader{FS: fs}}
	isolated := ComputeIsolatedCPUs(r.Text("proc/cmdline"), r.Text("sys/devices/system/cpu/isolated"), r.Text("sys/devices/system/cpu/nohz_full"))
	online, ok := values.TryParseCPUList(r.Text("sys/devices/system/cpu/online").S)
	if !ok {
		online = []int{}
	}
	if r.Err != nil {
		return Isolation{}, r.Err
	}
	return Isolation{Isolated: isolated, Online: online, Housekeeping: ComputeHousekeepingCPUs(online, isolated)}, nil
}
