/**
 * mergeHistograms for many small parts (a fleet report merges ~30,000 rollup rows): the same
 * semantics — size = the smallest, buckets ≥ it become overflows, true min/max, Σ weighted means —
 * without validating and sorting every part's entries. Tested against mergeHistograms.
 */
import { mergeHistograms, type HistogramPart, type MergedHistogram } from "./histogram";

export function mergeManyParts(parts: readonly HistogramPart[]): MergedHistogram {
  if (parts.length === 0 || parts.some((p) => p.histogram instanceof Map || (p.unit ?? "us") !== (parts[0]?.unit ?? "us"))) {
    return mergeHistograms(parts);
  }
  let size = Infinity;
  for (const p of parts) size = Math.min(size, p.histogramSize);
  if (!Number.isSafeInteger(size) || size < 1) return mergeHistograms(parts); // let it throw the usual error
  const counts = new Map<number, number>();
  const m: MergedHistogram = {
    unit: parts[0]?.unit ?? "us",
    histogramSize: size,
    histogram: counts,
    overflows: 0,
    cycles: 0,
    min: null,
    max: null,
    weightedSum: 0,
    weightedCycles: 0,
    runs: 0,
  };
  for (const p of parts) {
    let partSum = 0;
    for (const k in p.histogram) {
      const c = (p.histogram as Record<string, number>)[k] ?? 0;
      const b = Number(k);
      if (!Number.isSafeInteger(b) || b < 0 || !Number.isSafeInteger(c) || c < 0) return mergeHistograms(parts);
      if (c === 0) continue;
      partSum += c;
      if (b >= size) m.overflows += c;
      else counts.set(b, (counts.get(b) ?? 0) + c);
    }
    m.overflows += p.overflows;
    const partCycles = partSum + p.overflows;
    m.cycles += partCycles;
    m.runs += p.runs ?? 1;
    if (partCycles > 0) {
      if (p.min !== null && Number.isFinite(p.min)) m.min = m.min === null ? p.min : Math.min(m.min, p.min);
      if (p.max !== null && Number.isFinite(p.max)) m.max = m.max === null ? p.max : Math.max(m.max, p.max);
    }
    if (p.weightedSum !== undefined && Number.isFinite(p.weightedSum)) {
      m.weightedSum += p.weightedSum;
      m.weightedCycles += p.weightedCycles ?? p.cycles ?? partCycles;
    } else if (p.avg !== undefined && p.avg !== null && Number.isFinite(p.avg)) {
      const c = p.cycles ?? partCycles;
      m.weightedSum += p.avg * c;
      m.weightedCycles += c;
    }
  }
  return m;
}
