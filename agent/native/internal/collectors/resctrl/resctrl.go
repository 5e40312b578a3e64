// Package resctrl collects the "resctrl" section (the Go port of agent/collectors/resctrl.ts): Intel RDT /
// AMD PQoS CAT/CDP/MBA control groups and CMT/MBM monitoring, as described in the kernel's
// Documentation/arch/x86/resctrl.rst.
//
// The section holds what is configured (info, schemata, CPUs, task counts, which counters read); the
// counter values themselves change every second and go out as QoS samples (package qos, built on
// ReadMonitoring and ToQosSamples here), so the static section's hash only changes when the
// configuration does.
package resctrl

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/hostfs"
)

const root = "sys/fs/resctrl"

// notGroups: entries of a control group directory that are not child control groups.
var notGroups = map[string]bool{"info": true, "mon_groups": true, "mon_data": true}

// monFiles: the counter files of a monitoring domain, in section order.
var monFiles = [3]string{"llc_occupancy", "mbm_total_bytes", "mbm_local_bytes"}

// JavaScript's \s and `.` as RE2 classes (Go's \s is ASCII only, its `.` matches \r, U+2028, U+2029).
const (
	jsSpace = `[\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}]`
	jsDot   = `[^\n\r\x{2028}\x{2029}]`
)

var (
	monDomainName = regexp.MustCompile(`^mon_[A-Za-z0-9]+_(\d+)$`)
	schemataLine  = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)` + jsSpace + `*:(` + jsDot + `*)$`)
	schemataEntry = regexp.MustCompile(`^(\d+)` + jsSpace + `*=` + jsSpace + `*([0-9A-Za-z]+)$`)
	cpuListText   = regexp.MustCompile(`^\d+(-\d+)?(,\d+(-\d+)?)*$`)
	hexText       = regexp.MustCompile(`^[0-9a-fA-F]{1,64}$`)
)

// MonValue is one monitoring file's reading: Value is the byte count as decimal text (a u64 may exceed
// 2^53) when Status is "ok"; Status is "ok", "Error", "Unavailable", "Unassigned", "missing" or "invalid".
type MonValue struct {
	Value  string
	Status string
}

// JSON is the value as a QoS sample carries it: the decimal text, or nil (null) when not "ok".
func (v MonValue) JSON() any {
	if v.Status != "ok" {
		return nil
	}
	return v.Value
}

// ParseMonValue is parseMonValue: a decimal byte count, or one of the kernel's words for "no value now".
func ParseMonValue(text string, present bool) MonValue {
	if !present {
		return MonValue{Status: "missing"}
	}
	t := values.Trim(text)
	if len(t) >= 1 && len(t) <= 20 && isDigits(t) {
		if n, err := strconv.ParseUint(t, 10, 64); err == nil {
			return MonValue{Value: strconv.FormatUint(n, 10), Status: "ok"}
		}
	}
	switch t {
	case "Error", "Unavailable", "Unassigned":
		return MonValue{Status: t}
	}
	return MonValue{Status: "invalid"}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// number is Number(s) for ASCII digits (correctly rounded like JS; a range error gives ±Inf as Number does).
func number(digits string) float64 {
	f, _ := strconv.ParseFloat(digits, 64)
	return f
}

// ParseSchemata is parseSchemata: "L3:0=fffff;1=fffff", "L3DATA:0=ff;1=ff", "    MB:0=100;1= 50" (values
// may be padded) → [{resource, domains: [{id, value}]}]. A malformed line is an error naming it.
func ParseSchemata(text string) ([]any, error) {
	out := []any{}
	for idx, raw := range strings.Split(text, "\n") {
		line := values.Trim(raw)
		if line == "" {
			continue
		}
		m := schemataLine.FindStringSubmatch(line)
		if m == nil {
			return nil, errors.New("schemata line " + strconv.Itoa(idx+1) + `: not "RESOURCE:id=value;…": ` + values.QuoteSliced(line, 80))
		}
		domains := []any{}
		for _, part := range strings.Split(m[2], ";") {
			d := values.Trim(part)
			if d == "" {
				continue
			}
			dm := schemataEntry.FindStringSubmatch(d)
			if dm == nil {
				return nil, errors.New("schemata line " + strconv.Itoa(idx+1) + ": bad domain entry " + values.QuoteSliced(d, len(d)))
			}
			domains = append(domains, map[string]any{"id": number(dm[1]), "value": strings.ToLower(dm[2])})
		}
		out = append(out, map[string]any{"resource": m[1], "domains": domains})
	}
	return out, nil
}

// CountTasks is countTasks: the number of non-blank lines of a tasks file (one PID a line); nil when absent.
func CountTasks(text string, present bool) any {
	if !present {
		return nil
	}
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if values.Trim(l) != "" {
			n++
		}
	}
	return float64(n)
}

// ParseResctrlMount is parseResctrlMount: the resctrl line of /proc/mounts → its mount options;
// ok=false when there is none.
func ParseResctrlMount(mounts string) (options []string, ok bool) {
	for _, line := range strings.Split(mounts, "\n") {
		f := values.Fields(line)
		field := func(i int) string {
			if i < len(f) {
				return f[i]
			}
			return ""
		}
		if field(2) == "resctrl" || (field(0) == "resctrl" && strings.HasSuffix(field(1), "/resctrl")) {
			options = []string{}
			for _, o := range strings.Split(field(3), ",") {
				if o != "" {
					options = append(options, o)
				}
			}
			return options, true
		}
	}
	return nil, false
}

func hexOrNil(text string, present bool) any {
	t, ok := values.ParseWordValue(text, present, 1024)
	if ok && hexText.MatchString(t) {
		return strings.ToLower(t)
	}
	return nil
}

// count: a non-negative integer, else nil and (for a present file) a warning.
func count(text string, present bool, where string, w *values.Warnings) any {
	if !present {
		return nil
	}
	n, ok := values.ParseIntValue(text, true)
	if !ok || n < 0 {
		w.Add(where + ": not a count: " + values.QuoteSliced(values.Trim(text), 40))
		return nil
	}
	return n
}

func readCacheInfo(fs *hostfs.FS, dir string, w *values.Warnings) (any, error) {
	if !fs.Exists(dir) {
		return nil, nil
	}
	var files [5]string
	var present [5]bool
	for i, name := range [5]string{"num_closids", "cbm_mask", "min_cbm_bits", "shareable_bits", "bit_usage"} {
		t, ok, err := fs.ReadText(dir + "/" + name)
		if err != nil {
			return nil, nodeError(err, false)
		}
		files[i], present[i] = t, ok
	}
	return map[string]any{
		"numClosids":    count(files[0], present[0], dir+"/num_closids", w),
		"cbmMask":       hexOrNil(files[1], present[1]),
		"minCbmBits":    count(files[2], present[2], dir+"/min_cbm_bits", w),
		"shareableBits": hexOrNil(files[3], present[3]),
		"bitUsage":      values.WordOrNil(files[4], present[4], 1024),
	}, nil
}

// readFiles reads dir/name for each name with fs.ReadText (an unreadable file is an error).
func readFiles(fs *hostfs.FS, dir string, names ...string) ([]string, []bool, error) {
	texts := make([]string, len(names))
	present := make([]bool, len(names))
	for i, name := range names {
		t, ok, err := fs.ReadText(dir + "/" + name)
		if err != nil {
			return nil, nil, nodeError(err, false)
		}
		texts[i], present[i] = t, ok
	}
	return texts, present, nil
}

func readInfo(fs *hostfs.FS, w *values.Warnings) (map[string]any, error) {
	info := root + "/info"
	l3Code, err := readCacheInfo(fs, info+"/L3CODE", w)
	if err != nil {
		return nil, err
	}
	l3Data, err := readCacheInfo(fs, info+"/L3DATA", w)
	if err != nil {
		return nil, err
	}
	var mb any
	if fs.Exists(info + "/MB") {
		t, p, err := readFiles(fs, info+"/MB", "delay_linear", "num_closids", "bandwidth_gran", "min_bandwidth", "thread_throttle_mode")
		if err != nil {
			return nil, err
		}
		var delayLinear any
		if dl, ok := values.ParseWordValue(t[0], p[0], 1024); ok && dl == "1" {
			delayLinear = true
		} else if ok && dl == "0" {
			delayLinear = false
		}
		mb = map[string]any{
			"numClosids":         count(t[1], p[1], "info/MB/num_closids", w),
			"bandwidthGran":      count(t[2], p[2], "info/MB/bandwidth_gran", w),
			"minBandwidth":       count(t[3], p[3], "info/MB/min_bandwidth", w),
			"delayLinear":        delayLinear,
			"threadThrottleMode": values.WordOrNil(t[4], p[4], 64),
		}
	}
	var l3Mon any
	if fs.Exists(info + "/L3_MON") {
		t, p, err := readFiles(fs, info+"/L3_MON", "num_rmids", "mon_features", "max_threshold_occupancy")
		if err != nil {
			return nil, err
		}
		features := []string{}
		for _, s := range strings.Split(t[1], "\n") {
			if s = values.Trim(s); s != "" && len(features) < 64 {
				features = append(features, s)
			}
		}
		l3Mon = map[string]any{
			"numRmids":              count(t[0], p[0], "info/L3_MON/num_rmids", w),
			"monFeatures":           features,
			"maxThresholdOccupancy": count(t[2], p[2], "info/L3_MON/max_threshold_occupancy", w),
		}
	}
	l3, err := readCacheInfo(fs, info+"/L3", w)
	if err != nil {
		return nil, err
	}
	l2, err := readCacheInfo(fs, info+"/L2", w)
	if err != nil {
		return nil, err
	}
	status, statusOk, err := fs.ReadText(info + "/last_cmd_status")
	if err != nil {
		return nil, nodeError(err, false)
	}
	return map[string]any{
		"l3":            l3,
		"l3Code":        l3Code,
		"l3Data":        l3Data,
		"l2":            l2,
		"cdp":           l3Code != nil && l3Data != nil,
		"mb":            mb,
		"l3Mon":         l3Mon,
		"lastCmdStatus": values.WordOrNil(status, statusOk, 1024),
	}, nil
}

// dirOf: "/" → the mount itself, "g" → sys/fs/resctrl/g.
func dirOf(groupPath string) string {
	if groupPath == "/" {
		return root
	}
	return root + "/" + groupPath
}

// MonDomain is one monitoring domain (mon_data/mon_L3_XX) of a group with its three counters
// (llc_occupancy, mbm_total_bytes, mbm_local_bytes in that order).
type MonDomain struct {
	Domain string
	ID     float64
	Values [3]MonValue
}

// MonGroup is a monitoring group: the root group "/", a control group "g", or "…mon_groups/m".
type MonGroup struct {
	Path         string
	ControlGroup string
	// CPUsList and TaskCount are nil (null) or a string / float64; filled by ReadResctrl only.
	CPUsList  any
	TaskCount any
	Domains   []MonDomain
}

// readMonData is readMonData: the group's mon_data domains; ok=false when it has no mon_data.
func readMonData(fs *hostfs.FS, groupDir string) ([]MonDomain, bool, error) {
	names, ok, err := fs.ListDir(groupDir + "/mon_data")
	if err != nil || !ok {
		return nil, false, nodeError(err, true)
	}
	out := []MonDomain{}
	for _, name := range names {
		m := monDomainName.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		d := MonDomain{Domain: name, ID: number(m[1])}
		for i, file := range monFiles {
			d.Values[i] = ParseMonValue(fs.ReadTextOptional(groupDir + "/mon_data/" + name + "/" + file))
		}
		out = append(out, d)
	}
	return out, true, nil
}

func cpusListOf(text string, present bool) any {
	// an empty cpus_list (the group owns no CPU) is valid: ""
	if present && values.Trim(text) == "" {
		return ""
	}
	if t, ok := values.ParseWordValue(text, present, 1024); ok && cpuListText.MatchString(t) {
		return t
	}
	return nil
}

// groupPaths: "/" and every child control group (a directory with a schemata file), in listing order.
func groupPaths(fs *hostfs.FS) ([]string, error) {
	paths := []string{"/"}
	names, _, err := fs.ListDir(root)
	if err != nil {
		return nil, nodeError(err, true)
	}
	for _, name := range names {
		if notGroups[name] {
			continue
		}
		if fs.Exists(root + "/" + name + "/schemata") {
			paths = append(paths, name)
		}
	}
	return paths, nil
}

func monGroupPath(controlGroup, mon string) string {
	if controlGroup == "/" {
		return "mon_groups/" + mon
	}
	return controlGroup + "/mon_groups/" + mon
}

// ReadMonitoring reads only what the QoS samples need: every monitoring group with its counters, in
// the order readResctrl finds them (CPUsList and TaskCount left nil). mounted=false when resctrl is not
// mounted (no info/). The same groups and values as ReadResctrl's Monitoring, for fewer reads: the
// static files (info, schemata, cpus_list, tasks, mode) are not read, so they cannot fail it.
func ReadMonitoring(fs *hostfs.FS) (groups []MonGroup, mounted bool, err error) {
	if !fs.Exists(root + "/info") {
		return nil, false, nil
	}
	paths, err := groupPaths(fs)
	if err != nil {
		return nil, true, err
	}
	groups = []MonGroup{}
	for _, gp := range paths {
		dir := dirOf(gp)
		own, ok, err := readMonData(fs, dir)
		if err != nil {
			return nil, true, err
		}
		if ok {
			groups = append(groups, MonGroup{Path: gp, ControlGroup: gp, Domains: own})
		}
		mons, _, err := fs.ListDir(dir + "/mon_groups")
		if err != nil {
			return nil, true, nodeError(err, true)
		}
		for _, mon := range mons {
			domains, ok, err := readMonData(fs, dir+"/mon_groups/"+mon)
			if err != nil {
				return nil, true, err
			}
			if ok {
				groups = append(groups, MonGroup{Path: monGroupPath(gp, mon), ControlGroup: gp, Domains: domains})
			}
		}
	}
	return groups, true, nil
}

// Reading is readResctrl's result: the section and every monitoring group with its per-domain values.
type Reading struct {
	Section    map[string]any
	Monitoring []MonGroup
}

// ReadResctrl reads the whole resctrl tree; nil when resctrl is not mounted (not an error: VMs have none).
func ReadResctrl(fs *hostfs.FS) (*Reading, error) {
	w := values.NewWarnings()
	mounts, mountsOk := fs.ReadTextOptional("proc/mounts")
	var mountOptions []string
	inMounts := false
	if mountsOk {
		mountOptions, inMounts = ParseResctrlMount(mounts)
	}
	if !fs.Exists(root + "/info") {
		return nil, nil
	}
	info, err := readInfo(fs, w)
	if err != nil {
		return nil, err
	}
	paths, err := groupPaths(fs)
	if err != nil {
		return nil, err
	}
	controlGroups := []any{}
	monitoring := []MonGroup{}
	for _, gp := range paths {
		dir := dirOf(gp)
		schemata := []any{}
		text, ok, err := fs.ReadText(dir + "/schemata")
		if err != nil {
			return nil, nodeError(err, false)
		}
		if ok {
			if parsed, perr := ParseSchemata(text); perr != nil {
				w.Add(gp + ": " + perr.Error())
			} else {
				schemata = parsed
			}
		}
		cpus, cpusOk, err := fs.ReadText(dir + "/cpus_list")
		if err != nil {
			return nil, nodeError(err, false)
		}
		cpusList := cpusListOf(cpus, cpusOk)
		taskCount := CountTasks(fs.ReadTextOptional(dir + "/tasks"))
		mode, modeOk, err := fs.ReadText(dir + "/mode")
		if err != nil {
			return nil, nodeError(err, false)
		}
		controlGroups = append(controlGroups, map[string]any{
			"path": gp, "schemata": schemata, "cpusList": cpusList, "taskCount": taskCount, "mode": values.WordOrNil(mode, modeOk, 64),
		})

		own, ok, err := readMonData(fs, dir)
		if err != nil {
			return nil, err
		}
		if ok {
			monitoring = append(monitoring, MonGroup{Path: gp, ControlGroup: gp, CPUsList: cpusList, TaskCount: taskCount, Domains: own})
		}
		mons, _, err := fs.ListDir(dir + "/mon_groups")
		if err != nil {
			return nil, nodeError(err, true)
		}
		for _, mon := range mons {
			mdir := dir + "/mon_groups/" + mon
			domains, ok, err := readMonData(fs, mdir)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			mcpus, mcpusOk, err := fs.ReadText(mdir + "/cpus_list")
			if err != nil {
				return nil, nodeError(err, false)
			}
			monitoring = append(monitoring, MonGroup{
				Path:         monGroupPath(gp, mon),
				ControlGroup: gp,
				CPUsList:     cpusListOf(mcpus, mcpusOk),
				TaskCount:    CountTasks(fs.ReadTextOptional(mdir + "/tasks")),
				Domains:      domains,
			})
		}
	}

	monGroups := make([]any, 0, len(monitoring))
	for _, g := range monitoring {
		domains := make([]any, 0, len(g.Domains))
		for _, d := range g.Domains {
			domains = append(domains, map[string]any{
				"domain":        d.Domain,
				"id":            d.ID,
				"llcOccupancy":  d.Values[0].Status,
				"mbmTotalBytes": d.Values[1].Status,
				"mbmLocalBytes": d.Values[2].Status,
			})
		}
		monGroups = append(monGroups, map[string]any{
			"path": g.Path, "controlGroup": g.ControlGroup, "cpusList": g.CPUsList, "taskCount": g.TaskCount, "domains": domains,
		})
	}
	var inProcMounts any
	if mountsOk {
		inProcMounts = inMounts
	}
	if mountOptions == nil {
		mountOptions = []string{}
	}
	section := map[string]any{
		"mounted":       true,
		"inProcMounts":  inProcMounts,
		"mountOptions":  mountOptions,
		"info":          info,
		"controlGroups": controlGroups,
		"monGroups":     monGroups,
		"warnings":      w.Items,
	}
	return &Reading{Section: section, Monitoring: monitoring}, nil
}

// Read is the collector entry point for the report: the static section, or nil (not available).
func Read(fs *hostfs.FS) (any, error) {
	r, err := ReadResctrl(fs)
	if err != nil || r == nil {
		return nil, err
	}
	return r.Section, nil
}

// ISOTime formats t as JavaScript's Date.prototype.toISOString (UTC, milliseconds).
func ISOTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// ToQosSamples is toQosSamples (pure): one QosSample (server/contract/sections/qos.ts) per monitoring
// group and domain: {at, group, domain, llcOccupancyBytes, mbmTotalBytes, mbmLocalBytes}, the byte
// counts as decimal strings or nil.
func ToQosSamples(monitoring []MonGroup, at time.Time) []map[string]any {
	iso := ISOTime(at)
	out := []map[string]any{}
	for _, g := range monitoring {
		for _, d := range g.Domains {
			out = append(out, map[string]any{
				"at":                iso,
				"group":             g.Path,
				"domain":            d.Domain,
				"llcOccupancyBytes": d.Values[0].JSON(),
				"mbmTotalBytes":     d.Values[1].JSON(),
				"mbmLocalBytes":     d.Values[2].JSON(),
			})
		}
	}
	return out
}
