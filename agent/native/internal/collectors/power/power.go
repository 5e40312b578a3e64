// Package power collects the "power" section (the Go port of agent/collectors/power.ts): cpuidle
// states and cpufreq settings grouped over the CPUs that share them, turbo, intel_pstate and SMT.
package power

import (
	"sort"
	"strconv"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
)

const cpuDir = "sys/devices/system/cpu"

// Text is a file's raw text; OK=false means the file is absent (TS null).
type Text = values.Text

// T is a present file's text.
func T(s string) Text { return Text{S: s, OK: true} }

// RawIdleState is one cpuN/cpuidle/stateK directory.
type RawIdleState struct {
	Index                                   int
	Name, Desc, Latency, Residency, Disable Text
}

// RawCPUFreq is one cpuN/cpufreq directory.
type RawCPUFreq struct {
	Driver, Governor, MinFreq, MaxFreq, HwMaxFreq, EPP Text
}

// RawCPU is one CPU's power files; CPUFreq nil when it has neither scaling_driver nor scaling_governor.
type RawCPU struct {
	CPU        int
	IdleStates []RawIdleState
	CPUFreq    *RawCPUFreq
}

// RawIntelPstate is the intel_pstate directory (nil when it has neither status nor no_turbo).
type RawIntelPstate struct {
	Status, NoTurbo, MinPerfPct, MaxPerfPct Text
}

// Raw is every file the power section reads: the pure input of ParsePower.
type Raw struct {
	CPUIdleDriver, CPUIdleGovernor Text
	CPUs                           []RawCPU
	IntelPstate                    *RawIntelPstate
	CPUFreqBoost, SMTActive        Text
	SMTControl                     Text
}

// Item is one CPU's value to group.
type Item struct {
	CPU   int
	Value any
}

// Group is the CPUs sharing one value.
type Group struct {
	CPUs  []int
	Value any
}

// GroupByValue groups CPUs whose value (compared as canonical JSON) is identical, in CPU order.
func GroupByValue(items []Item) []Group {
	sorted := append([]Item(nil), items...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].CPU < sorted[j].CPU })
	index := map[string]int{}
	groups := []Group{}
	for _, item := range sorted {
		b, err := jsonx.Marshal(item.Value)
		key := string(b)
		if err != nil { // not encodable (never for section trees): its own group
			key = "\x00" + strconv.Itoa(len(groups))
		}
		if i, ok := index[key]; ok {
			groups[i].CPUs = append(groups[i].CPUs, item.CPU)
			continue
		}
		index[key] = len(groups)
		groups = append(groups, Group{CPUs: []int{item.CPU}, Value: item.Value})
	}
	return groups
}

// ParsePower builds the power section (pure).
func ParsePower(raw Raw) map[string]any {
	w := values.NewWarnings()
	nonNegative := func(t Text, what string) any {
		if !t.OK {
			return nil
		}
		n, ok := values.ParseIntValue(t.S, true)
		if !ok || n < 0 {
			w.Add(what + ": not a number: " + values.QuoteSliced(values.Trim(t.S), 40))
			return nil
		}
		return n
	}

	var idleItems []Item
	cpusWithoutStates := []int{}
	for _, c := range raw.CPUs {
		if len(c.IdleStates) == 0 {
			cpusWithoutStates = append(cpusWithoutStates, c.CPU)
			continue
		}
		prefix := "cpu" + strconv.Itoa(c.CPU) + "/cpuidle/state"
		states := make([]any, 0, len(c.IdleStates))
		for _, s := range c.IdleStates {
			index := strconv.Itoa(s.Index)
			name := values.WordOrNil(s.Name.S, s.Name.OK, 64)
			if name == nil {
				name = "state" + index
			}
			states = append(states, map[string]any{
				"index":       s.Index,
				"name":        name,
				"desc":        values.WordOrNil(s.Desc.S, s.Desc.OK, 256),
				"latencyUs":   nonNegative(s.Latency, prefix+index+"/latency"),
				"residencyUs": nonNegative(s.Residency, prefix+index+"/residency"),
				"disabled":    values.BoolOrNil(s.Disable.S, s.Disable.OK),
			})
		}
		idleItems = append(idleItems, Item{CPU: c.CPU, Value: states})
	}
	idleGroups := []any{}
	for _, g := range GroupByValue(idleItems) {
		idleGroups = append(idleGroups, map[string]any{"cpus": g.CPUs, "states": g.Value})
	}

	var freqItems []Item
	cpusWithoutCPUFreq := []int{}
	for _, c := range raw.CPUs {
		f := c.CPUFreq
		if f == nil {
			cpusWithoutCPUFreq = append(cpusWithoutCPUFreq, c.CPU)
			continue
		}
		prefix := "cpu" + strconv.Itoa(c.CPU) + "/cpufreq/"
		freqItems = append(freqItems, Item{CPU: c.CPU, Value: map[string]any{
			"driver":   values.WordOrNil(f.Driver.S, f.Driver.OK, 1024),
			"governor": values.WordOrNil(f.Governor.S, f.Governor.OK, 1024),
			"minKhz":   nonNegative(f.MinFreq, prefix+"scaling_min_freq"),
			"maxKhz":   nonNegative(f.MaxFreq, prefix+"scaling_max_freq"),
			"hwMaxKhz": nonNegative(f.HwMaxFreq, prefix+"cpuinfo_max_freq"),
			"epp":      values.WordOrNil(f.EPP.S, f.EPP.OK, 1024),
		}})
	}
	freqGroups := []any{}
	for _, g := range GroupByValue(freqItems) {
		group := map[string]any{"cpus": g.CPUs}
		for k, v := range g.Value.(map[string]any) {
			group[k] = v
		}
		freqGroups = append(freqGroups, group)
	}

	// Turbo: intel_pstate/no_turbo (1 = turbo off) wins; else the generic cpufreq/boost (1 = on); else none.
	turbo := map[string]any{"source": "none", "enabled": nil}
	var noTurbo any
	if p := raw.IntelPstate; p != nil {
		noTurbo = values.BoolOrNil(p.NoTurbo.S, p.NoTurbo.OK)
	}
	if raw.IntelPstate != nil && raw.IntelPstate.NoTurbo.OK {
		var enabled any
		if b, ok := noTurbo.(bool); ok {
			enabled = !b
		}
		turbo = map[string]any{"source": "intel_pstate", "enabled": enabled}
	} else if raw.CPUFreqBoost.OK {
		turbo = map[string]any{"source": "cpufreq_boost", "enabled": values.BoolOrNil(raw.CPUFreqBoost.S, true)}
	}

	var intelPstate any
	if p := raw.IntelPstate; p != nil {
		intelPstate = map[string]any{
			"status":     values.WordOrNil(p.Status.S, p.Status.OK, 1024),
			"noTurbo":    noTurbo,
			"minPerfPct": values.IntOrNil(p.MinPerfPct.S, p.MinPerfPct.OK),
			"maxPerfPct": values.IntOrNil(p.MaxPerfPct.S, p.MaxPerfPct.OK),
		}
	}
	return map[string]any{
		"cpuidle": map[string]any{
			"driver":            values.WordOrNil(raw.CPUIdleDriver.S, raw.CPUIdleDriver.OK, 1024),
			"governor":          values.WordOrNil(raw.CPUIdleGovernor.S, raw.CPUIdleGovernor.OK, 1024),
			"groups":            idleGroups,
			"cpusWithoutStates": cpusWithoutStates,
		},
		"cpufreq":     map[string]any{"groups": freqGroups, "cpusWithoutCpufreq": cpusWithoutCPUFreq},
		"turbo":       turbo,
		"intelPstate": intelPstate,
		"smt": map[string]any{
			"active":  values.BoolOrNil(raw.SMTActive.S, raw.SMTActive.OK),
			"control": values.WordOrNil(raw.SMTControl.S, raw.SMTControl.OK, 1024),
		},
		"warnings": w.Items,
	}
}

// reader is values.Reader: the first real read error is kept, absent files are just absent.
type reader struct{ values.Reader }

// ReadRaw reads the power section's files.
func ReadRaw(fs *hostfs.FS) (Raw, error) {
	r := &reader{values.Reader{FS: fs}}
	var raw Raw
	for _, cpu := range values.IndexedEntries(r.List(cpuDir), "cpu") {
		base := cpuDir + "/cpu" + strconv.Itoa(cpu)
		c := RawCPU{CPU: cpu}
		for _, index := range values.IndexedEntries(r.List(base+"/cpuidle"), "state") {
			dir := base + "/cpuidle/state" + strconv.Itoa(index)
			c.IdleStates = append(c.IdleStates, RawIdleState{
				Index:     index,
				Name:      r.Text(dir + "/name"),
				Desc:      r.Text(dir + "/desc"),
				Latency:   r.Text(dir + "/latency"),
				Residency: r.Text(dir + "/residency"),
				Disable:   r.Text(dir + "/disable"),
			})
		}
		f := base + "/cpufreq"
		driver, governor := r.Text(f+"/scaling_driver"), r.Text(f+"/scaling_governor")
		if driver.OK || governor.OK {
			c.CPUFreq = &RawCPUFreq{
				Driver:    driver,
				Governor:  governor,
				MinFreq:   r.Text(f + "/scaling_min_freq"),
				MaxFreq:   r.Text(f + "/scaling_max_freq"),
				HwMaxFreq: r.Text(f + "/cpuinfo_max_freq"),
				EPP:       r.Text(f + "/energy_performance_preference"),
			}
		}
		raw.CPUs = append(raw.CPUs, c)
	}
	p := cpuDir + "/intel_pstate"
	status, noTurbo := r.Text(p+"/status"), r.Text(p+"/no_turbo")
	raw.CPUIdleDriver = r.Text(cpuDir + "/cpuidle/current_driver")
	if raw.CPUIdleGovernor = r.Text(cpuDir + "/cpuidle/current_governor_ro"); !raw.CPUIdleGovernor.OK {
		raw.CPUIdleGovernor = r.Text(cpuDir + "/cpuidle/current_governor")
	}
	if status.OK || noTurbo.OK {
		raw.IntelPstate = &RawIntelPstate{Status: status, NoTurbo: noTurbo, MinPerfPct: r.Text(p + "/min_perf_pct"), MaxPerfPct: r.Text(p + "/max_perf_pct")}
	}
	raw.CPUFreqBoost = r.Text(cpuDir + "/cpufreq/boost")
	raw.SMTActive = r.Text(cpuDir + "/smt/active")
	raw.SMTControl = r.Text(cpuDir + "/smt/control")
	return raw, r.Err
}

// Read returns the power section, or nil when the tree has no CPU directories.
func Read(fs *hostfs.FS) (any, error) {
	raw, err := ReadRaw(fs)
	if err != nil {
		return nil, err
	}
	if len(raw.CPUs) == 0 {
		return nil, nil
	}
	return ParsePower(raw), nil
}
