package kernel

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"nfvdeck/agent/internal/hostfs"
)

const fixtures = "../../../../fixtures"

const guideHost = "isolcpus=11-15,31-35 nohz_full=11-15,31-35 rcu_nocbs=11-15,31-35 iommu=pt intel_iommu=on default_hugepagesz=1G"

var guideIsolated = []int{11, 12, 13, 14, 15, 31, 32, 33, 34, 35}

func TestParseCmdlineParams(t *testing.T) {
	cases := []struct {
		text string
		want []CmdlineParam
	}{
		{"", []CmdlineParam{}},
		{"quiet", []CmdlineParam{{Key: "quiet"}}},
		{"a=1 b= c", []CmdlineParam{{"a", "1", true}, {"b", "", true}, {Key: "c"}}},
		{`dyndbg="file x.c +p" ro`, []CmdlineParam{{"dyndbg", "file x.c +p", true}, {Key: "ro"}}},
		{"ro -- --init-arg=1", []CmdlineParam{{Key: "ro"}}},
		{"  a=1\n", []CmdlineParam{{"a", "1", true}}},
		{"=x a", []CmdlineParam{{Key: "a"}}},
	}
	for _, c := range cases {
		if got := ParseCmdlineParams(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseCmdlineParams(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestParseIsolcpus(t *testing.T) {
	cases := []struct {
		raw   string
		flags []string
		cpus  []int
		ok    bool
	}{
		{"managed_irq,domain,2-5", []string{"managed_irq", "domain"}, []int{2, 3, 4, 5}, true},
		{"2-5", []string{}, []int{2, 3, 4, 5}, true},
		{"nohz,domain,1,3", []string{"nohz", "domain"}, []int{1, 3}, true},
		{"domain", []string{"domain"}, []int{}, true},
		{"2-", []string{}, nil, false},
	}
	for _, c := range cases {
		flags, cpus, ok := ParseIsolcpus(c.raw)
		if !reflect.DeepEqual(flags, c.flags) || ok != c.ok || (ok && !reflect.DeepEqual(cpus, c.cpus)) {
			t.Errorf("ParseIsolcpus(%q) = %v %v %v", c.raw, flags, cpus, ok)
		}
	}
}

func TestParseCmdline(t *testing.T) {
	c := ParseCmdline(guideHost).Section
	if !reflect.DeepEqual(c["isolcpus"], map[string]any{"flags": []string{}, "cpus": guideIsolated, "raw": "11-15,31-35"}) {
		t.Errorf("isolcpus = %v", c["isolcpus"])
	}
	if !reflect.DeepEqual(c["nohzFull"], map[string]any{"raw": "11-15,31-35", "cpus": guideIsolated}) || !reflect.DeepEqual(c["rcuNocbs"], c["nohzFull"]) {
		t.Errorf("nohzFull %v rcuNocbs %v", c["nohzFull"], c["rcuNocbs"])
	}
	if c["iommu"] != "pt" || c["intelIommu"] != "on" || c["defaultHugepagesz"] != "1G" || !reflect.DeepEqual(c["hugepagesz"], []string{}) || c["amdIommu"] != nil {
		t.Errorf("iommu/hugepages: %v", c)
	}

	c = ParseCmdline("isolcpus=1 nohz_full=1 rcu_nocbs=1 mce=off idle=poll default_hugepagesz=1G hugepagesz=1G").Section
	if c["mce"] != "off" || c["idle"] != "poll" || !reflect.DeepEqual(c["hugepagesz"], []string{"1G"}) {
		t.Errorf("guest line: %v", c)
	}

	if got := ParseCmdline("").Section["params"]; !reflect.DeepEqual(got, []any{}) {
		t.Errorf("empty params %v", got)
	}
	if got := ParseCmdline("ro isolcpus=2-3 nohz_full=2-").Section["nohzFull"]; !reflect.DeepEqual(got, map[string]any{"raw": "2-", "cpus": nil}) {
		t.Errorf("truncated nohz_full %v", got)
	}
	if got := ParseCmdline("nohz_full=(null)").Section["nohzFull"]; !reflect.DeepEqual(got, map[string]any{"raw": "(null)", "cpus": []int{}}) {
		t.Errorf("(null) nohz_full %v", got)
	}
	if got := ParseCmdline("rcu_nocbs").Section["rcuNocbs"]; !reflect.DeepEqual(got, map[string]any{"raw": "", "cpus": []int{}}) {
		t.Errorf("bare rcu_nocbs %v", got)
	}
	c = ParseCmdline("processor.max_cstate=1 intel_idle.max_cstate=0 tsc=reliable intel_pstate=disable nosoftlockup tsc=unstable\x00").Section
	if c["processorMaxCstate"] != "1" || c["intelIdleMaxCstate"] != "0" || c["tsc"] != "unstable" || c["intelPstate"] != "disable" || c["nosoftlockup"] != true {
		t.Errorf("c-states, last tsc wins, nosoftlockup: %v", c)
	}
	if c["raw"] != "processor.max_cstate=1 intel_idle.max_cstate=0 tsc=reliable intel_pstate=disable nosoftlockup tsc=unstable" {
		t.Errorf("raw %q", c["raw"])
	}
	if ParseCmdline("isolcpus").Section["isolcpus"] != nil {
		t.Error("a bare isolcpus names nothing")
	}
}

func TestSysfsValues(t *testing.T) {
	lists := []struct {
		in   string
		want []int
		ok   bool
	}{{"(null)\n", []int{}, true}, {"\n", []int{}, true}, {"", []int{}, true}, {"4-5\n", []int{4, 5}, true}, {"abc", nil, false}}
	for _, c := range lists {
		got, ok := ParseSysCPUList(c.in)
		if ok != c.ok || (ok && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("ParseSysCPUList(%q) = %v %v", c.in, got, ok)
		}
	}
	choices := []struct {
		in   Text
		want any
	}{{T("always madvise [never]\n"), "never"}, {T("[always] madvise never"), "always"}, {T("always madvise never"), nil}, {T("[] [ x ]"), "x"}, {Text{}, nil}}
	for _, c := range choices {
		var got any
		if s, ok := ParseBracketChoice(c.in); ok {
			got = s
		}
		if got != c.want {
			t.Errorf("ParseBracketChoice(%q) = %v, want %v", c.in.S, got, c.want)
		}
	}
	models := []struct {
		in   any
		want any
	}{
		{"Linux version 4.2.0-rt5 #1 SMP PREEMPT RT Tue", "PREEMPT_RT"},
		{"Linux version 6.6.0-rt #1 SMP PREEMPT_RT Mon", "PREEMPT_RT"},
		{"#1 SMP PREEMPT_DYNAMIC @0", "PREEMPT_DYNAMIC"},
		{"#1 SMP PREEMPT Mon", "PREEMPT"},
		{"#1 SMP PREEMPTED Mon", "NONE"},
		{"#101-Ubuntu SMP Tue", "NONE"},
		{nil, nil},
	}
	for _, c := range models {
		if got := ParsePreemptModel(c.in); got != c.want {
			t.Errorf("ParsePreemptModel(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	configs := map[string]bool{
		"": false, "CONFIG_NO_HZ_FULL=y\n": true, "# CONFIG_NO_HZ_FULL is not set\nCONFIG_NO_HZ_IDLE=y\n": false,
		"CONFIG_NO_HZ_FULL_X=y\n": false, "A=1\nCONFIG_NO_HZ_FULL=y \t\nB=2": true, "XCONFIG_NO_HZ_FULL=y": false,
	}
	for text, want := range configs {
		if got := ConfigHasNohzFull(text); got != want {
			t.Errorf("ConfigHasNohzFull(%q) = %v", text, got)
		}
	}
}

func TestComputeIsolatedCPUs(t *testing.T) {
	cases := []struct {
		cmdline, isolated, nohzFull Text
		want                        []int
	}{
		{T(guideHost), T("11-15,31-35"), T("11-15,31-35"), guideIsolated},
		{T("nohz_full=4-7 rcu_nocbs=4-9"), T(""), T("4-7"), []int{4, 5, 6, 7, 8, 9}},
		{T("quiet"), T("2"), T("(null)"), []int{2}},
		{Text{}, Text{}, Text{}, []int{}},
		{T("isolcpus=managed_irq,domain,2-5 nohz_full=2-"), T("garbage"), T("(null)"), []int{2, 3, 4, 5}},
	}
	for _, c := range cases {
		if got := ComputeIsolatedCPUs(c.cmdline, c.isolated, c.nohzFull); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ComputeIsolatedCPUs(%q) = %v, want %v", c.cmdline.S, got, c.want)
		}
		// ParseKernel computes the same union from its own parse
		k := ParseKernel(Raw{Cmdline: c.cmdline, SysIsolated: c.isolated, SysNohzFull: c.nohzFull})
		if got := k["isolatedCpus"]; !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseKernel isolatedCpus(%q) = %v, want %v", c.cmdline.S, got, c.want)
		}
	}
}

func TestIrqbalanceConfiguration(t *testing.T) {
	vars := ParseShellAssignments("#IRQBALANCE_BANNED_CPULIST=1\nIRQBALANCE_BANNED_CPULIST=\"11-15,31-35\"\nX=1 # c\nexport Y='a b' # q\nZ=a#b\nW=1\r\nexport=3\nV=a \t#x #y\n")
	want := Vars{"IRQBALANCE_BANNED_CPULIST": "11-15,31-35", "X": "1", "Y": "a b", "Z": "a#b", "export": "3", "V": "a"}
	if !reflect.DeepEqual(vars, want) {
		t.Errorf("ParseShellAssignments = %v", vars)
	}
	cases := []struct {
		vars     Vars
		cpus     []int
		variable string
		err      string
	}{
		{Vars{"IRQBALANCE_BANNED_CPULIST": "2-3"}, []int{2, 3}, "IRQBALANCE_BANNED_CPULIST", ""},
		{Vars{"IRQBALANCE_BANNED_CPUS": "f800"}, []int{11, 12, 13, 14, 15}, "IRQBALANCE_BANNED_CPUS", ""},
		{Vars{"IRQBALANCE_BANNED_CPUS": ""}, nil, "", ""},
		{Vars{}, nil, "", ""},
		{Vars{"IRQBALANCE_BANNED_CPULIST": "x"}, nil, "IRQBALANCE_BANNED_CPULIST", `not a cpu list: "x" (bad part "x")`},
	}
	for _, c := range cases {
		cpus, variable, err := BannedCPUsFromVars(c.vars)
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		if variable != c.variable || errText != c.err || (err == nil && !reflect.DeepEqual(cpus, c.cpus)) {
			t.Errorf("BannedCPUsFromVars(%v) = %v %q %v", c.vars, cpus, variable, err)
		}
	}
	// the environ wins over the file; a bad ban is a warning and the file is used
	k := ParseKernel(Raw{IrqbalancePids: []int{9}, IrqbalanceEnviron: T("IRQBALANCE_BANNED_CPULIST=zz\x00"),
		IrqbalanceConfig: &Config{Source: "etc/default/irqbalance", Text: "IRQBALANCE_BANNED_CPUS=3\n"}})
	irq := k["irqbalance"].(map[string]any)
	if !reflect.DeepEqual(irq["bannedCpus"], []int{0, 1}) || irq["bannedSource"] != "etc/default/irqbalance:IRQBALANCE_BANNED_CPUS" {
		t.Errorf("irqbalance %v", irq)
	}
	if !reflect.DeepEqual(k["warnings"], []string{`irqbalance ban in process environ: not a cpu list: "zz" (bad part "zz")`}) {
		t.Errorf("warnings %v", k["warnings"])
	}
	k = ParseKernel(Raw{IrqbalancePids: []int{9}, IrqbalanceEnviron: T("IRQBALANCE_BANNED_CPULIST=4\x00")})
	if irq := k["irqbalance"].(map[string]any); irq["bannedSource"] != "proc/9/environ:IRQBALANCE_BANNED_CPULIST" || irq["running"] != true {
		t.Errorf("environ ban %v", irq)
	}
}

func read(t *testing.T, root string) map[string]any {
	fs, err := hostfs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Read(fs)
	if err != nil {
		t.Fatal(err)
	}
	if v == nil {
		return nil
	}
	return v.(map[string]any)
}

func TestFixtures(t *testing.T) {
	k := read(t, filepath.Join(fixtures, "kvm4nfv-baseline"))
	cmd := k["cmdline"].(map[string]any)
	if k["preemptRt"] != true || !reflect.DeepEqual(cmd["isolcpus"].(map[string]any)["cpus"], guideIsolated) || !reflect.DeepEqual(k["isolatedCpus"], guideIsolated) {
		t.Errorf("baseline isolation: %v %v", k["preemptRt"], k["isolatedCpus"])
	}
	irq := k["irqbalance"].(map[string]any)
	if len(k["housekeepingCpus"].([]int)) != 26 || k["sysctl"].(map[string]any)["schedRtRuntimeUs"] != -1.0 ||
		k["clocksource"].(map[string]any)["current"] != "tsc" || irq["running"] != false || !reflect.DeepEqual(irq["bannedCpus"], guideIsolated) ||
		k["nohzFullSupported"] != true || k["thp"].(map[string]any)["enabled"] != "never" {
		t.Errorf("baseline: %v", k)
	}

	k = read(t, filepath.Join(fixtures, "ht-on-rdt"))
	cmd = k["cmdline"].(map[string]any)
	irq = k["irqbalance"].(map[string]any)
	if !reflect.DeepEqual(cmd["isolcpus"].(map[string]any)["flags"], []string{"managed_irq", "domain"}) || cmd["nohzFull"] != nil ||
		!reflect.DeepEqual(k["sysNohzFull"], []int{}) || irq["running"] != true || !reflect.DeepEqual(irq["pids"], []int{1187}) || irq["bannedCpus"] != nil {
		t.Errorf("ht-on-rdt: %v", k)
	}

	k = read(t, filepath.Join(fixtures, "broken-partial"))
	if !reflect.DeepEqual(k["cmdline"].(map[string]any)["nohzFull"], map[string]any{"raw": "2-", "cpus": nil}) || !reflect.DeepEqual(k["sysNohzFull"], []int{}) ||
		k["sysctl"].(map[string]any)["schedRtRuntimeUs"] != nil || k["thp"].(map[string]any)["enabled"] != nil || !reflect.DeepEqual(k["isolatedCpus"], []int{2, 3}) ||
		!strings.Contains(strings.Join(k["warnings"].([]string), "\n"), "nohz_full") {
		t.Errorf("broken-partial: %v", k)
	}

	k = read(t, filepath.Join(fixtures, "this-vm"))
	if k["sysNohzFull"] != nil || k["nohzFullSupported"] != false {
		t.Errorf("this-vm: config.gz says NO_HZ_FULL is not set: %v %v", k["sysNohzFull"], k["nohzFullSupported"])
	}

	k = read(t, filepath.Join(fixtures, "partial-sysfs-isolated"))
	if k == nil || k["cmdline"] != nil || k["release"] != nil || !reflect.DeepEqual(k["sysIsolated"], []int{2, 3}) || !reflect.DeepEqual(k["isolatedCpus"], []int{2, 3}) ||
		!reflect.DeepEqual(k["onlineCpus"], []int{0, 1, 2, 3}) || !reflect.DeepEqual(k["housekeepingCpus"], []int{0, 1}) {
		t.Errorf("partial-sysfs-isolated: %v", k)
	}

	if k := read(t, filepath.Join(fixtures, "empty-tree")); k != nil {
		t.Errorf("empty tree: %v", k)
	}
}

func TestReadIsolatedCPUs(t *testing.T) {
	fs, _ := hostfs.New(filepath.Join(fixtures, "ht-on-rdt"))
	r, err := ReadIsolatedCPUs(fs)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{0, 1, 2, 3}
	for i := 20; i < 44; i++ {
		want = append(want, i)
	}
	for i := 60; i < 80; i++ {
		want = append(want, i)
	}
	if len(r.Isolated) != 32 || !reflect.DeepEqual(r.Housekeeping, want) {
		t.Errorf("isolated %v housekeeping %v", r.Isolated, r.Housekeeping)
	}
}

func put(t *testing.T, root, rel string, content []byte) {
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

func gz(t *testing.T, parts ...string) []byte {
	var b bytes.Buffer
	for _, s := range parts {
		w := gzip.NewWriter(&b)
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func verdict(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func TestReadNohzFullConfigFollowsContent(t *testing.T) {
	root := t.TempDir()
	fs, _ := hostfs.New(root)
	steps := []struct {
		rel     string
		content []byte
		want    any
	}{
		{"", nil, nil},
		{"proc/config.gz", gz(t, "CONFIG_NO_HZ_FULL=y\n"), true},
		{"", nil, true},
		{"proc/config.gz", gz(t, "# CONFIG_NO_HZ_FULL is not set\nCONFIG_NO_HZ_IDLE=y\n"), false},
		{"proc/config.gz", []byte("not gzip"), nil},
		{"proc/config.gz", gz(t, "A=1\n", "CONFIG_NO_HZ_FULL=y\n"), true},              // two members, as Node reads them
		{"proc/config.gz", append(gz(t, "CONFIG_NO_HZ_FULL=y\n"), 0, 0, 0), true},      // zero padding is ignored
		{"proc/config.gz", append(gz(t, "CONFIG_NO_HZ_FULL=y\n"), 'x', 'y', 'z'), nil}, // other trailing bytes are an error
		{"boot/config-6.1.0", []byte("CONFIG_NO_HZ_FULL=y\n"), true},
	}
	for i, s := range steps {
		if s.rel != "" {
			put(t, root, s.rel, s.content)
		}
		if got := verdict(ReadNohzFullConfig(fs, "6.1.0")); got != s.want {
			t.Errorf("step %d: %v, want %v", i, got, s.want)
		}
	}
}

func TestFindProcessesCached(t *testing.T) {
	root := t.TempDir()
	fs, _ := hostfs.New(root)
	find := func() []int {
		pids, err := FindProcessesCached(fs, "irqbalance")
		if err != nil {
			t.Fatal(err)
		}
		return pids
	}
	put(t, root, "proc/7/comm", []byte("bash\n"))
	if got := find(); !reflect.DeepEqual(got, []int{}) {
		t.Errorf("no irqbalance: %v", got)
	}
	put(t, root, "proc/10/comm", []byte("irqbalance\n"))
	if got := find(); !reflect.DeepEqual(got, []int{10}) {
		t.Errorf("found: %v", got)
	}
	if got := find(); !reflect.DeepEqual(got, []int{10}) {
		t.Errorf("cached: %v", got)
	}
	put(t, root, "proc/10/comm", []byte("bash\n")) // pid reused by another program
	put(t, root, "proc/20/comm", []byte("irqbalance\n"))
	if got := find(); !reflect.DeepEqual(got, []int{20}) {
		t.Errorf("rescanned: %v", got)
	}
	if err := os.RemoveAll(filepath.Join(root, "proc/20")); err != nil {
		t.Fatal(err)
	}
	if got := find(); !reflect.DeepEqual(got, []int{}) {
		t.Errorf("gone: %v", got)
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
