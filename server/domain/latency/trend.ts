/**
 * Trend series: one point per run or per hour/day rollup, each from that period's merged histogram.
 * Keys avoid dots so charts can use them as data keys.
 */
import type { HistogramPart } from "./histogram";
import { statsOfParts } from "./stats";

export type TrendResolution = "run" | "hour" | "day";

export interface TrendPoint {
  /** epoch ms of the run start / bucket start */
  t: number;
  runs: number;
  cycles: number;
  p50: number | null;
  p99: number | null;
  p9999: number | null;
  p99999: number | null;
  max: number | null;
  /** which of p50/p99/p9999/p99999 are only lower bounds ("> N") */
  lowerBounds: Array<"p50" | "p99" | "p9999" | "p99999">;
}

const KEYS = { "50": "p50", "99": "p99", "99.99": "p9999", "99.999": "p99999" } as const;

export function trendPoint(t: Date, parts: readonly HistogramPart[]): TrendPoint {
  const s = statsOfParts(parts);
  return {
    t: t.getTime(),
    runs: s.runs,
    cycles: s.cycles,
    p50: s.percentiles["50"] ?? null,
    p99: s.percentiles["99"] ?? null,
    p9999: s.percentiles["99.99"] ?? null,
    p99999: s.percentiles["99.999"] ?? null,
    max: s.max,
    lowerBounds: s.lowerBounds.flatMap((q) => (q in KEYS ? [KEYS[q as keyof typeof KEYS]] : [])),
  };
}

/** Per run up to 2 days (a 5-minute schedule gives ≤ 576 points), per hour up to 60 days, else per day. */
export function chooseTrendResolution(spanMs: number): TrendResolution {
  const day = 86_400_000;
  if (spanMs <= 2 * day) return "run";
  if (spanMs <= 60 * day) return "hour";
  return "day";
}
