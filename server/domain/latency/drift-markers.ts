/**
 * Before/after markers on latency trends: each drift event (the DriftEvent rows the compliance
 * timeline reads too) becomes a labelled vertical marker; events at the same instant share one marker.
 */
import type { DriftRow } from "@/server/domain/compliance/drift";

export type DriftEventLike = DriftRow;

export interface DriftMarker {
  t: number;
  label: string;
  details: string[];
}

const ON = /^(1|y|yes|true|on|active|running|enabled)$/i;
const OFF = /^(0|n|no|false|off|inactive|stopped|dead|disabled|absent)$/i;

/** A short human label: "irqbalance started", "kernel.cmdline changed", "rule irq-affinity: pass → fail". */
export function driftEventLabel(e: DriftEventLike): string {
  if (e.kind === "compliance") {
    return `rule ${e.ruleId ?? e.key}: ${e.oldStatus ?? "—"} → ${e.newStatus ?? "—"}`;
  }
  const service = /(irqbalance|tuned|ksm|thp|turbo|smt)/i.exec(e.key)?.[1]?.toLowerCase();
  if (service && e.newValue !== null) {
    if (ON.test(e.newValue.trim()) && (e.oldValue === null || OFF.test(e.oldValue.trim()))) return `${service} started`;
    if (OFF.test(e.newValue.trim()) && (e.oldValue === null || ON.test(e.oldValue.trim()))) return `${service} stopped`;
  }
  const short = (v: string | null) => (v === null ? "∅" : v.length > 24 ? `${v.slice(0, 23)}…` : v);
  return `${e.section}.${e.key}: ${short(e.oldValue)} → ${short(e.newValue)}`;
}

export function driftMarkers(events: readonly DriftEventLike[]): DriftMarker[] {
  const byTime = new Map<number, string[]>();
  for (const e of [...events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const list = byTime.get(e.at.getTime()) ?? [];
    list.push(driftEventLabel(e));
    byTime.set(e.at.getTime(), list);
  }
  return [...byTime.entries()].map(([t, details]) => ({
    t,
    label: details.length === 1 ? (details[0] ?? "") : `${details[0] ?? ""} (+${details.length - 1})`,
    details,
  }));
}
