package kernel

import (
	"strings"

	"nfvdeck/agent/internal/collectors/values"
)

// CmdlineParam is one kernel command-line parameter; HasValue=false for a bare flag ("quiet").
type CmdlineParam struct {
	Key      string
	Value    string
	HasValue bool
}

// ParseCmdlineParams splits a kernel command line into parameters, honouring double quotes
// (param="a b"). It stops at a bare "--": what follows is passed to init, not kernel parameters.
func ParseCmdlineParams(text string) []CmdlineParam {
	params := []CmdlineParam{}
	var tokens []string
	var current strings.Builder
	inQuote, hasToken := false, false
	for _, ch := range text {
		if ch == '"' {
			inQuote = !inQuote
			hasToken = true
			continue
		}
		if !inQuote && values.IsJSSpace(ch) {
			if hasToken {
				tokens = append(tokens, current.String())
			}
			current.Reset()
			hasToken = false
			continue
		}
		current.WriteRune(ch)
		hasToken = true
	}
	if hasToken {
		tokens = append(tokens, current.String())
	}
	for _, token := range tokens {
		if token == "--" {
			break
		}
		eq := strings.IndexByte(token, '=')
		if eq == 0 {
			continue
		}
		if eq < 0 {
			params = append(params, CmdlineParam{Key: token})
		} else {
			params = append(params, CmdlineParam{Key: token[:eq], Value: token[eq+1:], HasValue: true})
		}
	}
	return params
}

// CPUListValue is a cpu-list parameter value: Raw as written; OK=false when it is not a cpu list.
type CPUListValue struct {
	Raw  string
	CPUs []int
	OK   bool
}

// ParseCPUListValue: "(null)" and empty mean the empty set; not a cpu list (truncated, garbage) → OK=false.
func ParseCPUListValue(raw string) CPUListValue {
	t := values.Trim(raw)
	if t == "(null)" {
		return CPUListValue{Raw: raw, CPUs: []int{}, OK: true}
	}
	cpus, ok := values.TryParseCPUList(t)
	return CPUListValue{Raw: raw, CPUs: cpus, OK: ok}
}

func (v CPUListValue) value() map[string]any {
	var cpus any
	if v.OK {
		cpus = v.CPUs
	}
	return map[string]any{"raw": v.Raw, "cpus": cpus}
}

func isFlagWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= 'a' && c <= 'z' || s[i] == '_') {
			return false
		}
	}
	return true
}

// ParseIsolcpus parses isolcpus=[flag,...,]cpu-list, e.g. "managed_irq,domain,2-5" → flags
// [managed_irq, domain], cpus [2,3,4,5]. Flags are the leading comma-separated words of letters and "_".
func ParseIsolcpus(raw string) (flags []string, cpus []int, ok bool) {
	parts := strings.Split(values.Trim(raw), ",")
	flags = []string{}
	i := 0
	for i < len(parts) && isFlagWord(parts[i]) {
		flags = append(flags, parts[i])
		i++
	}
	cpus, ok = values.TryParseCPUList(strings.Join(parts[i:], ","))
	return flags, cpus, ok
}

func lastValue(params []CmdlineParam, key string) (p CmdlineParam, found bool) {
	for _, q := range params {
		if q.Key == key {
			p, found = q, true
		}
	}
	return p, found
}

// Cmdline is /proc/cmdline parsed: Section is the contract's kernelCmdline object; the typed fields are
// what the isolated-set computation and the warnings need.
type Cmdline struct {
	Section                      map[string]any
	Isolcpus                     *isolcpus
	NohzFull, RcuNocbs, IrqAffin *CPUListValue
}

type isolcpus struct {
	flags []string
	cpus  []int
	ok    bool
	raw   string
}

// ParseCmdline parses /proc/cmdline text into the tuning-relevant parameters (pure). The last
// occurrence of a key wins.
func ParseCmdline(text string) Cmdline {
	raw := values.Trim(strings.ReplaceAll(text, "\x00", " "))
	params := ParseCmdlineParams(raw)
	str := func(key string) any {
		p, found := lastValue(params, key)
		if !found {
			return nil
		}
		return p.Value // a bare flag is ""
	}
	cpuParam := func(key string) *CPUListValue {
		p, found := lastValue(params, key)
		if !found {
			return nil
		}
		if !p.HasValue { // a bare flag (rcu_nocbs with no list) names no CPUs
			return &CPUListValue{Raw: "", CPUs: []int{}, OK: true}
		}
		v := ParseCPUListValue(p.Value)
		return &v
	}
	var isol *isolcpus
	if p, found := lastValue(params, "isolcpus"); found && p.HasValue {
		flags, cpus, ok := ParseIsolcpus(p.Value)
		if !ok {
			cpus = []int{}
		}
		isol = &isolcpus{flags: flags, cpus: cpus, ok: ok, raw: p.Value}
	}
	c := Cmdline{Isolcpus: isol, NohzFull: cpuParam("nohz_full"), RcuNocbs: cpuParam("rcu_nocbs"), IrqAffin: cpuParam("irqaffinity")}

	n := len(params)
	if n > 1024 {
		n = 1024
	}
	paramList := make([]any, 0, n)
	for _, p := range params[:n] {
		var value any
		if p.HasValue {
			value = values.SliceText(p.Value, 8192)
		}
		paramList = append(paramList, map[string]any{"key": values.SliceText(p.Key, 256), "value": value})
	}
	all := func(key string) []string {
		out := []string{}
		for _, p := range params {
			if p.Key == key {
				out = append(out, p.Value)
			}
		}
		return out
	}
	nosoftlockup := false
	for _, p := range params {
		if p.Key == "nosoftlockup" {
			nosoftlockup = true
		}
	}
	var isolValue, nohz, rcu, irqaff any
	if isol != nil {
		isolValue = map[string]any{"flags": isol.flags, "cpus": isol.cpus, "raw": isol.raw}
	}
	if c.NohzFull != nil {
		nohz = c.NohzFull.value()
	}
	if c.RcuNocbs != nil {
		rcu = c.RcuNocbs.value()
	}
	if c.IrqAffin != nil {
		irqaff = c.IrqAffin.value()
	}
	c.Section = map[string]any{
		"raw":                 values.SliceText(raw, 65536),
		"params":              paramList,
		"isolcpus":            isolValue,
		"nohzFull":            nohz,
		"rcuNocbs":            rcu,
		"irqaffinity":         irqaff,
		"iommu":               str("iommu"),
		"intelIommu":          str("intel_iommu"),
		"amdIommu":            str("amd_iommu"),
		"defaultHugepagesz":   str("default_hugepagesz"),
		"hugepagesz":          all("hugepagesz"),
		"hugepages":           all("hugepages"),
		"idle":                str("idle"),
		"tsc":                 str("tsc"),
		"intelPstate":         str("intel_pstate"),
		"processorMaxCstate":  str("processor.max_cstate"),
		"intelIdleMaxCstate":  str("intel_idle.max_cstate"),
		"mce":                 str("mce"),
		"nosoftlockup":        nosoftlockup,
		"nmiWatchdog":         str("nmi_watchdog"),
		"skewTick":            str("skew_tick"),
		"transparentHugepage": str("transparent_hugepage"),
	}
	return c
}

// ParseSysCPUList parses a sysfs cpu-list file such as cpu/isolated or cpu/nohz_full: "(null)" or
// empty → []; garbage → ok=false.
func ParseSysCPUList(text string) ([]int, bool) {
	v := ParseCPUListValue(text)
	return v.CPUs, v.OK
}

// Text is a file's raw text; OK=false means the file is absent (TS null).
type Text = values.Text

// T is a present file's text.
func T(s string) Text { return Text{S: s, OK: true} }

// ComputeIsolatedCPUs is the isolated set the agent must keep off: the union of isolcpus, nohz_full and
// rcu_nocbs on the command line and the kernel's own cpu/{isolated,nohz_full}. Not from `isolated`
// alone: it omits nohz_full-only CPUs and managed_irq-only isolation. Unreadable parts count as empty.
func ComputeIsolatedCPUs(cmdline, sysIsolated, sysNohzFull Text) []int {
	var sets [][]int
	if cmdline.OK {
		c := ParseCmdline(cmdline.S)
		if c.Isolcpus != nil {
			sets = append(sets, c.Isolcpus.cpus)
		}
		for _, p := range []*CPUListValue{c.NohzFull, c.RcuNocbs} {
			if p != nil && p.OK {
				sets = append(sets, p.CPUs)
			}
		}
	}
	for _, t := range []Text{sysIsolated, sysNohzFull} {
		if t.OK {
			if cpus, ok := ParseSysCPUList(t.S); ok {
				sets = append(sets, cpus)
			}
		}
	}
	return values.UnionCPUs(sets...)
}

// ComputeHousekeepingCPUs is online − isolated.
func ComputeHousekeepingCPUs(online, isolated []int) []int {
	return values.SubtractCPUs(online, isolated)
}
