package topology

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"nfvdeck/agent/internal/hostfs"
)

const fixtures = "../../../../fixtures"

func rawCPU(cpu int, pkg, core, siblings, die Text) RawCPU {
	return RawCPU{CPU: cpu, PackageID: pkg, DieID: die, CoreID: core, Siblings: siblings, NodeFromEntry: -1}
}

var none = Text{}

func TestParseCPUInfo(t *testing.T) {
	cases := []struct {
		text       string
		vendor     any
		model      any
		flags      []string
		processors int
	}{
		{"", nil, nil, []string{}, 0},
		{"processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: X\nflags\t\t: vmx constant_tsc\n", "GenuineIntel", "X", []string{"vmx", "constant_tsc"}, 1},
		{"processor\t: 0\nvendor_id\t: Genu", "Genu", nil, []string{}, 1},
		{"garbage without colons\n\n", nil, nil, []string{}, 0},
		// only the first processor's identity counts
		{"processor: 0\nvendor_id: A\nprocessor: 1\nvendor_id: B\n", "A", nil, []string{}, 2},
	}
	for i, c := range cases {
		info := ParseCPUInfo(c.text)
		if info.Vendor != c.vendor || info.ModelName != c.model || !reflect.DeepEqual(info.Flags, c.flags) || info.Processors != c.processors {
			t.Errorf("case %d: got %+v", i, info)
		}
	}
}

func TestParseCPUInfoBaseline(t *testing.T) {
	fs, _ := hostfs.New(filepath.Join(fixtures, "kvm4nfv-baseline"))
	text, ok, err := fs.ReadText("proc/cpuinfo")
	if !ok || err != nil {
		t.Fatal(ok, err)
	}
	info := ParseCPUInfo(text)
	if info.Vendor != "GenuineIntel" || info.Family != 6.0 || info.Model != 63.0 || info.Stepping != 2.0 || info.Processors != 36 {
		t.Errorf("baseline cpuinfo: %+v", info)
	}
	if !strings.Contains(" "+strings.Join(info.Flags, " ")+" ", " tsc_deadline_timer ") {
		t.Error("tsc_deadline_timer missing")
	}
}

func TestParseCacheSizeKb(t *testing.T) {
	cases := []struct {
		in   Text
		want any
	}{
		{T("32K"), 32.0}, {T("46080K\n"), 46080.0}, {T("2M"), 2048.0}, {T("512 KB"), 512.0}, {T("1g"), 1048576.0},
		{T("2MiB"), 2048.0}, {T("1536"), 2.0}, {T("abc"), nil}, {T("12KX"), nil}, {none, nil},
	}
	for _, c := range cases {
		var got any
		if kb, ok := ParseCacheSizeKb(c.in); ok {
			got = kb
		}
		if got != c.want {
			t.Errorf("ParseCacheSizeKb(%q) = %v, want %v", c.in.S, got, c.want)
		}
	}
}

func TestParseTopologyEmpty(t *testing.T) {
	s := ParseTopology(Raw{})
	if len(s["cpus"].([]any)) != 0 || s["sockets"] != 0 {
		t.Errorf("empty: %v", s)
	}
	if !reflect.DeepEqual(s["warnings"], []string{"proc/cpuinfo missing"}) {
		t.Errorf("warnings: %v", s["warnings"])
	}
}

func TestParseTopologyCoresKeyedByPackage(t *testing.T) {
	s := ParseTopology(Raw{CPUDirs: []int{0, 1, 2, 3}, Online: T("0-3"), CPUs: []RawCPU{
		rawCPU(0, T("0"), T("0"), T("0,2"), T("0")), rawCPU(1, T("1"), T("0"), T("1,3"), T("0")),
		rawCPU(2, T("0"), T("0"), T("0,2"), T("0")), rawCPU(3, T("1"), T("0"), T("1,3"), T("0")),
	}})
	want := []any{
		map[string]any{"package": 0.0, "die": 0.0, "core": 0.0, "node": nil, "cpus": []int{0, 2}},
		map[string]any{"package": 1.0, "die": 0.0, "core": 0.0, "node": nil, "cpus": []int{1, 3}},
	}
	if !reflect.DeepEqual(s["cores"], want) {
		t.Errorf("cores: %v", s["cores"])
	}
	if s["threadsPerCore"] != 2 || s["sockets"] != 2 {
		t.Errorf("threadsPerCore %v sockets %v", s["threadsPerCore"], s["sockets"])
	}
}

func TestParseTopologyToleratesGarbage(t *testing.T) {
	s := ParseTopology(Raw{CPUDirs: []int{0, 1, 2}, Online: T("0-2"), CPUs: []RawCPU{
		rawCPU(0, T("0"), T("abc"), T("0"), T("0")), rawCPU(1, T("0"), T("1"), T(""), T("0")), rawCPU(2, T("-1"), T("2"), T("garbage"), T("0")),
	}})
	cpus := s["cpus"].([]any)
	c0, c1, c2 := cpus[0].(map[string]any), cpus[1].(map[string]any), cpus[2].(map[string]any)
	if c0["core"] != nil || !reflect.DeepEqual(c0["siblings"], []int{0}) {
		t.Errorf("cpu0: %v", c0)
	}
	if c1["core"] != 1.0 || !reflect.DeepEqual(c1["siblings"], []int{1}) {
		t.Errorf("cpu1 siblings derived from its core: %v", c1)
	}
	if c2["package"] != nil || !reflect.DeepEqual(c2["siblings"], []int{}) {
		t.Errorf("cpu2: %v", c2)
	}
	joined := strings.Join(s["warnings"].([]string), "\n")
	for _, want := range []string{`cpu0/topology/core_id: not a number: "abc"`, `cpu2/topology/core_cpus_list: not a cpu list: "garbage"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings %q lack %q", joined, want)
		}
	}
	if strings.Contains(joined, "physical_package_id") {
		t.Errorf("-1 is unknown, not a warning: %q", joined)
	}
}

func TestParseTopologyOffline(t *testing.T) {
	cpu3 := rawCPU(3, none, none, none, none)
	cpu3.NodeFromEntry = 1
	s := ParseTopology(Raw{Possible: T("0-3"), Online: T("0-1"), CPUDirs: []int{0, 1, 2, 3}, CPUs: []RawCPU{cpu3}})
	if !reflect.DeepEqual(s["offlineCpus"], []int{2, 3}) {
		t.Errorf("offline: %v", s["offlineCpus"])
	}
	want := map[string]any{"cpu": 3, "package": nil, "die": nil, "core": nil, "node": 1, "siblings": []int{}, "online": false}
	if got := s["cpus"].([]any)[3]; !reflect.DeepEqual(got, want) {
		t.Errorf("cpu3 = %v", got)
	}
	// without a parsable cpu/online, cpuN/online decides; no file at all means online
	s = ParseTopology(Raw{CPUDirs: []int{0, 1}, CPUs: []RawCPU{{CPU: 1, Online: T("0\n"), NodeFromEntry: -1}}})
	if !reflect.DeepEqual(s["onlineCpus"], []int{0}) || !reflect.DeepEqual(s["offlineCpus"], []int{1}) {
		t.Errorf("per-cpu online: %v / %v", s["onlineCpus"], s["offlineCpus"])
	}
}

func readTree(t *testing.T, tree string) map[string]any {
	fs, err := hostfs.New(filepath.Join(fixtures, tree))
	if err != nil {
		t.Fatal(err)
	}
	v, err := Read(fs)
	if err != nil || v == nil {
		t.Fatalf("%s: %v %v", tree, v, err)
	}
	return v.(map[string]any)
}

func TestFixtures(t *testing.T) {
	s := readTree(t, "kvm4nfv-baseline")
	if s["cpuCount"] != 36 || s["sockets"] != 2 || s["threadsPerCore"] != 1 || s["coreCount"] != 36 {
		t.Errorf("baseline counts: %v %v %v %v", s["cpuCount"], s["sockets"], s["threadsPerCore"], s["coreCount"])
	}
	want35 := map[string]any{"cpu": 35, "package": 1.0, "die": nil, "core": 27.0, "node": 1, "siblings": []int{35}, "online": true}
	if got := s["cpus"].([]any)[35]; !reflect.DeepEqual(got, want35) {
		t.Errorf("baseline cpu35 = %v", got)
	}
	var l3 []any
	for _, c := range s["caches"].([]any) {
		if c.(map[string]any)["level"] == 3.0 {
			l3 = append(l3, c.(map[string]any)["sizeKb"])
		}
	}
	if !reflect.DeepEqual(l3, []any{46080.0, 46080.0}) {
		t.Errorf("baseline L3 sizes %v", l3)
	}

	s = readTree(t, "ht-on-rdt")
	if s["cpuCount"] != 80 || s["coreCount"] != 40 || s["threadsPerCore"] != 2 {
		t.Errorf("ht-on-rdt counts: %v %v %v", s["cpuCount"], s["coreCount"], s["threadsPerCore"])
	}
	c65 := s["cpus"].([]any)[65].(map[string]any)
	if c65["package"] != 1.0 || c65["core"] != 8.0 || c65["node"] != 1 || !reflect.DeepEqual(c65["siblings"], []int{25, 65}) {
		t.Errorf("ht-on-rdt cpu65 = %v", c65)
	}
	flags := s["flags"].(map[string]any)
	if flags["rdtA"] != true || flags["cdpL3"] != true || flags["mba"] != true || flags["hypervisor"] != false {
		t.Errorf("ht-on-rdt flags %v", flags)
	}

	s = readTree(t, "amd-epyc")
	if s["vendor"] != "AuthenticAMD" || s["flags"].(map[string]any)["svm"] != true {
		t.Errorf("amd-epyc: %v %v", s["vendor"], s["flags"])
	}
	var shared [][]int
	for _, c := range s["caches"].([]any) {
		if c.(map[string]any)["level"] == 3.0 {
			shared = append(shared, c.(map[string]any)["sharedCpus"].([]int))
		}
	}
	if len(shared) != 8 || !reflect.DeepEqual(shared[0], []int{0, 1, 16, 17}) {
		t.Errorf("amd-epyc L3 per CCX: %v", shared)
	}
}

func TestReadEmptyTree(t *testing.T) {
	fs, _ := hostfs.New(t.TempDir())
	if v, err := Read(fs); v != nil || err != nil {
		t.Errorf("an empty tree has no topology: %v %v", v, err)
	}
}

// BenchmarkRead is one collection from the largest fixture tree (80 CPUs, HT on).
func BenchmarkRead(b *testing.B) {
	fs, err := hostfs.New(filepath.Join(fixtures, "ht-on-rdt"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if v, err := Read(fs); v == nil || err != nil {
			b.Fatal(v, err)
		}
	}
}
