import type { IrqEntry, IrqSection } from "@/server/contract/sections/irq";
import { intersectCpus } from "@/server/domain/cpuset/cpuset";

/**
 * One IRQ for the host page, with the isolated CPUs it reaches:
 * - onIsolated: isolated CPUs in its EFFECTIVE affinity (where it really fires: the kernel's truth)
 * - smpOnIsolated: isolated CPUs in smp_affinity, only when the kernel exposes no effective affinity
 *   (older kernels): the IRQ may fire there, we cannot tell
 */
export type IrqRow = IrqEntry & { onIsolated: number[]; smpOnIsolated: number[] };

export type IrqView = {
  rows: IrqRow[];
  /** IRQs whose effective affinity touches an isolated CPU */
  onIsolatedCount: number;
  /** of those, the ones the kernel manages (cannot be moved; expected with isolcpus=managed_irq off) */
  managedOnIsolatedCount: number;
  /** IRQs without effective affinity whose smp_affinity touches an isolated CPU */
  maybeOnIsolatedCount: number;
  /** false when the isolated set is unknown (no kernel section): nothing can be highlighted */
  isolationKnown: boolean;
};

/** Marks every IRQ whose effective affinity touches an isolated CPU (isolated = null: unknown). */
export function irqsOnIsolatedCpus(irqs: readonly IrqEntry[], isolated: readonly number[] | null): IrqView {
  const iso = isolated ?? [];
  const rows = irqs.map((e) => ({
    ...e,
    onIsolated: e.effectiveAffinity === null ? [] : intersectCpus(e.effectiveAffinity, iso),
    smpOnIsolated: e.effectiveAffinity === null && e.smpAffinity !== null ? intersectCpus(e.smpAffinity, iso) : [],
  }));
  const on = rows.filter((r) => r.onIsolated.length > 0);
  return {
    rows,
    onIsolatedCount: on.length,
    managedOnIsolatedCount: on.filter((r) => r.managed === true).length,
    maybeOnIsolatedCount: rows.filter((r) => r.smpOnIsolated.length > 0).length,
    isolationKnown: isolated !== null,
  };
}

/** A named /proc/interrupts row (LOC, RES, TLB …) with the isolated CPUs that counted it. */
export type IrqOtherSummary = { name: string; description: string; total: number; cpuCount: number; isolatedWithCounts: number[] };

/**
 * The named rows, busiest first; rows that never fired are listed by name only (zeroNames).
 * Per-CPU counts are not reported, only which CPUs have a non-zero count.
 */
export function summariseIrqOtherRows(other: IrqSection["other"], isolated: readonly number[] | null): { rows: IrqOtherSummary[]; zeroNames: string[] } {
  const iso = isolated ?? [];
  const fired = other.filter((o) => o.total > 0);
  const rows = fired
    .map((o) => ({ name: o.name, description: o.description, total: o.total, cpuCount: o.cpusWithCounts.length, isolatedWithCounts: intersectCpus(o.cpusWithCounts, iso) }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  return { rows, zeroNames: other.filter((o) => o.total <= 0).map((o) => o.name) };
}
