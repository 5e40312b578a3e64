/**
 * Statistics of merged histograms in the shape the API and pages use. Percentile keys are the
 * reported ones ("50" … "99.999"); a key listed in lowerBounds means "> value".
 */
import { REPORTED_PERCENTILES, summarize, type HistogramPart, type HistogramStats, type LatencyUnit } from "./histogram";
import { mergeManyParts } from "./merge-many";

/** A summary plus how many runs were merged into it. */
export interface LatencyStats extends HistogramStats {
  runs: number;
}

export function emptyStats(unit: LatencyUnit = "us"): LatencyStats {
  return {
    unit,
    histogramSize: 0,
    runs: 0,
    cycles: 0,
    overflows: 0,
    min: null,
    max: null,
    mean: null,
    percentiles: Object.fromEntries(REPORTED_PERCENTILES.map((q) => [q, null])),
    lowerBounds: [],
  };
}

/** Merge parts (rollups and/or runs, same unit) and summarise. */
export function statsOfParts(parts: readonly HistogramPart[]): LatencyStats {
  if (parts.length === 0) return emptyStats();
  const merged = mergeManyParts(parts);
  const s = summarize(merged);
  return {
    unit: s.unit,
    histogramSize: s.histogramSize,
    runs: merged.runs,
    cycles: s.cycles,
    overflows: s.overflows,
    min: s.min,
    max: s.max,
    mean: s.mean,
    percentiles: s.percentiles,
    lowerBounds: s.lowerBounds,
  };
}

const UNIT_LABEL: Record<LatencyUnit, string> = { us: "µs", ns: "ns" };

/** "17 µs", "> 400 µs" (overflow tail), "9.42 µs" (means), "—" (no data). */
export function formatLatency(value: number | null, unit: LatencyUnit = "us", lowerBound = false): string {
  if (value === null || !Number.isFinite(value)) return "—";
  const v = Number.isInteger(value) ? String(value) : value.toFixed(2);
  return `${lowerBound ? "> " : ""}${v} ${UNIT_LABEL[unit]}`;
}

/** A percentile of a stats object, formatted. */
export function formatPercentile(stats: Pick<LatencyStats, "percentiles" | "lowerBounds" | "unit">, q: string): string {
  return formatLatency(stats.percentiles[q] ?? null, stats.unit, stats.lowerBounds.includes(q));
}
