package kvm

import (
	"path/filepath"
	"reflect"
	"testing"

	"nfvdeck/agent/internal/hostfs"
)

const fixtures = "../../../../fixtures"

func TestParse(t *testing.T) {
	cases := []struct {
		name string
		raw  Raw
		want map[string]any
	}{
		{"nothing loaded", Raw{Kvm: map[string]string{}, Vendor: map[string]string{}},
			map[string]any{"vendorModule": nil, "enableApicv": nil, "preemptionTimer": nil, "pleGap": nil, "haltPollNs": nil, "nested": nil}},
		{"intel",
			Raw{Kvm: map[string]string{"halt_poll_ns": "0\n", "kvmclock_periodic_sync": "N\n", "nx_huge_pages": "N\n"}, VendorModule: "kvm_intel",
				Vendor: map[string]string{"enable_apicv": "Y\n", "preemption_timer": "Y\n", "ple_gap": "0\n", "nested": "1\n"}},
			map[string]any{"vendorModule": "kvm_intel", "enableApicv": true, "preemptionTimer": true, "pleGap": 0.0, "haltPollNs": 0.0,
				"kvmclockPeriodicSync": false, "nxHugePages": "N", "nested": true}},
		{"amd",
			Raw{Kvm: map[string]string{}, VendorModule: "kvm_amd", Vendor: map[string]string{"avic": "1", "pause_filter_count": "3000", "preemption_timer": "Y"}},
			map[string]any{"vendorModule": "kvm_amd", "enableApicv": true, "preemptionTimer": nil, "pleGap": 3000.0}},
		{"nx_huge_pages cut to 32", Raw{Kvm: map[string]string{"nx_huge_pages": "  abcdefghijklmnopqrstuvwxyz0123456789\n"}},
			map[string]any{"nxHugePages": "abcdefghijklmnopqrstuvwxyz012345"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Parse(c.raw)
			for k, want := range c.want {
				if !reflect.DeepEqual(s[k], want) {
					t.Errorf("%s: got %#v, want %#v", k, s[k], want)
				}
			}
			if w := s["warnings"].([]string); len(w) != 0 {
				t.Errorf("warnings: %v", w)
			}
		})
	}
}

func TestParseGarbage(t *testing.T) {
	s := Parse(Raw{Kvm: map[string]string{"halt_poll_ns": "lots", "__proto__x": "1", "a/b": "2", "__proto__": "3", "kvmclock_periodic_sync": "perhaps"}})
	if s["haltPollNs"] != nil || s["kvmclockPeriodicSync"] != nil {
		t.Errorf("garbage must be null: %v %v", s["haltPollNs"], s["kvmclockPeriodicSync"])
	}
	if got := s["kvmParams"].(map[string]any); !reflect.DeepEqual(got, map[string]any{"__proto__x": "1", "halt_poll_ns": "lots", "kvmclock_periodic_sync": "perhaps"}) {
		t.Errorf("kvmParams: %v", got)
	}
	want := []string{`kvm.kvmclock_periodic_sync: not Y/N: "perhaps"`, `kvm.halt_poll_ns: not a number: "lots"`}
	if got := s["warnings"].([]string); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings: got %q, want %q", got, want)
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
	want := map[string]any{"vendorModule": "kvm_intel", "enableApicv": true, "preemptionTimer": true, "pleGap": 0.0, "kvmclockPeriodicSync": false, "nxHugePages": nil}
	for k, w := range want {
		if !reflect.DeepEqual(s[k], w) {
			t.Errorf("kvm4nfv-baseline %s: got %#v, want %#v", k, s[k], w)
		}
	}
	if s := read(t, "empty-tree"); s != nil {
		t.Errorf("empty tree: got %v, want nil (not a KVM host)", s)
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
