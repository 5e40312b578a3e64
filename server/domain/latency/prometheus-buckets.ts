/**
 * Cyclictest samples as a Prometheus histogram with counter semantics (GET /metrics): per host, the
 * samples of every run since enrolment, counted into fixed `le` buckets. Counters only ever add, so
 * `increase(nfvdeck_latency_seconds_bucket[24h])` summed by `le` merges hosts and windows exactly —
 * the same rule as everywhere else here: merge histograms, never average percentiles.
 */
import { histogramEntries, type HistogramPart } from "@/server/domain/latency/histogram";

/** Upper bounds in µs (exposed in seconds); +Inf is the total count. */
export const PROMETHEUS_LATENCY_BOUNDS_US = [5, 10, 15, 20, 30, 50, 100, 200, 500, 1000] as const;

export interface PrometheusLatencyCounts {
  /** samples ≤ bound, one per PROMETHEUS_LATENCY_BOUNDS_US entry (cumulative, as Prometheus wants) */
  le: number[];
  /** every sample, overflows included (+Inf bucket and _count) */
  count: number;
  /** Σ sample values in seconds (_sum): Σ avg·cycles */
  sumSeconds: number;
}

export function emptyPrometheusLatencyCounts(): PrometheusLatencyCounts {
  return { le: PROMETHEUS_LATENCY_BOUNDS_US.map(() => 0), count: 0, sumSeconds: 0 };
}

/**
 * One run (a µs rollup part) as bucket counts. Cyclictest reports whole µs, so bucket b holds samples
 * of exactly b µs and belongs to every bound ≥ b. Overflows (≥ the histogram size) are counted only in
 * +Inf: where below that bound they lie is unknown, and a bucket must never claim a sample it may not hold.
 */
export function prometheusLatencyCountsOf(part: HistogramPart): PrometheusLatencyCounts {
  const le = PROMETHEUS_LATENCY_BOUNDS_US.map(() => 0);
  let inBuckets = 0;
  for (const [bucket, n] of histogramEntries(part.histogram)) {
    if (!(n > 0) || bucket >= part.histogramSize) continue;
    inBuckets += n;
    PROMETHEUS_LATENCY_BOUNDS_US.forEach((bound, i) => {
      if (bucket <= bound) le[i] = (le[i] ?? 0) + n;
    });
  }
  const counted = inBuckets + Math.max(0, part.overflows);
  const count = part.cycles !== undefined && part.cycles >= counted ? part.cycles : counted;
  const weighted = part.weightedSum ?? (part.avg ?? 0) * count;
  return { le, count, sumSeconds: Math.max(0, weighted) / 1e6 };
}

export function addPrometheusLatencyCounts(a: PrometheusLatencyCounts, b: PrometheusLatencyCounts): PrometheusLatencyCounts {
  return { le: a.le.map((v, i) => v + (b.le[i] ?? 0)), count: a.count + b.count, sumSeconds: a.sumSeconds + b.sumSeconds };
}
