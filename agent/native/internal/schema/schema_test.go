package schema

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
)

func goldenTrees(t testing.TB) map[string]map[string]any {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join("..", "..", "..", "fixtures", "*", "expected-report.json"))
	if len(paths) == 0 {
		t.Fatal("no golden reports under agent/fixtures")
	}
	out := map[string]map[string]any{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var report struct {
			Sections map[string]any `json:"sections"`
		}
		if err := json.Unmarshal(b, &report); err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(filepath.Dir(p))] = report.Sections
	}
	return out
}

func TestEmbeddedSchemaCompilesAndNamesEverySection(t *testing.T) {
	names, err := Sections()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"topology", "kernel", "power", "irq", "hugepages", "bios", "resctrl", "kvm", "vms"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("sections %v, want %v", names, want)
	}
}

func TestGoldenSectionsPass(t *testing.T) {
	count := 0
	for tree, sections := range goldenTrees(t) {
		for name, env := range sections {
			count++
			if problems := ValidateSection(name, env.(map[string]any)); len(problems) > 0 {
				t.Errorf("%s/%s: %v", tree, name, problems)
			}
		}
	}
	if count < 9 {
		t.Errorf("only %d golden sections", count)
	}
}

func clone(t *testing.T, v any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(v)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMutatedEnvelopesFailAtTheirPath(t *testing.T) {
	trees := goldenTrees(t)
	base := trees["kvm4nfv-baseline"]
	irq := func() map[string]any { return clone(t, base["irq"]) }
	first := func(env map[string]any) map[string]any {
		return env["data"].(map[string]any)["irqs"].([]any)[0].(map[string]any)
	}
	cases := []struct {
		name    string
		section string
		mutate  func() map[string]any
		want    []string
	}{
		{"wrong type", "irq", func() map[string]any { e := irq(); first(e)["irq"] = "x"; return e }, []string{"data.irqs.0.irq: Invalid input: expected number, received string"}},
		{"missing required key", "irq", func() map[string]any { e := irq(); delete(first(e), "name"); return e }, []string{"data.irqs.0.name: Invalid input: expected string, received undefined"}},
		{"out of range", "irq", func() map[string]any { e := irq(); first(e)["irq"] = 2e6; return e }, []string{"data.irqs.0.irq: Too big: expected number to be <=1000000"}},
		// zod's .int() bounds by Number.MAX_SAFE_INTEGER first, then the explicit bounds (texts from zod 4 on the same envelope)
		{"beyond the safe integers", "irq", func() map[string]any { e := irq(); first(e)["irq"] = 1e20; return e }, []string{
			"data.irqs.0.irq: Too big: expected int to be <=9007199254740991", "data.irqs.0.irq: Too big: expected number to be <=1000000",
		}},
		{"below the safe integers", "irq", func() map[string]any { e := irq(); first(e)["irq"] = -1e20; return e }, []string{
			"data.irqs.0.irq: Too small: expected int to be >=-9007199254740991", "data.irqs.0.irq: Too small: expected number to be >=0",
		}},
		{"fraction for an int", "irq", func() map[string]any { e := irq(); first(e)["irq"] = 1.5; return e }, []string{"data.irqs.0.irq: Invalid input: expected int, received number"}},
		{"unknown key", "irq", func() map[string]any { e := irq(); e["extra"] = 1.0; return e }, []string{`: Unrecognized key: "extra"`}},
		{"bad hash", "irq", func() map[string]any { e := irq(); e["hash"] = "zz"; return e }, []string{"hash: Invalid string: must match pattern /^[0-9a-f]{64}$/"}},
		{"bad enum", "topology", func() map[string]any {
			e := clone(t, base["topology"])
			e["data"].(map[string]any)["vendor"] = "Cyrix"
			return e
		}, nil},
		{"null data is fine", "irq", func() map[string]any { e := irq(); e["data"] = nil; return e }, nil},
		{"five problems at most", "irq", func() map[string]any {
			e := irq()
			for _, x := range e["data"].(map[string]any)["irqs"].([]any)[:7] {
				x.(map[string]any)["irq"] = "x"
			}
			return e
		}, []string{
			"data.irqs.0.irq: Invalid input: expected number, received string", "data.irqs.1.irq: Invalid input: expected number, received string",
			"data.irqs.2.irq: Invalid input: expected number, received string", "data.irqs.3.irq: Invalid input: expected number, received string",
			"data.irqs.4.irq: Invalid input: expected number, received string",
		}},
		{"Go slices and ints are checked too", "irq", func() map[string]any {
			e := irq()
			e["data"].(map[string]any)["columns"] = []int{0, -1}
			return e
		}, []string{"data.columns.1: Too small: expected number to be >=0"}},
	}
	for _, c := range cases {
		got := ValidateSection(c.section, c.mutate())
		if !reflect.DeepEqual(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("%s: %q\nwant %q", c.name, got, c.want)
		}
	}
	// an enum: the topology vendor is free text, so find a real enum in the schema and break it
	env := clone(t, base["kernel"])
	if got := ValidateSection("kernel", env); len(got) != 0 {
		t.Fatalf("kernel golden fails: %v", got)
	}
	env["data"].(map[string]any)["preemptModel"] = "turbo"
	if got := ValidateSection("kernel", env); len(got) != 1 || !strings.HasPrefix(got[0], "data.preemptModel: Invalid option: expected one of ") {
		t.Errorf("bad enum: %q", got)
	}
	if got := ValidateSection("nosuch", env); len(got) != 1 {
		t.Errorf("unknown section: %q", got)
	}
}

type mutation struct {
	Tree    string   `json:"tree"`
	Section string   `json:"section"`
	Op      string   `json:"op"`
	Path    []any    `json:"path"`
	Value   any      `json:"value"`
	Repeat  *int     `json:"repeat"`
	Issues  []string `json:"issues"`
}

func applyMutation(t *testing.T, env map[string]any, m mutation) map[string]any {
	t.Helper()
	copy := clone(t, env)
	var parent any = copy
	for _, seg := range m.Path[:len(m.Path)-1] {
		switch s := seg.(type) {
		case string:
			parent = parent.(map[string]any)[s]
		case float64:
			parent = parent.([]any)[int(s)]
		}
	}
	value := m.Value
	if m.Repeat != nil {
		value = strings.Repeat(m.Value.(string), *m.Repeat)
	}
	switch s := m.Path[len(m.Path)-1].(type) {
	case string:
		if m.Op == "delete" {
			delete(parent.(map[string]any), s)
		} else {
			parent.(map[string]any)[s] = value
		}
	case float64:
		parent.([]any)[int(s)] = value
	}
	return copy
}

// testdata/mutations.json: golden envelopes broken on purpose with zod's first five issues for each
// (agent/native/schema-gen.ts writes it; schema.test.ts fails when it is stale).
func TestMutationsMatchZod(t *testing.T) {
	f, err := os.Open("testdata/mutations.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	trees := goldenTrees(t)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	total, failing, differ := 0, 0, 0
	for sc.Scan() {
		var m mutation
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		total++
		if len(m.Issues) > 0 {
			failing++
		}
		got := ValidateSection(m.Section, applyMutation(t, trees[m.Tree][m.Section].(map[string]any), m))
		if len(got) == 0 && len(m.Issues) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, m.Issues) {
			differ++
			if differ <= 15 {
				t.Errorf("%s/%s %s %v: got %q\nzod %q", m.Tree, m.Section, m.Op, m.Path, got, m.Issues)
			}
		}
	}
	if total < 1000 || failing < total/2 {
		t.Errorf("only %d mutations (%d failing zod): regenerate testdata/mutations.json", total, failing)
	}
	if differ > 0 {
		t.Errorf("%d of %d mutations differ from zod", differ, total)
	}
}

func TestUnsupportedKeywordRefused(t *testing.T) {
	for _, doc := range []string{`{"type":"object","maxProperties":3}`, `{"type":"strnig"}`, `{"pattern":"(?<=a)b"}`, `{"properties":{"a":{"const":1}}}`} {
		if _, err := compileDocument([]byte(doc)); err == nil {
			t.Errorf("%s compiled", doc)
		}
	}
}

func BenchmarkValidateReport(b *testing.B) {
	sections := goldenTrees(b)["kvm4nfv-baseline"]
	names := make([]string, 0, len(sections))
	for n := range sections {
		names = append(names, n)
	}
	sort.Strings(names)
	ValidateSection("irq", sections["irq"].(map[string]any))
	b.ReportAllocs()
	before := threadCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, n := range names {
			if p := ValidateSection(n, sections[n].(map[string]any)); len(p) > 0 {
				b.Fatal(p)
			}
		}
	}
	b.StopTimer()
	// CPU time, not wall time: the box is shared, so ns/op includes waiting for a core
	b.ReportMetric(float64(threadCPU()-before)/float64(b.N), "cpu-ns/op")
}

func threadCPU() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
