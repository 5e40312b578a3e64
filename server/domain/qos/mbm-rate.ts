/**
 * Memory bandwidth from resctrl MBM counters (pure).
 *
 * mbm_total_bytes / mbm_local_bytes are cumulative byte counters: bandwidth = Δbytes / Δt. A counter that
 * goes down was reset (group re-created, RMID recycled, resctrl remounted): that interval has no rate —
 * never a negative bandwidth — and the next interval starts from the new value.
 */

export interface CounterReading {
  /** milliseconds since the epoch */
  atMs: number;
  /** cumulative bytes (decimal string, bigint or number); null = not readable ("Unavailable" …) */
  bytes: string | bigint | number | null;
}

export type RateStatus = "ok" | "reset" | "missing" | "bad-interval";

export interface RateResult {
  /** bytes per second; null when not computable */
  bytesPerSecond: number | null;
  status: RateStatus;
}

function toBig(v: string | bigint | number | null): bigint | null {
  if (v === null) return null;
  if (typeof v === "bigint") return v >= 0n ? v : null;
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : null;
  return /^\d+$/.test(v) ? BigInt(v) : null;
}

/** Rate between two readings of the same counter. */
export function mbmRate(prev: CounterReading, cur: CounterReading): RateResult {
  const a = toBig(prev.bytes);
  const b = toBig(cur.bytes);
  if (a === null || b === null) return { bytesPerSecond: null, status: "missing" };
  const dtMs = cur.atMs - prev.atMs;
  if (!Number.isFinite(dtMs) || dtMs <= 0) return { bytesPerSecond: null, status: "bad-interval" };
  if (b < a) return { bytesPerSecond: null, status: "reset" };
  // Δbytes fits a double without meaningful loss (bandwidth, not an exact count)
  return { bytesPerSecond: (Number(b - a) * 1000) / dtMs, status: "ok" };
}

export interface RatePoint extends RateResult {
  /** end of the interval */
  atMs: number;
  fromMs: number;
}

/** Rates over consecutive readings (sorted by time first); n readings → n−1 points. */
export function mbmRates(readings: readonly CounterReading[]): RatePoint[] {
  const sorted = [...readings].sort((x, y) => x.atMs - y.atMs);
  const out: RatePoint[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (!prev || !cur) continue;
    out.push({ ...mbmRate(prev, cur), atMs: cur.atMs, fromMs: prev.atMs });
  }
  return out;
}
