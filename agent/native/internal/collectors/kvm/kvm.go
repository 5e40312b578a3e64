// Package kvm collects the "kvm" section (the Go port of agent/collectors/kvm.ts): the kvm and
// kvm_intel/kvm_amd module parameters, raw and as the few typed settings NFV tuning checks.
package kvm

import (
	"regexp"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/hostfs"
)

// Raw is what Read gathers: parameter texts by name (Kvm nil when the kvm module is not loaded).
type Raw struct {
	Kvm          map[string]string
	VendorModule string // "kvm_intel", "kvm_amd" or "" (none)
	Vendor       map[string]string
}

var paramName = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// Parse builds the kvm section from module parameter texts (pure).
func Parse(raw Raw) map[string]any {
	warnings := values.NewWarnings()
	kvm := clean(raw.Kvm)
	vendor := clean(raw.Vendor)
	boolean := func(params map[string]string, key, what string) any {
		v, ok := params[key]
		if !ok {
			return nil
		}
		b, ok := values.ParseBoolValue(v, true)
		if !ok {
			warnings.Add(what + ": not Y/N: " + values.QuoteSliced(v, 40))
			return nil
		}
		return b
	}
	integer := func(params map[string]string, key, what string) any {
		v, ok := params[key]
		if !ok {
			return nil
		}
		n, ok := values.ParseIntValue(v, true)
		if !ok {
			warnings.Add(what + ": not a number: " + values.QuoteSliced(v, 40))
			return nil
		}
		return n
	}
	intel := raw.VendorModule == "kvm_intel"
	amd := raw.VendorModule == "kvm_amd"
	// the fields in the TS object literal's order: the warnings come out in that order
	var enableApicv, preemptionTimer, pleGap any
	switch {
	case intel:
		enableApicv = boolean(vendor, "enable_apicv", "kvm_intel.enable_apicv")
	case amd:
		enableApicv = boolean(vendor, "avic", "kvm_amd.avic")
	}
	if intel {
		preemptionTimer = boolean(vendor, "preemption_timer", "kvm_intel.preemption_timer")
	}
	switch {
	case intel:
		pleGap = integer(vendor, "ple_gap", "kvm_intel.ple_gap")
	case amd:
		pleGap = integer(vendor, "pause_filter_count", "kvm_amd.pause_filter_count")
	}
	var nxHugePages any
	if v, ok := kvm["nx_huge_pages"]; ok {
		nxHugePages = values.SliceText(v, 32)
	}
	kvmclockPeriodicSync := boolean(kvm, "kvmclock_periodic_sync", "kvm.kvmclock_periodic_sync")
	haltPollNs := integer(kvm, "halt_poll_ns", "kvm.halt_poll_ns")
	module := raw.VendorModule
	if module == "" {
		module = "kvm"
	}
	nested := boolean(vendor, "nested", module+".nested")
	var vendorModule any
	if raw.VendorModule != "" {
		vendorModule = raw.VendorModule
	}
	return map[string]any{
		"vendorModule":         vendorModule,
		"kvmParams":            stringMap(kvm),
		"vendorParams":         stringMap(vendor),
		"enableApicv":          enableApicv,
		"preemptionTimer":      preemptionTimer,
		"pleGap":               pleGap,
		"nxHugePages":          nxHugePages,
		"kvmclockPeriodicSync": kvmclockPeriodicSync,
		"haltPollNs":           haltPollNs,
		"nested":               nested,
		"warnings":             warnings.Items,
	}
}

// clean keeps parameters with a safe name, values trimmed and cut to 256 UTF-16 units.
func clean(params map[string]string) map[string]string {
	out := make(map[string]string, len(params))
	for k, v := range params {
		if paramName.MatchString(k) && k != "__proto__" {
			out[k] = values.SliceText(values.Trim(v), 256)
		}
	}
	return out
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// readParams reads sys/module/<module>/parameters/*; nil when the module is not loaded.
func readParams(fs *hostfs.FS, module string) (map[string]string, error) {
	dir := "sys/module/" + module + "/parameters"
	names, ok, err := fs.ListDir(dir)
	if err != nil || !ok {
		return nil, err
	}
	out := map[string]string{}
	for _, name := range names {
		// JS assigns into a plain object: out["__proto__"] = "text" is silently ignored there.
		if !paramName.MatchString(name) || name == "__proto__" {
			continue
		}
		// Some parameters are write-only or root-only: skip what cannot be read.
		if text, ok := fs.ReadTextOptional(dir + "/" + name); ok {
			out[name] = text
		}
	}
	return out, nil
}

// ReadRaw reads the kvm module's parameters and the vendor module's (kvm_intel first, then kvm_amd).
func ReadRaw(fs *hostfs.FS) (Raw, error) {
	kvm, err := readParams(fs, "kvm")
	if err != nil {
		return Raw{}, err
	}
	intel, err := readParams(fs, "kvm_intel")
	if err != nil {
		return Raw{}, err
	}
	if intel != nil {
		return Raw{Kvm: kvm, VendorModule: "kvm_intel", Vendor: intel}, nil
	}
	amd, err := readParams(fs, "kvm_amd")
	if err != nil {
		return Raw{}, err
	}
	if amd != nil {
		return Raw{Kvm: kvm, VendorModule: "kvm_amd", Vendor: amd}, nil
	}
	return Raw{Kvm: kvm, Vendor: map[string]string{}}, nil
}

// Read returns the kvm section, or nil when the kvm module is not loaded (not a KVM host).
func Read(fs *hostfs.FS) (any, error) {
	raw, err := ReadRaw(fs)
	if err != nil {
		return nil, err
	}
	if raw.Kvm == nil && raw.VendorModule == "" {
		return nil, nil
	}
	return Parse(raw), nil
}
