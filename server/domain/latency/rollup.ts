/**
 * Hour/day rollups: merged histograms per host, maintained on ingest.
 *
 * Decisions (documented in docs/latency.md):
 * - Rollups are always in µs, one row per (host, granularity, bucketStart). A run measured in ns (-N)
 *   is converted exactly: ns bucket n falls in µs bucket ⌊n/1000⌋, and its size becomes ⌊N/1000⌋ µs
 *   (ns buckets in the last partial µs become overflows, since the ns histogram cannot say where its
 *   own overflows lie). An ns run with N < 1000 cannot fill even bucket 0 exactly: it is stored but
 *   kept out of rollups and window statistics (`rollupPartOfRun` returns null) and counted apart.
 * - Sizes mix at the smaller size (histogram.ts): a larger run's buckets ≥ the smaller N become
 *   overflows, so a merged percentile is never claimed more precisely than every run allows.
 */
import { mergeHistograms, toHistogramRecord, type HistogramPart, type SparseHistogramRecord } from "./histogram";
import type { LatencyRunTotals } from "./run";

export interface RollupValue {
  unit: "us";
  histogramSize: number;
  runs: number;
  cycles: number;
  overflows: number;
  min: number | null;
  max: number | null;
  /** Σ avg·cycles (µs) */
  weightedSum: number;
  histogram: SparseHistogramRecord;
}

/** The per-run fields rollups need (the stored run row's totals). */
export interface RunForRollup extends LatencyRunTotals {
  unit: string;
  histogramSize: number;
}

/** A stored run as a µs histogram part, or null when it cannot be expressed in 1 µs buckets. */
export function rollupPartOfRun(run: RunForRollup): HistogramPart | null {
  if (run.unit !== "ns") {
    return {
      unit: "us",
      histogramSize: run.histogramSize,
      histogram: run.histogram,
      overflows: run.overflows,
      cycles: run.cycles,
      min: run.min,
      max: run.max,
      avg: run.avg,
    };
  }
  const size = Math.floor(run.histogramSize / 1000);
  if (size < 1) return null;
  const histogram: SparseHistogramRecord = {};
  let overflows = run.overflows;
  for (const [k, c] of Object.entries(run.histogram)) {
    const b = Math.floor(Number(k) / 1000);
    if (b >= size) overflows += c;
    else histogram[String(b)] = (histogram[String(b)] ?? 0) + c;
  }
  const us = (v: number | null): number | null => (v === null ? null : v / 1000);
  return {
    unit: "us",
    histogramSize: size,
    histogram,
    overflows,
    cycles: run.cycles,
    min: us(run.min),
    max: us(run.max),
    avg: us(run.avg),
  };
}

/** A stored rollup row as a histogram part. */
export function rollupAsPart(r: RollupValue): HistogramPart {
  return {
    unit: "us",
    histogramSize: r.histogramSize,
    histogram: r.histogram,
    overflows: r.overflows,
    cycles: r.cycles,
    min: r.min,
    max: r.max,
    weightedSum: r.weightedSum,
    weightedCycles: r.cycles,
    runs: r.runs,
  };
}

/** Folds run parts into an existing rollup (or a new one). */
export function mergeIntoRollup(existing: RollupValue | null, parts: readonly HistogramPart[]): RollupValue {
  const all = existing && existing.runs > 0 ? [rollupAsPart(existing), ...parts] : [...parts];
  const m = mergeHistograms(all);
  return {
    unit: "us",
    histogramSize: m.histogramSize,
    runs: m.runs,
    cycles: m.cycles,
    overflows: m.overflows,
    min: m.min,
    max: m.max,
    weightedSum: m.weightedSum,
    histogram: toHistogramRecord(m.histogram),
  };
}
