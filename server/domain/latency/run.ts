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
  type HistogramPart,
  type LatencyUnit,
  type SparseHistogram,
  type SparseHistogramRecord,
} from "./histogram";

/** A measurement thread's totals; H is its histogram's form (a Map as parsed, a JSON record as stored). */
export interface LatencyThreadTotals<H extends SparseHistogram | SparseHistogramRecord> {
  thread: number;
  /** CPU the thread was pinned to; null when unknown or not pinned (JSON -1) */
  cpu: number | null;
  cycles: number;
  overflows: number;
  /** null when the thread recorded no cycle */
  min: number | null;
  avg: number | null;
  max: number | null;
  histogram: H;
}

export type LatencyThreadData = LatencyThreadTotals<SparseHistogramRecord>;

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
    merged = mergeHistograms(threadParts(run));
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

/** A run's threads as parts of the run's unit and size, ready to merge. */
export function threadParts(run: {
  unit: LatencyUnit;
  histogramSize: number;
  threads: readonly LatencyThreadTotals<SparseHistogram | SparseHistogramRecord>[];
}): HistogramPart[] {
  return run.threads.map((t) => ({
    unit: run.unit,
    histogramSize: run.histogramSize,
    histogram: t.histogram,
    overflows: t.overflows,
    cycles: t.cycles,
    min: t.min,
    max: t.max,
    avg: t.avg,
  }));
}

/** Parsed threads (Map histograms) in the stored form: histograms as JSON records without empty buckets. */
export function storedThreads(threads: readonly LatencyThreadTotals<SparseHistogram>[]): LatencyThreadData[] {
  return threads.map((t) => ({
    thread: t.thread,
    cpu: t.cpu,
    cycles: t.cycles,
    overflows: t.overflows,
    min: t.min,
    avg: t.avg,
    max: t.max,
    histogram: toHistogramRecord(t.histogram),
  }));
}
