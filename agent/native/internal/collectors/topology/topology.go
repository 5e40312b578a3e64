// Package topology collects the "topology" section (the Go port of agent/collectors/topology.ts):
// CPUs, cores, NUMA nodes, caches and the CPU identity and flags of /proc/cpuinfo.
package topology

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/hostfs"
)

const (
	cpuDir  = "sys/devices/system/cpu"
	nodeDir = "sys/devices/system/node"
)

// Text is a file's raw text; OK=false means the file is absent (TS null).
type Text = values.Text

// T is a present file's text (for tests and readers).
func T(s string) Text { return Text{S: s, OK: true} }

// RawCPU holds the raw text of one cpuN's topology files.
type RawCPU struct {
	CPU       int
	Online    Text // cpuN/online (absent for cpu0 on most hosts)
	PackageID Text
	DieID     Text
	CoreID    Text
	Siblings  Text // core_cpus_list, else thread_siblings_list
	// NodeFromEntry is the NUMA node from a cpuN/nodeK entry, when the node cpulists do not say (-1: none).
	NodeFromEntry int
}

// RawCache holds the raw text of one cpuN/cache/indexK directory.
type RawCache struct {
	Level, Type, ID, Size, Ways, LineSize, SharedCPUList Text
}

// RawNode is one nodeN and its cpulist.
type RawNode struct {
	Node    int
	CPUList Text
}

// Raw is every file topology reads: the pure input of ParseTopology.
type Raw struct {
	Possible, Present, Online Text
	CPUDirs                   []int
	CPUs                      []RawCPU
	Nodes                     []RawNode
	Caches                    []RawCache
	CPUInfo                   Text
}

// CPUInfo is the identity of the first processor of /proc/cpuinfo, its flags and the processor count.
type CPUInfo struct {
	Vendor, ModelName, Microcode any // string or nil
	Family, Model, Stepping      any // float64 or nil
	Flags                        []string
	Processors                   int
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ParseCPUInfo parses /proc/cpuinfo (x86 layout).
func ParseCPUInfo(text string) CPUInfo {
	info := CPUInfo{Flags: []string{}}
	block := 0
	for _, line := range strings.Split(text, "\n") {
		colon := strings.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		key := values.Trim(line[:colon])
		value := values.Trim(line[colon+1:])
		if key == "processor" {
			block++
			info.Processors++
			continue
		}
		if block > 1 {
			continue
		}
		switch key {
		case "vendor_id":
			info.Vendor = orNil(value)
		case "model name":
			info.ModelName = orNil(value)
		case "cpu family":
			info.Family = values.IntOrNil(value, true)
		case "model":
			info.Model = values.IntOrNil(value, true)
		case "stepping":
			info.Stepping = values.IntOrNil(value, true)
		case "microcode":
			info.Microcode = orNil(value)
		case "flags":
			info.Flags = values.Fields(value)
		}
	}
	return info
}

// ParseCacheSizeKb turns "32K", "46080K", "1024 KB", "2M" (sysfs cache size) into KiB; ok=false otherwise.
// It hand-codes /^(\d+)\s*([KMG])?i?B?$/i.
func ParseCacheSizeKb(t Text) (float64, bool) {
	if !t.OK {
		return 0, false
	}
	s := values.Trim(t.S)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n := values.DigitsNumber(s[:i])
	rest := strings.TrimLeftFunc(s[i:], values.IsJSSpace)
	unit := byte(0)
	if rest != "" {
		switch c := rest[0] | 0x20; c {
		case 'k', 'm', 'g':
			unit = c
			rest = rest[1:]
		}
	}
	if rest != "" && rest[0]|0x20 == 'i' {
		rest = rest[1:]
	}
	if rest != "" && rest[0]|0x20 == 'b' {
		rest = rest[1:]
	}
	if rest != "" {
		return 0, false
	}
	switch unit {
	case 'm':
		return n * 1024, true
	case 'g':
		return n * 1024 * 1024, true
	case 'k':
		return n, true
	}
	return math.Round(n / 1024), true // n >= 0: half away from zero is Math.round's half up
}

func itoa(n int) string { return strconv.Itoa(n) }

func cacheType(t Text) string {
	if t.OK {
		switch s := values.Trim(t.S); s {
		case "Data", "Instruction", "Unified":
			return s
		}
	}
	return "Unknown"
}

func listOrWarn(t Text, what string, w *values.Warnings) ([]int, bool) {
	if !t.OK {
		return nil, false
	}
	list, ok := values.TryParseCPUList(t.S)
	if !ok {
		w.Add(what + ": not a cpu list: " + values.QuoteSliced(values.Trim(t.S), 80))
	}
	return list, ok
}

// intOrWarn: physical_package_id/die_id read -1 when the firmware does not say: unknown, no warning.
func intOrWarn(t Text, what string, w *values.Warnings) any {
	if !t.OK {
		return nil
	}
	n, ok := values.ParseIntValue(t.S, true)
	if !ok {
		w.Add(what + ": not a number: " + values.QuoteSliced(values.Trim(t.S), 80))
		return nil
	}
	if n < 0 {
		return nil
	}
	return n
}

type core struct {
	pkg, die, core float64
	node           any
	cpus           []int
}

func coreKey(pkg, die, c float64) string {
	return values.NumberText(pkg) + "/" + values.NumberText(die) + "/" + values.NumberText(c)
}

// ParseTopology builds the topology section from raw file text. Pure; tolerates bad fields one by one
// (with warnings).
func ParseTopology(raw Raw) map[string]any {
	w := values.NewWarnings()
	known := map[int]bool{}
	for _, c := range raw.CPUDirs {
		known[c] = true
	}
	for _, t := range []Text{raw.Possible, raw.Present} {
		list, _ := listOrWarn(t, "cpu/possible|present", w)
		for _, c := range list {
			known[c] = true
		}
	}
	onlineList, haveOnlineList := listOrWarn(raw.Online, "cpu/online", w)
	onlineSet := map[int]bool{}
	for _, c := range onlineList {
		onlineSet[c] = true
	}

	nodeOf := map[int]int{}
	nodes := []any{}
	for _, n := range raw.Nodes {
		cpus, ok := listOrWarn(n.CPUList, "node"+values.NumberText(float64(n.Node))+"/cpulist", w)
		if !ok {
			cpus = []int{}
		}
		nodes = append(nodes, map[string]any{"node": n.Node, "cpus": cpus})
		for _, c := range cpus {
			if _, seen := nodeOf[c]; !seen {
				nodeOf[c] = n.Node
			}
		}
	}

	rawByCPU := map[int]RawCPU{}
	for _, c := range raw.CPUs {
		rawByCPU[c.CPU] = c // a later duplicate wins, as new Map(entries) does
	}
	order := make([]int, 0, len(known))
	for c := range known {
		order = append(order, c)
	}
	sort.Ints(order)

	type cpuOut struct {
		cpu            int
		pkg, die, core any
		node           any
		siblings       []int
		online         bool
	}
	cpus := make([]*cpuOut, 0, len(order))
	for _, cpu := range order {
		r, have := rawByCPU[cpu]
		if !have {
			r = RawCPU{CPU: cpu, NodeFromEntry: -1}
		}
		var online bool
		switch {
		case haveOnlineList:
			online = onlineSet[cpu]
		case r.Online.OK:
			online = values.Trim(r.Online.S) == "1"
		default:
			online = true
		}
		name := "cpu" + values.NumberText(float64(cpu)) + "/topology/"
		c := &cpuOut{cpu: cpu, online: online}
		c.pkg = intOrWarn(r.PackageID, name+"physical_package_id", w)
		c.die = intOrWarn(r.DieID, name+"die_id", w)
		c.core = intOrWarn(r.CoreID, name+"core_id", w)
		if n, ok := nodeOf[cpu]; ok {
			c.node = n
		} else if r.NodeFromEntry >= 0 {
			c.node = r.NodeFromEntry
		}
		siblings, ok := listOrWarn(r.Siblings, name+"core_cpus_list", w)
		if !ok {
			siblings = []int{}
		}
		c.siblings = siblings
		cpus = append(cpus, c)
	}

	// Cores keyed by (package, die, core): core_id alone repeats on every package. A missing die_id is die 0.
	cores := map[string]*core{}
	coreOrder := []*core{}
	dieOf := func(c *cpuOut) float64 {
		if c.die == nil {
			return 0
		}
		return c.die.(float64)
	}
	for _, c := range cpus {
		if c.pkg == nil || c.core == nil {
			continue
		}
		key := coreKey(c.pkg.(float64), dieOf(c), c.core.(float64))
		entry := cores[key]
		if entry == nil {
			entry = &core{pkg: c.pkg.(float64), die: dieOf(c), core: c.core.(float64), node: c.node}
			cores[key] = entry
			coreOrder = append(coreOrder, entry)
		}
		entry.cpus = append(entry.cpus, c.cpu)
	}
	// Siblings missing or unreadable: derive them from the core grouping.
	for _, c := range cpus {
		if len(c.siblings) > 0 || c.pkg == nil || c.core == nil {
			continue
		}
		if entry := cores[coreKey(c.pkg.(float64), dieOf(c), c.core.(float64))]; entry != nil {
			c.siblings = append([]int{}, entry.cpus...)
		} else {
			c.siblings = []int{c.cpu}
		}
	}
	sort.SliceStable(coreOrder, func(i, j int) bool {
		a, b := coreOrder[i], coreOrder[j]
		if a.pkg != b.pkg {
			return a.pkg < b.pkg
		}
		if a.die != b.die {
			return a.die < b.die
		}
		return a.core < b.core
	})

	type cacheOut struct {
		level  float64
		typ    string
		shared []int
		value  map[string]any
	}
	seenCache := map[string]bool{}
	caches := []cacheOut{}
	for _, k := range raw.Caches {
		level, levelOK := values.ParseIntValue(k.Level.S, k.Level.OK)
		shared, ok := listOrWarn(k.SharedCPUList, "cache shared_cpu_list", w)
		if !ok {
			shared = []int{}
		}
		if !levelOK {
			continue
		}
		typ := cacheType(k.Type)
		parts := make([]string, len(shared))
		for i, c := range shared {
			parts[i] = values.NumberText(float64(c))
		}
		key := values.NumberText(level) + "/" + typ + "/" + strings.Join(parts, ",")
		if seenCache[key] {
			continue
		}
		seenCache[key] = true
		var sizeKb any
		if kb, ok := ParseCacheSizeKb(k.Size); ok {
			sizeKb = kb
		}
		caches = append(caches, cacheOut{level: level, typ: typ, shared: shared, value: map[string]any{
			"level":      level,
			"type":       typ,
			"id":         values.IntOrNil(k.ID.S, k.ID.OK),
			"sizeKb":     sizeKb,
			"ways":       values.IntOrNil(k.Ways.S, k.Ways.OK),
			"lineSize":   values.IntOrNil(k.LineSize.S, k.LineSize.OK),
			"sharedCpus": shared,
		}})
	}
	first := func(s []int) int {
		if len(s) == 0 {
			return 0
		}
		return s[0]
	}
	sort.SliceStable(caches, func(i, j int) bool {
		a, b := caches[i], caches[j]
		if a.level != b.level {
			return a.level < b.level
		}
		if a.typ != b.typ {
			return a.typ < b.typ // ASCII names: byte order is code-unit order
		}
		return first(a.shared) < first(b.shared)
	})

	info := CPUInfo{Flags: []string{}}
	if raw.CPUInfo.OK {
		info = ParseCPUInfo(raw.CPUInfo.S)
	} else {
		w.Add("proc/cpuinfo missing")
	}
	flagSet := map[string]bool{}
	for _, f := range info.Flags {
		flagSet[f] = true
	}
	has := func(f string) bool { return flagSet[f] }

	packages := map[float64]bool{}
	cpuList := make([]any, 0, len(cpus))
	onlineCpus, offlineCpus := []int{}, []int{}
	for _, c := range cpus {
		if c.pkg != nil {
			packages[c.pkg.(float64)] = true
		}
		if c.online {
			onlineCpus = append(onlineCpus, c.cpu)
		} else {
			offlineCpus = append(offlineCpus, c.cpu)
		}
		cpuList = append(cpuList, map[string]any{
			"cpu": c.cpu, "package": c.pkg, "die": c.die, "core": c.core, "node": c.node, "siblings": c.siblings, "online": c.online,
		})
	}
	threadsPerCore := 0
	coreList := make([]any, 0, len(coreOrder))
	for _, c := range coreOrder {
		if len(c.cpus) > threadsPerCore {
			threadsPerCore = len(c.cpus)
		}
		coreList = append(coreList, map[string]any{"package": c.pkg, "die": c.die, "core": c.core, "node": c.node, "cpus": c.cpus})
	}
	cacheList := make([]any, 0, len(caches))
	for _, c := range caches {
		cacheList = append(cacheList, c.value)
	}
	return map[string]any{
		"vendor":         info.Vendor,
		"cpuModel":       info.ModelName,
		"cpuFamily":      info.Family,
		"cpuModelNumber": info.Model,
		"stepping":       info.Stepping,
		"microcode":      info.Microcode,
		"cpuCount":       len(cpus),
		"onlineCpus":     onlineCpus,
		"offlineCpus":    offlineCpus,
		"sockets":        len(packages),
		"coreCount":      len(coreList),
		"threadsPerCore": threadsPerCore,
		"numaNodes":      len(nodes),
		"isVirtual":      has("hypervisor"),
		"flags": map[string]any{
			"constantTsc":      has("constant_tsc"),
			"nonstopTsc":       has("nonstop_tsc"),
			"tscDeadlineTimer": has("tsc_deadline_timer"),
			"tscKnownFreq":     has("tsc_known_freq"),
			"vmx":              has("vmx"),
			"svm":              has("svm"),
			"hypervisor":       has("hypervisor"),
			"ht":               has("ht"),
			"cqm":              has("cqm"),
			"cqmLlc":           has("cqm_llc"),
			"cqmOccupLlc":      has("cqm_occup_llc"),
			"cqmMbmTotal":      has("cqm_mbm_total"),
			"cqmMbmLocal":      has("cqm_mbm_local"),
			"rdtA":             has("rdt_a"),
			"catL3":            has("cat_l3"),
			"cdpL3":            has("cdp_l3"),
			"mba":              has("mba"),
		},
		"cpus":     cpuList,
		"cores":    coreList,
		"nodes":    nodes,
		"caches":   cacheList,
		"warnings": w.Items,
	}
}

// reader is values.Reader: the first real read error is kept, absent files are just absent.
type reader struct{ values.Reader }

func (r *reader) caches(cpus []int) []RawCache {
	out := []RawCache{}
	// Read each distinct cache once: skip CPUs already covered by a shared_cpu_list of the same index.
	covered := map[int]map[int]bool{}
	for _, cpu := range cpus {
		base := cpuDir + "/cpu" + itoa(cpu) + "/cache"
		for _, k := range values.IndexedEntries(r.List(base), "index") {
			seen := covered[k]
			if seen == nil {
				seen = map[int]bool{}
				covered[k] = seen
			}
			if seen[cpu] {
				continue
			}
			dir := base + "/index" + itoa(k)
			c := RawCache{
				Level:         r.Text(dir + "/level"),
				Type:          r.Text(dir + "/type"),
				ID:            r.Text(dir + "/id"),
				Size:          r.Text(dir + "/size"),
				Ways:          r.Text(dir + "/ways_of_associativity"),
				LineSize:      r.Text(dir + "/coherency_line_size"),
				SharedCPUList: r.Text(dir + "/shared_cpu_list"),
			}
			out = append(out, c)
			shared, _ := values.TryParseCPUList(c.SharedCPUList.S)
			for _, s := range shared {
				seen[s] = true
			}
			seen[cpu] = true
		}
	}
	return out
}

// ReadRaw gathers the raw topology files of the tree; missing files stay absent.
func ReadRaw(fs *hostfs.FS) (Raw, error) {
	r := &reader{values.Reader{FS: fs}}
	cpuDirs := values.IndexedEntries(r.List(cpuDir), "cpu")
	var nodes []RawNode
	inNodes := map[int]bool{}
	for _, node := range values.IndexedEntries(r.List(nodeDir), "node") {
		n := RawNode{Node: node, CPUList: r.Text(nodeDir + "/node" + itoa(node) + "/cpulist")}
		nodes = append(nodes, n)
		list, _ := values.TryParseCPUList(n.CPUList.S)
		for _, c := range list {
			inNodes[c] = true
		}
	}
	var cpus []RawCPU
	for _, cpu := range cpuDirs {
		dir := cpuDir + "/cpu" + itoa(cpu)
		t := dir + "/topology"
		nodeFromEntry := -1
		if !inNodes[cpu] {
			if entries := values.IndexedEntries(r.List(dir), "node"); len(entries) > 0 {
				nodeFromEntry = entries[0]
			}
		}
		c := RawCPU{CPU: cpu, NodeFromEntry: nodeFromEntry}
		c.Online = r.Text(dir + "/online")
		c.PackageID = r.Text(t + "/physical_package_id")
		c.DieID = r.Text(t + "/die_id")
		c.CoreID = r.Text(t + "/core_id")
		if c.Siblings = r.Text(t + "/core_cpus_list"); !c.Siblings.OK {
			c.Siblings = r.Text(t + "/thread_siblings_list")
		}
		cpus = append(cpus, c)
	}
	raw := Raw{CPUDirs: cpuDirs, CPUs: cpus, Nodes: nodes}
	raw.Possible = r.Text(cpuDir + "/possible")
	raw.Present = r.Text(cpuDir + "/present")
	raw.Online = r.Text(cpuDir + "/online")
	raw.Caches = r.caches(cpuDirs)
	raw.CPUInfo = r.Text("proc/cpuinfo")
	return raw, r.Err
}

// Read returns the topology section, or nil when the tree has no CPU information at all.
func Read(fs *hostfs.FS) (any, error) {
	raw, err := ReadRaw(fs)
	if err != nil {
		return nil, err
	}
	if len(raw.CPUDirs) == 0 && !raw.Possible.OK && !raw.Present.OK && !raw.CPUInfo.OK {
		return nil, nil
	}
	return ParseTopology(raw), nil
}
