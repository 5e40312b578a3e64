/**
 * What the cyclictest parsers return (pure; the formats are described here once).
 *
 * Text, ≤ 2.6 generation (Debian's 2.4 prints this, verified here): every bucket row "000017 000004\t000012"
 * (bucket, one count per thread, plus a sum column with -H when more than one thread), then
 * "# Total:" (Σ buckets per thread, overflows excluded) and the footer.
 * Text, ≥ 2.7 generation: rows of empty buckets are omitted and there is no "# Total:" line.
 * Footer: "# Min Latencies:", "# Avg Latencies:" (integer, truncated), "# Max Latencies:" and
 * "# Histogram Overflows:" (both with an extra sum value under -H), "# Histogram Overflow at cycle number:"
 * then "# Thread N: c c c … # NNNNN others". Printed widths (%06lu, %05lu) are minimums, so numbers are
 * split on whitespace, never by column.
 *
 * JSON (--json): keys "cmdline:" and "rt_test_version:" really include the colon; "avg" is printed with
 * %.2f of avg/cycles and so may be `nan`/`-nan` (invalid JSON — mapped to null before parsing); the
 * histogram lists non-empty buckets only and there is no overflow count: overflows = cycles − Σ buckets.
 *
 * Units are µs unless -N (ns; then buckets are 1 ns wide).
 */
import type { LatencyUnit, SparseHistogram } from "@/server/domain/latency/histogram";
import type { LatencyThreadTotals } from "@/server/domain/latency/run";

export class CyclictestParseError extends Error {
  /** 1-based line number the problem was found on (null when it concerns the whole input). */
  readonly line: number | null;
  constructor(message: string, line: number | null) {
    super(line === null ? message : `line ${line}: ${message}`);
    this.name = "CyclictestParseError";
    this.line = line;
  }
}

export type CyclictestFormat = "text-full" | "text-sparse" | "json";
/** Where histogramSize came from: bucket rows (≤ 2.6 prints them all), the command line, or max bucket + 1 (a lower bound). */
export type HistogramSizeSource = "rows" | "cmdline" | "option" | "max-bucket";

export type CyclictestThread = LatencyThreadTotals<SparseHistogram>;

export interface CyclictestResult {
  format: CyclictestFormat;
  unit: LatencyUnit;
  histogramSize: number;
  histogramSizeSource: HistogramSizeSource;
  toolVersion: string | null;
  cmdline: string | null;
  startTime: string | null;
  endTime: string | null;
  threads: CyclictestThread[];
}

export interface CyclictestParseOptions {
  /** "ns" when the run used -N (text output does not say) */
  unit?: LatencyUnit;
  /** the command line, when known (text output does not carry it) */
  cmdline?: string;
  /** histogram size when known; overrides inference for ≥ 2.7 text */
  histogramSize?: number;
  /** CPUs the threads were pinned to, in thread order */
  cpus?: readonly number[];
}

/** The histogram size a caller or the command line states (null: the parser must infer it from the buckets). */
export function statedHistogramSize(opts: CyclictestParseOptions, cmdlineSize: number | null | undefined): { histogramSize: number; histogramSizeSource: HistogramSizeSource } | null {
  if (opts.histogramSize !== undefined) return { histogramSize: opts.histogramSize, histogramSizeSource: "option" };
  if (cmdlineSize) return { histogramSize: cmdlineSize, histogramSizeSource: "cmdline" };
  return null;
}
