/**
 * UTC hour/day arithmetic for latency rollups. A rollup row's bucketStart is the UTC start of its
 * hour or day; a run belongs to the bucket that contains its startedAt.
 */
export type RollupGranularity = "hour" | "day";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const stepOf = (g: RollupGranularity): number => (g === "hour" ? HOUR_MS : DAY_MS);

/** Start of the UTC hour/day containing t (epoch arithmetic: UTC has no DST and no leap seconds in JS). */
export function floorUtc(t: Date, g: RollupGranularity): Date {
  const step = stepOf(g);
  return new Date(Math.floor(t.getTime() / step) * step);
}

/** The first UTC hour/day boundary at or after t. */
export function ceilUtc(t: Date, g: RollupGranularity): Date {
  const step = stepOf(g);
  return new Date(Math.ceil(t.getTime() / step) * step);
}

export interface RollupKey {
  granularity: RollupGranularity;
  bucketStart: Date;
}

/** The hour and day rollups a run started at `startedAt` is merged into. */
export function rollupKeysFor(startedAt: Date): [RollupKey, RollupKey] {
  return [
    { granularity: "hour", bucketStart: floorUtc(startedAt, "hour") },
    { granularity: "day", bucketStart: floorUtc(startedAt, "day") },
  ];
}

/** Stable text form of a key, for grouping and for a deterministic lock order. */
export function rollupKeyId(k: RollupKey): string {
  return `${k.granularity}:${k.bucketStart.toISOString()}`;
}
