/**
 * Pure latency-histogram maths shared by the agent (parse-cyclictest) and the server (runs, rollups,
 * reports). Every statistic over a window, host or fleet comes from merged histograms: percentiles and
 * maxima are never averaged.
 *
 * A histogram of size N has buckets 0..N-1 (1 µs wide, or 1 ns with cyclictest -N); every sample ≥ N
 * is counted only as an overflow, so a percentile whose rank lands in that tail is a lower bound "> N".
 */

/** bucket → count; only non-zero buckets need be present. */
export type SparseHistogram = Map<number, number>;
/** The same as stored/serialised JSON: { "17": 4, "18": 1203 }. */
export type SparseHistogramRecord = Record<string, number>;

export type LatencyUnit = "us" | "ns";

export const REPORTED_PERCENTILES = ["50", "99", "99.9", "99.99", "99.999"] as const;
export type ReportedPercentile = (typeof REPORTED_PERCENTILES)[number];

/** One thread, one run, or an already merged rollup. */
export interface HistogramPart {
  unit?: LatencyUnit;
  histogramSize: number;
  histogram: SparseHistogram | SparseHistogramRecord;
  overflows: number;
  /** cycles as reported; when absent (or inconsistent) Σ buckets + overflows is used */
  cycles?: number;
  min: number | null;
  /** true max from cyclictest's footer (may lie in the overflow tail) */
  max: number | null;
  /** per-part mean; weighted by cycles in the merge */
  avg?: number | null;
  /** alternatively Σ avg·cycles already summed (rollups); takes precedence over avg */
  weightedSum?: number;
  /** cycles that weightedSum covers (defaults to cycles) */
  weightedCycles?: number;
  /** number of runs this part stands for (rollups); default 1 */
  runs?: number;
}

export interface MergedHistogram {
  unit: LatencyUnit;
  histogramSize: number;
  histogram: SparseHistogram;
  overflows: number;
  /** Σ buckets + overflows */
  cycles: number;
  min: number | null;
  max: number | null;
  /** Σ avg·cycles over parts whose mean is known */
  weightedSum: number;
  weightedCycles: number;
  runs: number;
}

export class HistogramError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HistogramError";
  }
}

function isNonNegativeInt(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Entries of a Map or a JSON record as numeric [bucket, count] pairs, validated. */
export function histogramEntries(h: SparseHistogram | SparseHistogramRecord): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const raw: Array<[string | number, number]> = h instanceof Map ? [...h.entries()] : Object.entries(h);
  for (const [k, v] of raw) {
    const bucket = typeof k === "number" ? k : /^\d+$/.test(k) ? Number(k) : NaN;
    if (!isNonNegativeInt(bucket)) throw new HistogramError(`bad bucket key ${String(k)}`);
    if (!isNonNegativeInt(v)) throw new HistogramError(`bad count ${String(v)} for bucket ${bucket}`);
    out.push([bucket, v]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

export function toHistogramRecord(h: SparseHistogram): SparseHistogramRecord {
  const out: SparseHistogramRecord = {};
  for (const [b, c] of [...h.entries()].sort((x, y) => x[0] - y[0])) if (c > 0) out[String(b)] = c;
  return out;
}

export function sumBuckets(h: SparseHistogram | SparseHistogramRecord): number {
  let s = 0;
  for (const [, c] of histogramEntries(h)) s += c;
  return s;
}

export function emptyMerged(unit: LatencyUnit = "us", histogramSize = 0): MergedHistogram {
  return {
    unit,
    histogramSize,
    histogram: new Map(),
    overflows: 0,
    cycles: 0,
    min: null,
    max: null,
    weightedSum: 0,
    weightedCycles: 0,
    runs: 0,
  };
}

/**
 * Merge histograms. Parts of different sizes merge at the smallest size: a bucket ≥ that size in a
 * larger histogram becomes an overflow, because the smaller histograms cannot tell where in their tail
 * their own overflows lie. Units must agree (µs and ns buckets do not mix).
 */
export function mergeHistograms(parts: readonly HistogramPart[]): MergedHistogram {
  if (parts.length === 0) return emptyMerged();
  const units = new Set(parts.map((p) => p.unit ?? "us"));
  if (units.size > 1) throw new HistogramError("cannot merge µs and ns histograms");
  const unit = parts[0]?.unit ?? "us";
  for (const p of parts) {
    if (!Number.isSafeInteger(p.histogramSize) || p.histogramSize < 1) {
      throw new HistogramError(`bad histogram size ${p.histogramSize}`);
    }
    if (!isNonNegativeInt(p.overflows)) throw new HistogramError(`bad overflow count ${p.overflows}`);
  }
  const size = Math.min(...parts.map((p) => p.histogramSize));
  const merged = emptyMerged(unit, size);
  for (const p of parts) {
    let partSum = 0;
    for (const [b, c] of histogramEntries(p.histogram)) {
      if (c === 0) continue;
      partSum += c;
      addBucket(merged, b, c);
    }
    addPartTotals(merged, p, partSum);
  }
  return merged;
}

/**
 * The two steps of merging one part, shared by mergeHistograms and mergeManyParts (which checks
 * entries its own, cheaper way). addBucket: a bucket at or above the merge's size is an overflow.
 */
export function addBucket(into: MergedHistogram, bucket: number, count: number): void {
  if (bucket >= into.histogramSize) into.overflows += count;
  else into.histogram.set(bucket, (into.histogram.get(bucket) ?? 0) + count);
}

/** After a part's buckets (Σ = bucketSum) are added: its overflows, cycles, runs, min/max and mean weight. */
export function addPartTotals(into: MergedHistogram, p: HistogramPart, bucketSum: number): void {
  into.overflows += p.overflows;
  const partCycles = bucketSum + p.overflows;
  into.cycles += partCycles;
  into.runs += p.runs ?? 1;
  if (partCycles > 0) {
    if (p.min !== null && Number.isFinite(p.min)) into.min = into.min === null ? p.min : Math.min(into.min, p.min);
    if (p.max !== null && Number.isFinite(p.max)) into.max = into.max === null ? p.max : Math.max(into.max, p.max);
  }
  if (p.weightedSum !== undefined && Number.isFinite(p.weightedSum)) {
    into.weightedSum += p.weightedSum;
    into.weightedCycles += p.weightedCycles ?? p.cycles ?? partCycles;
  } else if (p.avg !== undefined && p.avg !== null && Number.isFinite(p.avg)) {
    const c = p.cycles ?? partCycles;
    into.weightedSum += p.avg * c;
    into.weightedCycles += c;
  }
}

/** Σ(avg·cycles)/Σcycles, or null when no part had a known mean. */
export function meanOf(m: Pick<MergedHistogram, "weightedSum" | "weightedCycles">): number | null {
  return m.weightedCycles > 0 ? m.weightedSum / m.weightedCycles : null;
}

/** "99.999" → [99999n, 100000n]: exact decimal so ranks have no float error. */
function decimalFraction(q: string): [bigint, bigint] {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(q);
  if (!m) throw new HistogramError(`bad percentile ${q}`);
  const frac = m[2] ?? "";
  const num = BigInt((m[1] ?? "0") + frac);
  const den = 10n ** BigInt(frac.length) * 100n;
  if (num > den) throw new HistogramError(`percentile above 100: ${q}`);
  return [num, den];
}

export interface PercentileResult {
  /** q → bucket; N (histogram size) when the rank lies in the overflow tail; null for an empty histogram */
  values: Record<string, number | null>;
  /** the q whose value is only a lower bound ("> N") */
  lowerBounds: string[];
}

/**
 * Percentile q = the smallest bucket b whose cumulative count (buckets ≤ b) reaches q % of all
 * cycles (overflows included in the total). When no bucket does, the rank lies in the overflow tail:
 * the value is N and q is listed in lowerBounds.
 */
export function percentiles(
  m: { histogram: SparseHistogram | SparseHistogramRecord; overflows: number; histogramSize: number },
  qs: readonly string[] = REPORTED_PERCENTILES,
): PercentileResult {
  const entries = histogramEntries(m.histogram).filter(([, c]) => c > 0);
  let total = BigInt(m.overflows);
  for (const [, c] of entries) total += BigInt(c);
  const values: Record<string, number | null> = {};
  const lowerBounds: string[] = [];
  for (const q of qs) {
    if (total === 0n) {
      values[q] = null;
      continue;
    }
    const [num, den] = decimalFraction(q);
    // cum ≥ q%·total  ⇔  cum·den ≥ num·total
    const target = num * total;
    let cum = 0n;
    let found: number | null = null;
    for (const [b, c] of entries) {
      if (b >= m.histogramSize) break;
      cum += BigInt(c);
      if (cum * den >= target) {
        found = b;
        break;
      }
    }
    if (found === null) {
      values[q] = m.histogramSize;
      lowerBounds.push(q);
    } else {
      values[q] = found;
    }
  }
  return { values, lowerBounds };
}

export interface HistogramStats {
  unit: LatencyUnit;
  histogramSize: number;
  cycles: number;
  overflows: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  percentiles: Record<string, number | null>;
  lowerBounds: string[];
}

export function summarize(m: MergedHistogram, qs: readonly string[] = REPORTED_PERCENTILES): HistogramStats {
  const p = percentiles(m, qs);
  return {
    unit: m.unit,
    histogramSize: m.histogramSize,
    cycles: m.cycles,
    overflows: m.overflows,
    min: m.min,
    max: m.max,
    mean: meanOf(m),
    percentiles: p.values,
    lowerBounds: p.lowerBounds,
  };
}
