package irq

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"nfvdeck/agent/internal/hostfs"
)

const (
	fixtures = "../../../../fixtures"
	header   = "           CPU0       CPU1\n"
)

func str(s string) *string { return &s }

func TestParseInterruptsEmpty(t *testing.T) {
	for _, c := range []struct {
		text    string
		columns []float64
	}{{"", []float64{}}, {header, []float64{0, 1}}} {
		p := ParseInterrupts(c.text)
		if !reflect.DeepEqual(p, ParsedInterrupts{Columns: c.columns, Rows: []InterruptRow{}}) {
			t.Errorf("%q: got %+v", c.text, p)
		}
	}
}

func TestParseInterruptsRows(t *testing.T) {
	cases := []struct {
		line string
		want InterruptRow
	}{
		{"  0:         36          0   IO-APIC   2-edge      timer",
			InterruptRow{IRQ: 0, Numbered: true, Label: "0", Counts: []float64{36, 0}, Chip: str("IO-APIC"), Hwirq: str("2-edge"), Name: "timer"}},
		{" 24:          1          0  IR-PCI-MSI 327680-edge      xhci_hcd",
			InterruptRow{IRQ: 24, Numbered: true, Label: "24", Counts: []float64{1, 0}, Chip: str("IR-PCI-MSI"), Hwirq: str("327680-edge"), Name: "xhci_hcd"}},
		{" 60:        100          0   PCI-MSI-edge      ixgbe-ens785f0-TxRx-0",
			InterruptRow{IRQ: 60, Numbered: true, Label: "60", Counts: []float64{100, 0}, Chip: str("PCI-MSI-edge"), Name: "ixgbe-ens785f0-TxRx-0"}},
		{" 16:          0          0   IO-APIC  16-fasteoi   ehci_hcd:usb1, i801_smbus",
			InterruptRow{IRQ: 16, Numbered: true, Label: "16", Counts: []float64{0, 0}, Chip: str("IO-APIC"), Hwirq: str("16-fasteoi"), Name: "ehci_hcd:usb1, i801_smbus"}},
		{" 28:          0          0  PCI-MSIX-0000:00:01.0   0-edge      virtio0-config",
			InterruptRow{IRQ: 28, Numbered: true, Label: "28", Counts: []float64{0, 0}, Chip: str("PCI-MSIX-0000:00:01.0"), Hwirq: str("0-edge"), Name: "virtio0-config"}},
		{" 25:", InterruptRow{IRQ: 25, Numbered: true, Label: "25", Counts: []float64{}}},
		{"LOC:     100200     300400   Local timer interrupts",
			InterruptRow{Label: "LOC", Counts: []float64{100200, 300400}, Name: "Local timer interrupts"}},
		{"ERR:          0", InterruptRow{Label: "ERR", Counts: []float64{0}}},
		// JS's /i folds ASCII only: "faſteoi" is not a trigger type, "1-EDGE" is
		{" 30:  1  2  chip  1-EDGE  a", InterruptRow{IRQ: 30, Numbered: true, Label: "30", Counts: []float64{1, 2}, Chip: str("chip"), Hwirq: str("1-EDGE"), Name: "a"}},
		{" 31:  1  2  chip  1-faſteoi  a", InterruptRow{IRQ: 31, Numbered: true, Label: "31", Counts: []float64{1, 2}, Chip: str("chip"), Name: "1-faſteoi a"}},
		// no more counts than columns; leading zeros are Number()'s
		{"007:  1  2  3  x", InterruptRow{IRQ: 7, Numbered: true, Label: "007", Counts: []float64{1, 2}, Chip: str("3"), Name: "x"}},
	}
	for _, c := range cases {
		p := ParseInterrupts(header + c.line + "\n")
		if len(p.Rows) != 1 || !reflect.DeepEqual(p.Rows[0], c.want) {
			t.Errorf("%q: got %+v, want %+v", c.line, p.Rows, c.want)
		}
	}
}

func TestParseInterruptsMalformed(t *testing.T) {
	// "." in the JS regex stops at \r: such a line is malformed there too
	for _, line := range []string{"garbage here", ": 1 2", "LOC 1 2", " 5: 1 2 chip\r name"} {
		if p := ParseInterrupts(header + line + "\n"); p.Malformed != 1 || len(p.Rows) != 0 {
			t.Errorf("%q: got %+v, want one malformed line", line, p)
		}
	}
}

func TestParse(t *testing.T) {
	s := Parse(Raw{
		Interrupts:         Text{header + "  5:   1   2   IO-APIC 5-edge  eth0\n  6:   0   0   IO-APIC 6-edge  eth1\nRES:  3  4  Rescheduling interrupts\n", true},
		DefaultSmpAffinity: Text{"3", true},
		Affinity: map[float64]Affinity{
			5: {Text{"0-1\n", true}, Text{"1\n", true}, Text{"dstate:   0x3540a200\n            IRQD_ACTIVATED\n            IRQD_AFFINITY_MANAGED\n", true}},
			6: {SmpAffinityList: Text{"zz", true}},
		},
	})
	irqs := s["irqs"].([]any)
	first := irqs[0].(map[string]any)
	want := map[string]any{"irq": 5.0, "total": 3.0, "cpusWithCounts": []float64{0, 1}, "smpAffinity": []int{0, 1}, "effectiveAffinity": []int{1}, "managed": true}
	for k, w := range want {
		if !reflect.DeepEqual(first[k], w) {
			t.Errorf("irq 5 %s: got %#v, want %#v", k, first[k], w)
		}
	}
	second := irqs[1].(map[string]any)
	for _, k := range []string{"smpAffinity", "effectiveAffinity", "managed"} {
		if second[k] != nil {
			t.Errorf("irq 6 %s: got %#v, want null", k, second[k])
		}
	}
	wantOther := []any{map[string]any{"name": "RES", "description": "Rescheduling interrupts", "total": 7.0, "cpusWithCounts": []float64{0, 1}}}
	if !reflect.DeepEqual(s["other"], wantOther) {
		t.Errorf("other: got %#v", s["other"])
	}
	if !reflect.DeepEqual(s["defaultSmpAffinity"], []int{0, 1}) {
		t.Errorf("defaultSmpAffinity: %#v", s["defaultSmpAffinity"])
	}
	if w := s["warnings"].([]string); !reflect.DeepEqual(w, []string{`irq 6 smp_affinity_list: not a cpu list: "zz"`}) {
		t.Errorf("warnings: %q", w)
	}
	malformed := Parse(Raw{Interrupts: Text{header + "garbage\nmore garbage\n", true}, DefaultSmpAffinity: Text{"zz", true}})
	if w := malformed["warnings"].([]string); !reflect.DeepEqual(w, []string{"/proc/interrupts: 2 malformed line(s) skipped"}) {
		t.Errorf("warnings: %q", w)
	}
	if malformed["defaultSmpAffinity"] != nil {
		t.Errorf("garbage default_smp_affinity: %#v, want null", malformed["defaultSmpAffinity"])
	}
}

// A 400-digit IRQ number is Infinity to JS, and "Infinity" in its paths and messages (not JSON's "null").
func TestParseHugeIRQNumber(t *testing.T) {
	label := strings.Repeat("9", 400)
	s := Parse(Raw{Interrupts: Text{header + label + ": 1 2 chip x\n", true}, Affinity: map[float64]Affinity{math.Inf(1): {SmpAffinityList: Text{"zz", true}}}})
	if w := s["warnings"].([]string); !reflect.DeepEqual(w, []string{`irq Infinity smp_affinity_list: not a cpu list: "zz"`}) {
		t.Errorf("warnings: %q", w)
	}
}

func read(t *testing.T, tree string) map[string]any {
	t.Helper()
	fs, err := hostfs.New(filepath.Join(fixtures, tree))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Read(fs)
	if err != nil {
		t.Fatal(err)
	}
	if s == nil {
		return nil
	}
	return s.(map[string]any)
}

func TestReadFixtures(t *testing.T) {
	t.Run("ht-on-rdt: one device IRQ effective on an isolated CPU", func(t *testing.T) {
		s := read(t, "ht-on-rdt")
		var onIsolated []string
		for _, x := range s["irqs"].([]any) {
			irq := x.(map[string]any)
			eff, _ := irq["effectiveAffinity"].([]int)
			for _, c := range eff {
				if (c >= 4 && c <= 19) || (c >= 44 && c <= 59) {
					onIsolated = append(onIsolated, irq["name"].(string))
					break
				}
			}
		}
		if !reflect.DeepEqual(onIsolated, []string{"i40e-ens1f0-TxRx-3"}) {
			t.Errorf("on isolated CPUs: %q", onIsolated)
		}
		if n := len(s["columns"].([]float64)); n != 80 {
			t.Errorf("columns: %d", n)
		}
	})
	t.Run("amd-epyc: NVMe I/O queue IRQs are managed, the admin queue is not", func(t *testing.T) {
		s := read(t, "amd-epyc")
		var got [][2]any
		for _, x := range s["irqs"].([]any) {
			irq := x.(map[string]any)
			if strings.HasPrefix(irq["name"].(string), "nvme0") {
				got = append(got, [2]any{irq["name"], irq["managed"]})
			}
		}
		want := [][2]any{{"nvme0q0", false}, {"nvme0q1", true}, {"nvme0q2", true}, {"nvme0q3", true}, {"nvme0q4", true}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("nvme: %v", got)
		}
	})
	t.Run("kvm4nfv-baseline: old kernel without effective_affinity_list", func(t *testing.T) {
		for _, x := range read(t, "kvm4nfv-baseline")["irqs"].([]any) {
			irq := x.(map[string]any)
			if irq["effectiveAffinity"] != nil || irq["smpAffinity"] == nil {
				t.Errorf("irq %v: %v %v", irq["irq"], irq["effectiveAffinity"], irq["smpAffinity"])
			}
		}
	})
	t.Run("empty tree: not available", func(t *testing.T) {
		if s := read(t, "empty-tree"); s != nil {
			t.Errorf("got %v", s)
		}
	})
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
