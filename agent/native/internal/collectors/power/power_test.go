package power

import (
	"path/filepath"
	"reflect"
	"testing"

	"nfvdeck/agent/internal/hostfs"
)

const fixtures = "../../../../fixtures"

func TestGroupByValue(t *testing.T) {
	got := GroupByValue([]Item{{2, "a"}, {0, "a"}, {1, "b"}})
	want := []Group{{CPUs: []int{0, 2}, Value: "a"}, {CPUs: []int{1}, Value: "b"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GroupByValue = %v", got)
	}
	// values are compared as JSON: equal maps built separately fall in one group
	got = GroupByValue([]Item{{0, map[string]any{"x": 1.0, "y": nil}}, {1, map[string]any{"y": nil, "x": 1.0}}, {2, map[string]any{"x": 2.0, "y": nil}}})
	if len(got) != 2 || !reflect.DeepEqual(got[0].CPUs, []int{0, 1}) {
		t.Errorf("map groups = %v", got)
	}
}

func TestTurbo(t *testing.T) {
	pstate := func(status, noTurbo Text) *RawIntelPstate { return &RawIntelPstate{Status: status, NoTurbo: noTurbo} }
	cases := []struct {
		raw  Raw
		want map[string]any
	}{
		{Raw{IntelPstate: pstate(T("active"), T("1\n"))}, map[string]any{"source": "intel_pstate", "enabled": false}},
		{Raw{IntelPstate: pstate(T("active"), T("0"))}, map[string]any{"source": "intel_pstate", "enabled": true}},
		{Raw{CPUFreqBoost: T("1\n")}, map[string]any{"source": "cpufreq_boost", "enabled": true}},
		{Raw{CPUFreqBoost: T("0")}, map[string]any{"source": "cpufreq_boost", "enabled": false}},
		{Raw{IntelPstate: pstate(T("passive"), Text{}), CPUFreqBoost: T("1")}, map[string]any{"source": "cpufreq_boost", "enabled": true}},
		{Raw{}, map[string]any{"source": "none", "enabled": nil}},
		{Raw{IntelPstate: pstate(Text{}, T("\n"))}, map[string]any{"source": "intel_pstate", "enabled": nil}},
	}
	for i, c := range cases {
		if got := ParsePower(c.raw)["turbo"]; !reflect.DeepEqual(got, c.want) {
			t.Errorf("case %d: turbo = %v, want %v", i, got, c.want)
		}
	}
}

func TestGarbageStateValues(t *testing.T) {
	s := ParsePower(Raw{CPUs: []RawCPU{{CPU: 0, IdleStates: []RawIdleState{{Index: 0, Name: T("POLL"), Latency: T("abc"), Disable: T("maybe")}}}}})
	groups := s["cpuidle"].(map[string]any)["groups"].([]any)
	state := groups[0].(map[string]any)["states"].([]any)[0]
	want := map[string]any{"index": 0, "name": "POLL", "desc": nil, "latencyUs": nil, "residencyUs": nil, "disabled": nil}
	if !reflect.DeepEqual(state, want) {
		t.Errorf("state = %v", state)
	}
	if !reflect.DeepEqual(s["warnings"], []string{`cpu0/cpuidle/state0/latency: not a number: "abc"`}) {
		t.Errorf("warnings = %v", s["warnings"])
	}
	if got := s["cpufreq"].(map[string]any)["cpusWithoutCpufreq"]; !reflect.DeepEqual(got, []int{0}) {
		t.Errorf("cpusWithoutCpufreq = %v", got)
	}
	// a nameless state is named after its index; a negative latency is refused too
	s = ParsePower(Raw{CPUs: []RawCPU{{CPU: 3, IdleStates: []RawIdleState{{Index: 2, Latency: T("-5")}}}}})
	state = s["cpuidle"].(map[string]any)["groups"].([]any)[0].(map[string]any)["states"].([]any)[0]
	if state.(map[string]any)["name"] != "state2" || len(s["warnings"].([]string)) != 1 {
		t.Errorf("state = %v, warnings %v", state, s["warnings"])
	}
}

func read(t *testing.T, tree string) map[string]any {
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
	s := read(t, "kvm4nfv-baseline")
	groups := s["cpuidle"].(map[string]any)["groups"].([]any)
	if len(groups) != 1 || len(groups[0].(map[string]any)["cpus"].([]int)) != 36 {
		t.Fatalf("baseline idle groups: %v", groups)
	}
	var enabled []any
	for _, st := range groups[0].(map[string]any)["states"].([]any) {
		if st.(map[string]any)["disabled"] != true {
			enabled = append(enabled, st.(map[string]any)["name"])
		}
	}
	if !reflect.DeepEqual(enabled, []any{"POLL"}) {
		t.Errorf("only POLL enabled, got %v", enabled)
	}
	if !reflect.DeepEqual(s["turbo"], map[string]any{"source": "intel_pstate", "enabled": false}) || !reflect.DeepEqual(s["smt"], map[string]any{"active": false, "control": "off"}) {
		t.Errorf("baseline turbo %v smt %v", s["turbo"], s["smt"])
	}

	s = read(t, "amd-epyc")
	all := make([]int, 32)
	for i := range all {
		all[i] = i
	}
	want := []any{map[string]any{"cpus": all, "driver": "acpi-cpufreq", "governor": "schedutil", "minKhz": 1500000.0, "maxKhz": 3000000.0, "hwMaxKhz": 3000000.0, "epp": nil}}
	if s["intelPstate"] != nil || !reflect.DeepEqual(s["turbo"], map[string]any{"source": "cpufreq_boost", "enabled": true}) || !reflect.DeepEqual(s["cpufreq"].(map[string]any)["groups"], want) {
		t.Errorf("amd-epyc: %v %v %v", s["intelPstate"], s["turbo"], s["cpufreq"])
	}
}

func TestReadWithoutCPUs(t *testing.T) {
	fs, _ := hostfs.New(t.TempDir())
	if v, err := Read(fs); v != nil || err != nil {
		t.Errorf("no CPU directories, no section: %v %v", v, err)
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
