package hugepages

import (
	"path/filepath"
	"reflect"
	"testing"

	"nfvdeck/agent/internal/hostfs"
)

const fixtures = "../../../../fixtures"

func TestParseDirName(t *testing.T) {
	cases := []struct {
		name string
		kb   float64
		ok   bool
	}{
		{"hugepages-2048kB", 2048, true},
		{"hugepages-1048576kB", 1048576, true},
		{"hugepages-kB", 0, false},
		{"hugepages-oops", 0, false},
		{"hugepages-2048kB.bak", 0, false},
		{"hugepages--1kB", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		kb, ok := ParseDirName(c.name)
		if kb != c.kb || ok != c.ok {
			t.Errorf("%q: got %v %v, want %v %v", c.name, kb, ok, c.kb, c.ok)
		}
	}
}

// Expected values are what the TS regex /^(?:Node \d+ )?KEY:\s+(\d+)/m gives under Node.
func TestParseMeminfoValue(t *testing.T) {
	cases := []struct {
		text, key string
		want      any
	}{
		{"MemTotal:       32823432 kB\nHugepagesize:    1048576 kB\n", "Hugepagesize", 1048576.0},
		{"Node 1 MemTotal:       32823432 kB\n", "MemTotal", 32823432.0},
		{"", "MemTotal", nil},
		{"MemTotal: lots", "MemTotal", nil},
		{"MemTotal:9", "MemTotal", nil},
		{"MemTotal:\n 5 kB", "MemTotal", 5.0},        // \s+ crosses the line end
		{"x\rMemTotal: 7", "MemTotal", 7.0},          // ^ after \r
		{"a\u2028MemTotal:\t\t11", "MemTotal", 11.0}, // ^ after U+2028
		{"MemTotal: \u00a09", "MemTotal", 9.0},       // NBSP is \s
		{"Node x MemTotal: 4", "MemTotal", nil},      // not at a line start
		{"Node 12 Node 1 MemTotal: 2", "MemTotal", nil},
		{"MemTotal: 5\nMemTotal: 6", "MemTotal", 5.0}, // the first one
		{"MemTotal: 99999999999999999999", "MemTotal", 1e20},
	}
	for _, c := range cases {
		if got := meminfoOrNil(File{c.text, true}, c.key); got != c.want {
			t.Errorf("%q %s: got %v, want %v", c.text, c.key, got, c.want)
		}
	}
	if got := meminfoOrNil(File{}, "MemTotal"); got != nil {
		t.Errorf("absent meminfo: got %v", got)
	}
}

func TestParseGarbageCounts(t *testing.T) {
	s := Parse(Raw{Sizes: []Size{{SizeKb: 2048, Files: map[string]File{
		"nr_hugepages": {"x12", true}, "free_hugepages": {}, "resv_hugepages": {"-3\n", true}, "surplus_hugepages": {"-0", true},
	}}}})
	want := map[string]any{"sizeKb": 2048.0, "nr": nil, "free": nil, "resv": nil, "surplus": -0.0, "overcommit": nil}
	if got := s["sizes"].([]any)[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("sizes[0]: got %v, want %v", got, want)
	}
	wantWarnings := []string{`hugepages-2048kB/nr_hugepages: not a count: "x12"`, `hugepages-2048kB/resv_hugepages: not a count: "-3"`}
	if got := s["warnings"].([]string); !reflect.DeepEqual(got, wantWarnings) {
		t.Errorf("warnings: got %q, want %q", got, wantWarnings)
	}
	if s["defaultSizeKb"] != nil || s["memTotalKb"] != nil {
		t.Errorf("no meminfo: %v %v", s["defaultSizeKb"], s["memTotalKb"])
	}
	if s := Parse(Raw{Meminfo: File{"Hugepagesize: 0 kB\n", true}}); s["defaultSizeKb"] != nil {
		t.Errorf("Hugepagesize 0: got %v, want null", s["defaultSizeKb"])
	}
}

func read(t *testing.T, tree string) any {
	t.Helper()
	fs, err := hostfs.New(filepath.Join(fixtures, tree))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Read(fs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReadFixtures(t *testing.T) {
	s := read(t, "kvm4nfv-baseline").(map[string]any)
	if s["defaultSizeKb"] != 1048576.0 {
		t.Errorf("defaultSizeKb: %v", s["defaultSizeKb"])
	}
	var gig map[string]any
	for _, x := range s["sizes"].([]any) {
		if x.(map[string]any)["sizeKb"] == 1048576.0 {
			gig = x.(map[string]any)
		}
	}
	if gig == nil || gig["nr"] != 16.0 || gig["resv"] != 0.0 {
		t.Errorf("1G pool: %v", gig)
	}
	var perNode []any
	for _, n := range s["nodes"].([]any) {
		for _, x := range n.(map[string]any)["sizes"].([]any) {
			size := x.(map[string]any)
			if size["sizeKb"] == 1048576.0 {
				perNode = append(perNode, size["nr"])
			}
			if _, has := size["resv"]; has {
				t.Errorf("a node's size has resv (the kernel has none per node): %v", size)
			}
		}
	}
	if !reflect.DeepEqual(perNode, []any{8.0, 8.0}) {
		t.Errorf("1G per node: %v", perNode)
	}
	if s := read(t, "empty-tree"); s != nil {
		t.Errorf("empty tree: got %v, want nil", s)
	}
}

// BenchmarkRead: the cost per heartbeat on a captured tree (go test -bench Read -benchmem).
func BenchmarkRead(b *testing.B) {
	for _, tree := range []string{"ht-on-rdt", "kvm4nfv-baseline"} {
		b.Run(tree, func(b *testing.B) {
			fs, err := hostfs.New(filepath.Join(fixtures, tree))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Read(fs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
