/**
 * Retention of resctrl readings (QosSample rows, one per group × L3 domain × reading), pure.
 *
 * Tiers by age: every reading for 6 h; then the last reading of each 5-minute bucket up to 7 days; then
 * of each 30-minute bucket up to 30 days; nothing older. Thinning keeps real readings (no averages):
 * MBM counters are cumulative, so Δbytes/Δt between two kept readings is still the exact mean bandwidth
 * over the longer interval (a reset inside it shows as a decrease, or hides when the counter regrew
 * past the old value — the price of thinning); occupancy becomes a point sample. Buckets are aligned on
 * the epoch, so thinning twice keeps the same rows.
 *
 * 24 h charts need ≤ 300 points (5-minute resolution is 288), 7 d charts 336 at 30 minutes.
 */
export interface RetentionTier {
  /** readings younger than this (ms) belong to this tier (the first tier whose bound is above the age) */
  youngerThanMs: number;
  /** null = keep every reading; else keep the last reading of each epoch-aligned bucket of this length */
  bucketMs: number | null;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const QOS_RETENTION_TIERS: readonly RetentionTier[] = [
  { youngerThanMs: 6 * HOUR, bucketMs: null },
  { youngerThanMs: 7 * DAY, bucketMs: 5 * MIN },
  { youngerThanMs: 30 * DAY, bucketMs: 30 * MIN },
];
/** readings at least this old are deleted */
export const QOS_RETENTION_MS = 30 * DAY;

/** The tier of a reading of age `ageMs`, or null when it is past retention. */
export function tierOf(ageMs: number, tiers: readonly RetentionTier[] = QOS_RETENTION_TIERS): RetentionTier | null {
  return tiers.find((t) => ageMs < t.youngerThanMs) ?? null;
}

/** One series' reading times (ms) → those retention keeps at `nowMs` (sorted ascending). */
export function thinReadingTimes(times: readonly number[], nowMs: number, tiers: readonly RetentionTier[] = QOS_RETENTION_TIERS): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  const kept: number[] = [];
  // last reading per (tier, bucket): walk newest first, keep the first seen of each bucket
  const seen = new Set<string>();
  for (let i = sorted.length - 1; i >= 0; i--) {
    const t = sorted[i] as number;
    const tier = tierOf(nowMs - t, tiers);
    if (tier === null) continue;
    if (tier.bucketMs === null) {
      kept.push(t);
      continue;
    }
    const key = `${tier.bucketMs}:${Math.floor(t / tier.bucketMs)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(t);
  }
  return kept.reverse();
}

/**
 * Rows one series holds at most in steady state (after ≥ 30 days) at one reading every `sampleMs`: the
 * raw tier's readings plus one per bucket of the others, plus one for the bucket a tier boundary cuts.
 */
export function steadyStateRowsPerSeries(sampleMs: number, tiers: readonly RetentionTier[] = QOS_RETENTION_TIERS): number {
  let rows = 0;
  let from = 0;
  for (const t of tiers) {
    const span = t.youngerThanMs - from;
    rows += Math.ceil(span / (t.bucketMs ?? sampleMs)) + (t.bucketMs === null ? 0 : 1);
    from = t.youngerThanMs;
  }
  return rows;
}

/** Table size estimate: hosts × groups × domains series, at `bytesPerRow` (heap + indexes, measured). */
export function retainedTableBytes(p: { hosts: number; groups: number; domains: number; sampleMs: number; bytesPerRow: number }): { rows: number; bytes: number } {
  const rows = p.hosts * p.groups * p.domains * steadyStateRowsPerSeries(p.sampleMs);
  return { rows, bytes: rows * p.bytesPerRow };
}
