/**
 * mergeHistograms for many small parts (a fleet report merges ~30,000 rollup rows): the same
 * semantics — size = the smallest, buckets ≥ it become overflows, true min/max, Σ weighted means —
 * without validating and sorting every part's entries (the per-part steps are mergeHistograms' own:
 * addBucket, addPartTotals). Tested against mergeHistograms.
 */
import { addBucket, addPartTotals, emptyMerged, mergeHistograms, type HistogramPart, type MergedHistogram } from "./histogram";

export function mergeManyParts(parts: readonly HistogramPart[]): MergedHistogram {
  if (parts.length === 0 || parts.some((p) => p.histogram instanceof Map || (p.unit ?? "us") !== (parts[0]?.unit ?? "us"))) {
    return mergeHistograms(parts);
  }
  let size = Infinity;
  for (const p of parts) size = Math.min(size, p.histogramSize);
  if (!Number.isSafeInteger(size) || size < 1) return mergeHistograms(parts); // let it throw the usual error
  const m = emptyMerged(parts[0]?.unit ?? "us", size);
  for (const p of parts) {
    let partSum = 0;
    for (const k in p.histogram) {
      const c = (p.histogram as Record<string, number>)[k] ?? 0;
      const b = Number(k);
      if (!Number.isSafeInteger(b) || b < 0 || !Number.isSafeInteger(c) || c < 0) return mergeHistograms(parts);
      if (c === 0) continue;
      partSum += c;
      addBucket(m, b, c);
    }
    addPartTotals(m, p, partSum);
  }
  return m;
}
