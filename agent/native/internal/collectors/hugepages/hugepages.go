// Package hugepages collects the "hugepages" section (the Go port of agent/collectors/hugepages.ts):
// hugepage pools per size, globally and per NUMA node, with /proc/meminfo's default size and MemTotal.
package hugepages

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/hostfs"
)

const (
	globalDir = "sys/kernel/mm/hugepages"
	nodeDir   = "sys/devices/system/node"
)

var (
	globalFiles = []string{"nr_hugepages", "free_hugepages", "resv_hugepages", "surplus_hugepages", "nr_overcommit_hugepages"}
	nodeFiles   = []string{"nr_hugepages", "free_hugepages", "surplus_hugepages"}
)

// File is one file's text; Present is false when it does not exist.
type File struct {
	Text    string
	Present bool
}

// Size is one hugepages-<size>kB directory's files by name (a name not in Files is absent).
type Size struct {
	SizeKb float64
	Files  map[string]File
}

// Node is one NUMA node's meminfo and hugepage sizes.
type Node struct {
	Node    int
	Meminfo File
	Sizes   []Size
}

// Raw is what Read gathers, parsed by Parse.
type Raw struct {
	Meminfo File
	Sizes   []Size
	Nodes   []Node
}

// ParseDirName is parseHugepageDirName: "hugepages-1048576kB" → 1048576 (/^hugepages-(\d+)kB$/).
func ParseDirName(name string) (float64, bool) {
	if !strings.HasPrefix(name, "hugepages-") || !strings.HasSuffix(name, "kB") || len(name) < len("hugepages-kB")+1 {
		return 0, false
	}
	digits := name[len("hugepages-") : len(name)-len("kB")]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, _ := strconv.ParseFloat(digits, 64) // Number(): Infinity past float64's range, as ParseFloat gives
	return n, true
}

// isLineTerminator: where JavaScript's multiline ^ may match after.
func isLineTerminator(r rune) bool {
	return r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029
}

// ParseMeminfoValue is parseMeminfoValue: the number of the first "Key:   123 kB" line, also
// "Node 0 Key: …" (/^(?:Node \d+ )?Key:\s+(\d+)/m; JS's \s+ may cross line ends, ^ follows \n, \r,
// U+2028 and U+2029 — hence by hand, not RE2).
func ParseMeminfoValue(f File, key string) (float64, bool) {
	if !f.Present {
		return 0, false
	}
	text := f.Text
	at := func(p int) (float64, bool) {
		if rest, ok := afterNodePrefix(text[p:]); ok {
			if n, ok := keyNumber(rest, key); ok {
				return n, true
			}
		}
		return keyNumber(text[p:], key)
	}
	if n, ok := at(0); ok {
		return n, true
	}
	for i, r := range text {
		if isLineTerminator(r) {
			size := len(string(r))
			if n, ok := at(i + size); ok {
				return n, true
			}
		}
	}
	return 0, false
}

// afterNodePrefix strips "Node <digits> " when s starts with it.
func afterNodePrefix(s string) (string, bool) {
	if !strings.HasPrefix(s, "Node ") {
		return "", false
	}
	i := len("Node ")
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i || j >= len(s) || s[j] != ' ' {
		return "", false
	}
	return s[j+1:], true
}

// keyNumber matches `Key:\s+(\d+)` at the start of s.
func keyNumber(s, key string) (float64, bool) {
	if !strings.HasPrefix(s, key+":") {
		return 0, false
	}
	rest := s[len(key)+1:]
	spaced := strings.TrimLeftFunc(rest, values.IsJSSpace)
	if len(spaced) == len(rest) {
		return 0, false
	}
	j := 0
	for j < len(spaced) && spaced[j] >= '0' && spaced[j] <= '9' {
		j++
	}
	if j == 0 {
		return 0, false
	}
	n, _ := strconv.ParseFloat(spaced[:j], 64)
	return n, true
}

// Parse builds the hugepages section (pure); a garbage count becomes null with a warning.
func Parse(raw Raw) map[string]any {
	warnings := values.NewWarnings()
	count := func(files map[string]File, name, where string) any {
		f, ok := files[name]
		if !ok || !f.Present {
			return nil
		}
		n, ok := values.ParseIntValue(f.Text, true)
		if !ok || n < 0 {
			warnings.Add(where + "/" + name + ": not a count: " + values.QuoteSliced(values.Trim(f.Text), 40))
			return nil
		}
		return n
	}
	var defaultSizeKb any
	if n, ok := ParseMeminfoValue(raw.Meminfo, "Hugepagesize"); ok && n > 0 {
		defaultSizeKb = n
	}
	// built in the TS object literal's order (memTotalKb, sizes, nodes): the warnings follow it
	memTotalKb := meminfoOrNil(raw.Meminfo, "MemTotal")
	sizes := make([]any, 0, len(raw.Sizes))
	for _, s := range raw.Sizes {
		where := "hugepages-" + numberText(s.SizeKb) + "kB"
		sizes = append(sizes, map[string]any{
			"sizeKb":     s.SizeKb,
			"nr":         count(s.Files, "nr_hugepages", where),
			"free":       count(s.Files, "free_hugepages", where),
			"resv":       count(s.Files, "resv_hugepages", where),
			"surplus":    count(s.Files, "surplus_hugepages", where),
			"overcommit": count(s.Files, "nr_overcommit_hugepages", where),
		})
	}
	nodes := make([]any, 0, len(raw.Nodes))
	for _, n := range raw.Nodes {
		nodeSizes := make([]any, 0, len(n.Sizes))
		for _, s := range n.Sizes {
			where := "node" + strconv.Itoa(n.Node) + "/hugepages-" + numberText(s.SizeKb) + "kB"
			nodeSizes = append(nodeSizes, map[string]any{
				"sizeKb":  s.SizeKb,
				"nr":      count(s.Files, "nr_hugepages", where),
				"free":    count(s.Files, "free_hugepages", where),
				"surplus": count(s.Files, "surplus_hugepages", where),
			})
		}
		nodes = append(nodes, map[string]any{"node": n.Node, "memTotalKb": meminfoOrNil(n.Meminfo, "MemTotal"), "sizes": nodeSizes})
	}
	return map[string]any{
		"defaultSizeKb": defaultSizeKb,
		"memTotalKb":    memTotalKb,
		"sizes":         sizes,
		"nodes":         nodes,
		"warnings":      warnings.Items,
	}
}

func meminfoOrNil(f File, key string) any {
	if n, ok := ParseMeminfoValue(f, key); ok {
		return n
	}
	return nil
}

func readFile(fs *hostfs.FS, rel string) (File, error) {
	text, ok, err := fs.ReadText(rel)
	return File{Text: text, Present: ok}, err
}

// readSizes reads dir's hugepages-<size>kB subdirectories, smallest size first.
func readSizes(fs *hostfs.FS, dir string, files []string) ([]Size, error) {
	names, _, err := fs.ListDir(dir)
	if err != nil {
		return nil, err
	}
	type sized struct {
		name string
		kb   float64
	}
	var found []sized
	for _, n := range names {
		if kb, ok := ParseDirName(n); ok {
			found = append(found, sized{n, kb})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].kb < found[j].kb })
	sizes := []Size{}
	for _, s := range found {
		texts := make(map[string]File, len(files))
		for _, f := range files {
			v, err := readFile(fs, dir+"/"+s.name+"/"+f)
			if err != nil {
				return nil, err
			}
			texts[f] = v
		}
		sizes = append(sizes, Size{SizeKb: s.kb, Files: texts})
	}
	return sizes, nil
}

// ReadRaw reads the per-node pools, /proc/meminfo and the global pools (in the TS agent's order).
func ReadRaw(fs *hostfs.FS) (Raw, error) {
	names, _, err := fs.ListDir(nodeDir)
	if err != nil {
		return Raw{}, err
	}
	var raw Raw
	for _, node := range values.IndexedEntries(names, "node") {
		dir := nodeDir + "/node" + strconv.Itoa(node)
		meminfo, err := readFile(fs, dir+"/meminfo")
		if err != nil {
			return Raw{}, err
		}
		sizes, err := readSizes(fs, dir+"/hugepages", nodeFiles)
		if err != nil {
			return Raw{}, err
		}
		raw.Nodes = append(raw.Nodes, Node{Node: node, Meminfo: meminfo, Sizes: sizes})
	}
	if raw.Meminfo, err = readFile(fs, "proc/meminfo"); err != nil {
		return Raw{}, err
	}
	if raw.Sizes, err = readSizes(fs, globalDir, globalFiles); err != nil {
		return Raw{}, err
	}
	return raw, nil
}

// Read returns the hugepages section, or nil when the kernel exposes no hugepage sizes (no hugetlbfs).
func Read(fs *hostfs.FS) (any, error) {
	raw, err := ReadRaw(fs)
	if err != nil {
		return nil, err
	}
	hasSizes := len(raw.Sizes) > 0
	for _, n := range raw.Nodes {
		hasSizes = hasSizes || len(n.Sizes) > 0
	}
	if !hasSizes {
		return nil, nil
	}
	return Parse(raw), nil
}

// numberText is String(n): values.NumberText is JSON's text, "null" for the Infinity a 400-digit
// number in the input gives; JavaScript's template literals write "Infinity".
func numberText(n float64) string {
	if math.IsInf(n, 1) {
		return "Infinity"
	}
	return values.NumberText(n)
}
