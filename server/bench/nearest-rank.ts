/**
 * The q-quantile of an ascending list by nearest rank: the smallest value with at least q of the list at
 * or below it (p95 of 20 timings is the 19th, not the slowest; p50 of an even count is the lower middle).
 * NaN for an empty list.
 */
export function nearestRank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}
