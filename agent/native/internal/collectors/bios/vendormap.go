package bios

import (
	"regexp"
	"strings"

	"nfvdeck/agent/internal/collectors/values"
)

// The port of agent/bios/vendor-map.ts: HPE (iLO), Dell (iDRAC) and Lenovo (XCC) Redfish/export attribute
// names → one vocabulary the compliance rules judge (the KVM4NFV guide's BIOS baseline). The raw name and
// value are always kept beside the normalised value.
//
// Raw attribute values are nil, bool, float64 or string (JSON scalars); normalised values are nil,
// bool or string.

// Settings is BIOS_SETTINGS (server/contract/sections/bios.ts), in vocabulary order.
var Settings = []string{
	"cStates", "c1e", "c3", "c6", "turbo", "eist", "hyperThreading", "activeCores", "xdBit", "vtx", "vtd", "txt",
	"numa", "clusterOnDie", "memoryRas", "patrolScrub", "demandScrub", "errorContainment", "powerProfile",
	"legacyUsb", "port6064",
}

// jsString is String(raw) for a raw attribute value.
func jsString(raw any) string {
	switch v := raw.(type) {
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
		return "false"
	case float64:
		return values.NumberText(v)
	case nil:
		return "null"
	}
	return ""
}

// OnOff is onOff: "Enabled"/"Disabled" (and On/Off, Enable/Disable, true/false, Auto/None…) → bool;
// anything else → nil.
func OnOff(raw any) any {
	switch v := raw.(type) {
	case bool:
		return v
	case nil:
		return nil
	}
	switch strings.ToLower(values.Trim(jsString(raw))) {
	case "enabled", "enable", "on", "yes", "true", "1", "auto":
		return true
	case "disabled", "disable", "off", "no", "false", "0", "none":
		return false
	}
	return nil
}

// rule: how one vendor attribute feeds one normalised setting.
type rule struct {
	setting string
	convert func(raw any) any
}

func boolRule(setting string) rule { return rule{setting, OnOff} }

// inverted: "NodeInterleave Enabled" means NUMA off.
func inverted(setting string) rule {
	return rule{setting, func(raw any) any {
		if b, ok := OnOff(raw).(bool); ok {
			return !b
		}
		return nil
	}}
}

func textRule(setting string) rule {
	return rule{setting, func(raw any) any {
		if raw == nil {
			return nil
		}
		if t := values.Trim(jsString(raw)); t != "" {
			return t
		}
		return nil
	}}
}

func lowerIn(raw any, list []string) bool {
	t := strings.ToLower(values.Trim(jsString(raw)))
	for _, v := range list {
		if strings.ToLower(v) == t {
			return true
		}
	}
	return false
}

// enabledUnless: enabled unless the value is one of offValues (case-insensitive).
func enabledUnless(setting string, offValues ...string) rule {
	return rule{setting, func(raw any) any {
		if raw == nil {
			return nil
		}
		if b := OnOff(raw); b != nil {
			return b
		}
		return !lowerIn(raw, offValues)
	}}
}

// enabledIf: true only when the value is one of onValues.
func enabledIf(setting string, onValues ...string) rule {
	return rule{setting, func(raw any) any {
		if raw == nil {
			return nil
		}
		return lowerIn(raw, onValues)
	}}
}

var allWord = regexp.MustCompile(`^(?i:all)$`)
var digitsOnly = regexp.MustCompile(`^\d+$`)

// cores: "All"/0 → "all"; a number of cores → that number as text (disabledCount: "all-but-N").
func cores(setting string, disabledCount bool) rule {
	return rule{setting, func(raw any) any {
		if raw == nil {
			return nil
		}
		t := values.Trim(jsString(raw))
		if allWord.MatchString(t) {
			return "all"
		}
		if digitsOnly.MatchString(t) {
			if t == "0" {
				return "all"
			}
			if disabledCount {
				return "all-but-" + t
			}
			return t
		}
		if t == "" {
			return nil
		}
		return t
	}}
}

// attribute: one vendor attribute name and its rules; tables keep the TS object's order (first wins).
type attribute struct {
	name  string
	rules []rule
}

// Vendors is BIOS_VENDORS.
var Vendors = []string{"hpe", "dell", "lenovo", "generic"}

var vendorAttributes = map[string][]attribute{
	"hpe": {
		{"ProcHyperthreading", []rule{boolRule("hyperThreading")}},
		// Minimum Processor Idle Power Core C-State: C6 | C1E | NoCStates
		{"MinProcIdlePower", []rule{enabledUnless("cStates", "NoCStates"), enabledIf("c6", "C6"), enabledIf("c1e", "C1E", "C6")}},
		// Minimum Processor Idle Power Package C-State: C6Retention | C6NonRetention | NoState
		{"MinProcIdlePkgState", []rule{enabledUnless("c3", "NoState")}},
		{"ProcTurbo", []rule{boolRule("turbo")}},
		{"IntelProcVtd", []rule{boolRule("vtd")}},
		{"ProcVirtualization", []rule{boolRule("vtx")}},
		{"ProcNoExecute", []rule{boolRule("xdBit")}},
		{"IntelTxt", []rule{boolRule("txt")}},
		{"ProcCoreDisable", []rule{cores("activeCores", true)}},
		{"NodeInterleaving", []rule{inverted("numa")}},
		{"SubNumaClustering", []rule{boolRule("clusterOnDie")}},
		{"MemPatrolScrubbing", []rule{boolRule("patrolScrub")}},
		{"AdvancedMemProtection", []rule{textRule("memoryRas")}},
		{"PowerRegulator", []rule{textRule("powerProfile")}},
		{"WorkloadProfile", []rule{textRule("powerProfile")}},
		{"UsbControl", []rule{enabledUnless("legacyUsb", "UsbDisabled", "UsbLegacySupportDisabled")}},
	},
	"dell": {
		{"LogicalProc", []rule{boolRule("hyperThreading")}},
		{"ProcCStates", []rule{boolRule("cStates")}},
		{"ProcC1E", []rule{boolRule("c1e")}},
		{"ProcTurboMode", []rule{boolRule("turbo")}},
		{"ProcVirtualization", []rule{boolRule("vtx")}},
		{"ProcExecuteDisable", []rule{boolRule("xdBit")}},
		{"IntelTxt", []rule{boolRule("txt")}},
		{"ProcCores", []rule{cores("activeCores", false)}},
		// NodeInterleave Enabled = memory interleaved across sockets = NUMA off
		{"NodeInterleave", []rule{inverted("numa")}},
		{"SubNumaCluster", []rule{boolRule("clusterOnDie")}},
		{"SnoopMode", []rule{enabledIf("clusterOnDie", "ClusterOnDie")}},
		{"MemOpMode", []rule{textRule("memoryRas")}},
		{"MemPatrolScrub", []rule{enabledUnless("patrolScrub", "Disabled")}},
		{"SysProfile", []rule{textRule("powerProfile")}},
	},
	"lenovo": {
		{"Processors_HyperThreading", []rule{boolRule("hyperThreading")}},
		// Autonomous | Legacy | Disable
		{"Processors_CStates", []rule{enabledUnless("cStates", "Disable")}},
		{"Processors_C1EnhancedMode", []rule{boolRule("c1e")}},
		{"Processors_TurboMode", []rule{boolRule("turbo")}},
		// None | Legacy | Autonomous | Cooperative: EIST/P-states off only for None
		{"Processors_CPUPstateControl", []rule{enabledUnless("eist", "None")}},
		{"Processors_IntelVirtualizationTechnology", []rule{boolRule("vtx")}},
		{"Processors_IntelVTForDirectedIO", []rule{boolRule("vtd")}},
		{"Processors_ExecuteDisableBit", []rule{boolRule("xdBit")}},
		{"Processors_TrustedExecutionTechnology", []rule{boolRule("txt")}},
		{"Processors_SNC", []rule{boolRule("clusterOnDie")}},
		{"Memory_SocketInterleave", []rule{enabledIf("numa", "NUMA")}},
		{"Memory_PatrolScrub", []rule{boolRule("patrolScrub")}},
		{"OperatingModes_ChooseOperatingMode", []rule{textRule("powerProfile")}},
	},
	// Intel reference-BIOS setup names (the KVM4NFV guide's wording), for exports that use them
	"generic": {
		{"CpuPowerAndPerformancePolicy", []rule{textRule("powerProfile")}},
		{"CStates", []rule{boolRule("cStates")}},
		{"C1EAutopromote", []rule{boolRule("c1e")}},
		{"C1E", []rule{boolRule("c1e")}},
		{"C3", []rule{boolRule("c3")}},
		{"C6", []rule{boolRule("c6")}},
		{"TurboMode", []rule{boolRule("turbo")}},
		{"IntelTurboBoostTechnology", []rule{boolRule("turbo")}},
		{"EIST", []rule{boolRule("eist")}},
		{"SpeedStep", []rule{boolRule("eist")}},
		{"HyperThreading", []rule{boolRule("hyperThreading")}},
		{"ActiveProcessorCores", []rule{cores("activeCores", false)}},
		{"ExecuteDisableBit", []rule{boolRule("xdBit")}},
		{"VTx", []rule{boolRule("vtx")}},
		{"IntelVirtualizationTechnology", []rule{boolRule("vtx")}},
		{"VTd", []rule{boolRule("vtd")}},
		{"IntelTxt", []rule{boolRule("txt")}},
		{"NumaOptimized", []rule{boolRule("numa")}},
		{"ClusterOnDie", []rule{boolRule("clusterOnDie")}},
		{"MemoryRasAndPerformanceConfiguration", []rule{textRule("memoryRas")}},
		{"MemoryRasMode", []rule{textRule("memoryRas")}},
		{"PatrolScrub", []rule{boolRule("patrolScrub")}},
		{"DemandScrub", []rule{boolRule("demandScrub")}},
		{"EnhancedErrorContainmentMode", []rule{boolRule("errorContainment")}},
		{"LegacyUsbSupport", []rule{boolRule("legacyUsb")}},
		{"Port6064Emulation", []rule{boolRule("port6064")}},
	},
}

func inTable(vendor, name string) bool {
	for _, a := range vendorAttributes[vendor] {
		if a.name == name {
			return true
		}
	}
	return false
}

var hpeVendor = regexp.MustCompile(`\bhpe?\b|hewlett`)
var dellVendor = regexp.MustCompile(`\bdell\b`)

// DetectVendor is detectBiosVendor: the vendor from DMI sys_vendor / bios_vendor (nil = null), else from
// which attribute names are present (most hits among hpe, dell, lenovo; "generic" when none).
func DetectVendor(sysVendor, biosVendor any, attributeNames []string) string {
	s, _ := sysVendor.(string)
	b, _ := biosVendor.(string)
	v := strings.ToLower(s + " " + b)
	switch {
	case hpeVendor.MatchString(v):
		return "hpe"
	case dellVendor.MatchString(v):
		return "dell"
	case strings.Contains(v, "lenovo"):
		return "lenovo"
	}
	best, bestHits := "generic", 0
	for _, vendor := range []string{"hpe", "dell", "lenovo"} {
		hits := 0
		for _, n := range attributeNames {
			if inTable(vendor, n) {
				hits++
			}
		}
		if hits > bestHits {
			best, bestHits = vendor, hits
		}
	}
	return best
}

// Normalised is one normalised setting: {setting, value, rawName, rawValue}.
type Normalised struct {
	Setting  string
	Value    any
	RawName  string
	RawValue any
}

// Normalise is normaliseBiosAttributes: the vendor's table first, then the generic names; for each
// setting the first attribute found (in table order) wins. Result in vocabulary order.
func Normalise(vendor string, attributes map[string]any) []Normalised {
	found := map[string]Normalised{}
	tables := [][]attribute{vendorAttributes["generic"]}
	if vendor != "generic" {
		tables = [][]attribute{vendorAttributes[vendor], vendorAttributes["generic"]}
	}
	for _, table := range tables {
		for _, a := range table {
			raw, ok := attributes[a.name]
			if !ok {
				continue
			}
			for _, r := range a.rules {
				if _, done := found[r.setting]; done {
					continue
				}
				found[r.setting] = Normalised{Setting: r.setting, Value: r.convert(raw), RawName: a.name, RawValue: raw}
			}
		}
	}
	out := []Normalised{}
	for _, s := range Settings {
		if n, ok := found[s]; ok {
			out = append(out, n)
		}
	}
	return out
}
