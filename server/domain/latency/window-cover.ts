/**
 * Which stored rows cover a time window exactly. A window [from, to) contains the runs whose
 * startedAt lies in it. Whole UTC days come from day rollups, whole hours at the edges from hour
 * rollups, and the partial hours at the very edges from raw runs — so a 30-day window aligned to
 * days reads 30 rows per host, and any custom window stays exact.
 */
import { ceilUtc, floorUtc } from "./time-buckets";

/** Half-open [from, to). */
export interface TimeRange {
  from: Date;
  to: Date;
}

export interface WindowCover {
  /** day rollups whose bucketStart lies in this range (null: none) */
  days: TimeRange | null;
  /** hour rollups whose bucketStart lies in one of these ranges */
  hours: TimeRange[];
  /** raw runs whose startedAt lies in one of these ranges */
  raw: TimeRange[];
}

const before = (a: Date, b: Date): boolean => a.getTime() < b.getTime();

export function planWindowCover(from: Date, to: Date): WindowCover {
  const cover: WindowCover = { days: null, hours: [], raw: [] };
  if (!before(from, to)) return cover;
  const h0 = ceilUtc(from, "hour");
  const h1 = floorUtc(to, "hour");
  if (!before(h0, h1)) {
    // no whole hour inside the window
    cover.raw.push({ from, to });
    return cover;
  }
  if (before(from, h0)) cover.raw.push({ from, to: h0 });
  if (before(h1, to)) cover.raw.push({ from: h1, to });
  const d0 = ceilUtc(h0, "day");
  const d1 = floorUtc(h1, "day");
  if (before(d0, d1)) {
    cover.days = { from: d0, to: d1 };
    if (before(h0, d0)) cover.hours.push({ from: h0, to: d0 });
    if (before(d1, h1)) cover.hours.push({ from: d1, to: h1 });
  } else {
    cover.hours.push({ from: h0, to: h1 });
  }
  return cover;
}
