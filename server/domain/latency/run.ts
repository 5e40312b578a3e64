/**
 * One cyclictest run as stored: per-thread sparse histograms plus the run's totals merged across
 * threads. Both the agent path and the upload path produce this shape before anything is written.
 */
import { DomainError } from "@/server/errors";
import {
  HistogramError,
  meanOf,
  mergeHistograms,
  toHistogramRecord,
  type LatencyUnit,
  type SparseHistogramRecord,
} from "./histogram";

export interface LatencyThreadData {
  thread: number;
  cpu: number | null;
  cycles: number;
  overflows: number;
  min: number | null;
  avg: number | null;
  max: number | null;
  histogram: SparseHistogramRecord;
}

export interface LatencyRunData {
  startedAt: Date;
  durationS: number;
  toolVersion: string | null;
  cmdline: string | null;
  priority: number | null;
  intervalUs: number | null;
  load: string;
  unit: LatencyUnit;
  histogramSize: number;
  threads: LatencyThreadData[];
}

export interface LatencyRunTotals {
  cycles: number;
  overflows: number;
  min: number | null;
  max: number | null;
  /** cycle-weighted mean of the threads' means */
  avg: number | null;
  /** merged across threads */
  histogram: SparseHistogramRecord;
}

/** Merges a run's threads; a thread's buckets at or above the run's size would be a malformed run. */
export function runTotals(run: LatencyRunData): LatencyRunTotals {
  if (run.threads.length === 0) throw new DomainError("INVALID", "a latency run needs at least one thread");
  let merged;
  try {
    merged = mergeHistograms(
      run.threads.map((t) => ({
        unit: run.unit,
        histogramSize: run.histogramSize,
        histogram: t.histogram,
        overflows: t.overflows,
        cycles: t.cycles,
        min: t.min,
        max: t.max,
        avg: t.avg,
      })),
    );
  } catch (e) {
    if (e instanceof HistogramError) throw new DomainError("INVALID", `latency run: ${e.message}`);
    throw e;
  }
  for (const t of run.threads) {
    for (const b of Object.keys(t.histogram)) {
      if (Number(b) >= run.histogramSize) {
        throw new DomainError("INVALID", `thread ${t.thread}: bucket ${b} ≥ histogram size ${run.histogramSize}`);
      }
    }
  }
  return {
    cycles: merged.cycles,
    overflows: merged.overflows,
    min: merged.min,
    max: merged.max,
    avg: meanOf(merged),
    histogram: toHistogramRecord(merged.histogram),
  };
}
