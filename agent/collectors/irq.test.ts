import path from "node:path";
import { describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { parseInterrupts, parseIrq, read } from "@/agent/collectors/irq";

const FIXTURES = path.join(import.meta.dirname, "../fixtures");
const HEADER = "           CPU0       CPU1\n";

describe("parseInterrupts", () => {
  it.each([
    ["", { columns: [], rows: [], malformed: 0 }],
    [HEADER, { columns: [0, 1], rows: [], malformed: 0 }],
  ])("empty %#", (text, expected) => {
    expect(parseInterrupts(text)).toEqual(expected);
  });

  it.each([
    ["  0:         36          0   IO-APIC   2-edge      timer", { irq: 0, counts: [36, 0], chip: "IO-APIC", hwirq: "2-edge", name: "timer" }],
    [" 24:          1          0  IR-PCI-MSI 327680-edge      xhci_hcd", { irq: 24, chip: "IR-PCI-MSI", hwirq: "327680-edge", name: "xhci_hcd" }],
    [" 60:        100          0   PCI-MSI-edge      ixgbe-ens785f0-TxRx-0", { chip: "PCI-MSI-edge", hwirq: null, name: "ixgbe-ens785f0-TxRx-0" }],
    [" 16:          0          0   IO-APIC  16-fasteoi   ehci_hcd:usb1, i801_smbus", { hwirq: "16-fasteoi", name: "ehci_hcd:usb1, i801_smbus" }],
    [" 28:          0          0  PCI-MSIX-0000:00:01.0   0-edge      virtio0-config", { chip: "PCI-MSIX-0000:00:01.0", hwirq: "0-edge", name: "virtio0-config" }],
    [" 25:", { irq: 25, counts: [], chip: null, name: "" }],
    ["LOC:     100200     300400   Local timer interrupts", { irq: null, label: "LOC", counts: [100200, 300400], name: "Local timer interrupts" }],
    ["ERR:          0", { irq: null, label: "ERR", counts: [0] }],
  ])("row %#", (line, expected) => {
    const parsed = parseInterrupts(HEADER + line + "\n");
    expect(parsed.rows[0]).toMatchObject(expected);
  });

  it("counts malformed lines", () => {
    expect(parseInterrupts(HEADER + "garbage here\n").malformed).toBe(1);
  });
});

describe("parseIrq", () => {
  it("joins affinities, flags unparsable ones", () => {
    const s = parseIrq({
      interrupts: HEADER + "  5:   1   2   IO-APIC 5-edge  eth0\n  6:   0   0   IO-APIC 6-edge  eth1\nRES:  3  4  Rescheduling interrupts\n",
      defaultSmpAffinity: "3",
      affinity: new Map([
        [5, { smpAffinityList: "0-1\n", effectiveAffinityList: "1\n", debugfs: "dstate:   0x3540a200\n            IRQD_ACTIVATED\n            IRQD_AFFINITY_MANAGED\n" }],
        [6, { smpAffinityList: "zz", effectiveAffinityList: null, debugfs: null }],
      ]),
    });
    expect(s.irqs[0]).toMatchObject({ irq: 5, total: 3, cpusWithCounts: [0, 1], smpAffinity: [0, 1], effectiveAffinity: [1], managed: true });
    expect(s.irqs[1]).toMatchObject({ smpAffinity: null, effectiveAffinity: null, managed: null });
    expect(s.other).toEqual([{ name: "RES", description: "Rescheduling interrupts", total: 7, cpusWithCounts: [0, 1] }]);
    expect(s.defaultSmpAffinity).toEqual([0, 1]);
    expect(s.warnings).toEqual(['irq 6 smp_affinity_list: not a cpu list: "zz"']);
  });
});

describe("irq from fixtures", () => {
  it("ht-on-rdt: one device IRQ effective on isolated CPU 5", async () => {
    const s = (await read(new HostFs(path.join(FIXTURES, "ht-on-rdt"))))!;
    const onIsolated = s.irqs.filter((i) => i.effectiveAffinity?.some((c) => (c >= 4 && c <= 19) || (c >= 44 && c <= 59)));
    expect(onIsolated.map((i) => i.name)).toEqual(["i40e-ens1f0-TxRx-3"]);
    expect(s.columns.length).toBe(80);
  });

  it("amd-epyc: NVMe I/O queue IRQs are managed (debugfs), the admin queue is not", async () => {
    const s = (await read(new HostFs(path.join(FIXTURES, "amd-epyc"))))!;
    const nvme = s.irqs.filter((i) => i.name.startsWith("nvme0"));
    expect(nvme.map((i) => [i.name, i.managed])).toEqual([["nvme0q0", false], ["nvme0q1", true], ["nvme0q2", true], ["nvme0q3", true], ["nvme0q4", true]]);
  });

  it("kvm4nfv-baseline: old kernel without effective_affinity_list", async () => {
    const s = (await read(new HostFs(path.join(FIXTURES, "kvm4nfv-baseline"))))!;
    expect(s.irqs.every((i) => i.effectiveAffinity === null && i.smpAffinity !== null)).toBe(true);
  });
});
