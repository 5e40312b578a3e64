import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { irqSection, type IrqEntry } from "@/server/contract/sections/irq";
import { kernelSection } from "@/server/contract/sections/kernel";
import { irqsOnIsolatedCpus, summariseIrqOtherRows } from "@/server/domain/hosts/irq-view";

const FIXTURES = path.resolve(import.meta.dirname, "../../../agent/fixtures");

/** The irq section and isolated CPUs of a fixture's golden report (what the agent sends for that tree). */
function fixture(name: string) {
  const report = JSON.parse(readFileSync(path.join(FIXTURES, name, "expected-report.json"), "utf8")) as { sections: Record<string, { data: unknown }> };
  return { irq: irqSection.parse(report.sections.irq?.data), isolated: kernelSection.parse(report.sections.kernel?.data).isolatedCpus };
}

function irq(n: number, effective: number[] | null, smp: number[] | null, managed: boolean | null = null): IrqEntry {
  return { irq: n, name: `dev${n}`, chip: "IR-PCI-MSI", hwirq: null, total: 1, cpusWithCounts: [], smpAffinity: smp, effectiveAffinity: effective, managed };
}

describe("irqsOnIsolatedCpus", () => {
  it.each([
    { name: "effective on an isolated CPU", e: irq(1, [5], [0, 5]), iso: [4, 5], on: [5], maybe: [] },
    { name: "effective on housekeeping, smp spans isolated", e: irq(2, [0], [0, 5]), iso: [4, 5], on: [], maybe: [] },
    { name: "no effective affinity: smp is only a hint", e: irq(3, null, [0, 4, 5]), iso: [4, 5], on: [], maybe: [4, 5] },
    { name: "no affinity at all", e: irq(4, null, null), iso: [4, 5], on: [], maybe: [] },
    { name: "isolated set unknown", e: irq(5, [5], [5]), iso: null, on: [], maybe: [] },
    { name: "isolated set empty", e: irq(6, [5], [5]), iso: [], on: [], maybe: [] },
  ])("$name", ({ e, iso, on, maybe }) => {
    const view = irqsOnIsolatedCpus([e], iso);
    expect(view.rows[0]?.onIsolated).toEqual(on);
    expect(view.rows[0]?.smpOnIsolated).toEqual(maybe);
    expect(view.onIsolatedCount).toBe(on.length > 0 ? 1 : 0);
    expect(view.isolationKnown).toBe(iso !== null);
  });

  it("counts managed IRQs on isolated CPUs separately", () => {
    const view = irqsOnIsolatedCpus([irq(1, [5], [5], true), irq(2, [4], [4], false), irq(3, [0], [0], true)], [4, 5]);
    expect(view.onIsolatedCount).toBe(2);
    expect(view.managedOnIsolatedCount).toBe(1);
  });

  it.each([
    { fixture: "ht-on-rdt", on: [{ irq: 123, cpus: [5] }], maybe: 0 },
    { fixture: "ht-on-rdt-cdp", on: [{ irq: 123, cpus: [5] }], maybe: 0 },
    // 4.2 kernel: no effective_affinity_list, and smp_affinity keeps off 11-15,31-35
    { fixture: "kvm4nfv-baseline", on: [], maybe: 0 },
    { fixture: "amd-epyc", on: [], maybe: 0 },
  ])("$fixture: IRQs whose effective affinity is on an isolated CPU", ({ fixture: name, on, maybe }) => {
    const { irq: section, isolated } = fixture(name);
    const view = irqsOnIsolatedCpus(section.irqs, isolated);
    expect(view.rows).toHaveLength(section.irqs.length);
    expect(view.rows.filter((r) => r.onIsolated.length > 0).map((r) => ({ irq: r.irq, cpus: r.onIsolated }))).toEqual(on);
    expect(view.maybeOnIsolatedCount).toBe(maybe);
  });
});

describe("summariseIrqOtherRows", () => {
  it("sorts fired rows by total, names the silent ones, and finds isolated CPUs that counted", () => {
    const other = [
      { name: "NMI", description: "Non-maskable interrupts", total: 10, cpusWithCounts: [0, 1] },
      { name: "LOC", description: "Local timer interrupts", total: 5000, cpusWithCounts: [0, 1, 4, 5] },
      { name: "ERR", description: "", total: 0, cpusWithCounts: [] },
    ];
    const s = summariseIrqOtherRows(other, [4, 5, 6]);
    expect(s.rows.map((r) => [r.name, r.cpuCount, r.isolatedWithCounts])).toEqual([
      ["LOC", 4, [4, 5]],
      ["NMI", 2, []],
    ]);
    expect(s.zeroNames).toEqual(["ERR"]);
  });

  it("ht-on-rdt: LOC fired on every CPU, 32 of them isolated", () => {
    const { irq: section, isolated } = fixture("ht-on-rdt");
    const loc = summariseIrqOtherRows(section.other, isolated).rows.find((r) => r.name === "LOC");
    expect(loc?.cpuCount).toBe(80);
    expect(loc?.isolatedWithCounts).toHaveLength(32);
  });
});
