/**
 * Time series of resctrl monitoring readings for charts (pure): LLC occupancy and MBM bandwidth per
 * (monitoring group, L3 domain), downsampled to a bounded number of points.
 *
 * Bandwidth comes from mbmRates (Δbytes/Δt). An interval whose counter went down is a reset: it has no
 * rate, is counted, and stays a gap after downsampling (averaging across it would invent bandwidth).
 */
import { mbmRates, type RatePoint } from "@/server/domain/qos/mbm-rate";

/** One stored reading, as the repo hands it over. */
export interface QosReadingRow {
  atMs: number;
  group: string;
  domain: string;
  llcOccupancyBytes: bigint | null;
  mbmTotalBytes: bigint | null;
  mbmLocalBytes: bigint | null;
}

/** One chart point: occupancy at `t`, bandwidth over the interval ending at `t` (null = gap). */
export interface QosPoint {
  t: number;
  occupancyBytes: number | null;
  mbmTotalBps: number | null;
  mbmLocalBps: number | null;
}

export interface QosSeries {
  group: string;
  domain: string;
  /** readings in the window (before downsampling) */
  readings: number;
  points: QosPoint[];
  /** counter resets seen in the window (a decrease of the cumulative counter) */
  resets: { total: number; local: number };
  /** times (ms) of the intervals that ended in a reset, either counter */
  resetTimes: number[];
}

export const DEFAULT_MAX_POINTS = 300;

/** Raw (full resolution) point with the interval length each rate covers, for weighted averaging. */
interface RawPoint {
  t: number;
  occupancyBytes: number | null;
  total: RatePoint | null;
  local: RatePoint | null;
}

function rateOf(points: readonly RawPoint[], pick: (p: RawPoint) => RatePoint | null): number | null {
  let bytes = 0;
  let seconds = 0;
  for (const p of points) {
    const r = pick(p);
    if (!r) continue;
    // a reset inside the bucket keeps the bucket a gap, so resets stay visible at every zoom
    if (r.status === "reset") return null;
    if (r.status !== "ok" || r.bytesPerSecond === null) continue;
    const dt = (r.atMs - r.fromMs) / 1000;
    bytes += r.bytesPerSecond * dt;
    seconds += dt;
  }
  return seconds > 0 ? bytes / seconds : null;
}

function meanOf(values: readonly (number | null)[]): number | null {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v === null) continue;
    sum += v;
    n++;
  }
  return n > 0 ? sum / n : null;
}

/**
 * At most `maxPoints` points: consecutive points are merged in equal-size runs; a merged point sits at
 * the run's last time, occupancy is the mean, bandwidth the time-weighted mean of its ok intervals.
 */
function downsample(raw: readonly RawPoint[], maxPoints: number): QosPoint[] {
  const size = Math.max(1, Math.ceil(raw.length / Math.max(1, maxPoints)));
  const out: QosPoint[] = [];
  for (let i = 0; i < raw.length; i += size) {
    const run = raw.slice(i, i + size);
    const last = run[run.length - 1];
    if (!last) continue;
    out.push({
      t: last.t,
      occupancyBytes: meanOf(run.map((p) => p.occupancyBytes)),
      mbmTotalBps: rateOf(run, (p) => p.total),
      mbmLocalBps: rateOf(run, (p) => p.local),
    });
  }
  return out;
}

function occupancyNumber(v: bigint | null): number | null {
  return v === null ? null : Number(v);
}

/** One series per (group, domain), sorted by group then domain; points in time order, ≤ maxPoints each. */
export function buildQosSeries(rows: readonly QosReadingRow[], maxPoints: number = DEFAULT_MAX_POINTS): QosSeries[] {
  const byKey = new Map<string, QosReadingRow[]>();
  for (const r of rows) {
    const key = `${r.group}\u0000${r.domain}`;
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  const out: QosSeries[] = [];
  for (const list of byKey.values()) {
    const sorted = [...list].sort((a, b) => a.atMs - b.atMs);
    const first = sorted[0];
    if (!first) continue;
    const totals = mbmRates(sorted.map((r) => ({ atMs: r.atMs, bytes: r.mbmTotalBytes })));
    const locals = mbmRates(sorted.map((r) => ({ atMs: r.atMs, bytes: r.mbmLocalBytes })));
    const raw: RawPoint[] = sorted.map((r, i) => ({
      t: r.atMs,
      occupancyBytes: occupancyNumber(r.llcOccupancyBytes),
      // rate i−1 covers readings i−1 → i
      total: i === 0 ? null : (totals[i - 1] ?? null),
      local: i === 0 ? null : (locals[i - 1] ?? null),
    }));
    const resetTimes = raw.filter((p) => p.total?.status === "reset" || p.local?.status === "reset").map((p) => p.t);
    out.push({
      group: first.group,
      domain: first.domain,
      readings: sorted.length,
      points: downsample(raw, maxPoints),
      resets: {
        total: totals.filter((r) => r.status === "reset").length,
        local: locals.filter((r) => r.status === "reset").length,
      },
      resetTimes,
    });
  }
  return out.sort((a, b) => (a.group === b.group ? a.domain.localeCompare(b.domain) : compareGroups(a.group, b.group)));
}

/** The root group "/" first, then by path. */
export function compareGroups(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "/") return -1;
  if (b === "/") return 1;
  return a.localeCompare(b);
}

/** "mon_L3_01" → 1 (null if the name has no trailing number). */
export function domainIdOf(domain: string): number | null {
  const m = /_(\d+)$/.exec(domain);
  return m?.[1] ? Number(m[1]) : null;
}

/** A short label for a series: "rt-vnf · L3 #0". */
export function seriesLabel(group: string, domain: string): string {
  const id = domainIdOf(domain);
  return `${group} · ${id === null ? domain : `L3 #${id}`}`;
}

export const QOS_WINDOWS = ["24h", "7d"] as const;
export type QosWindow = (typeof QOS_WINDOWS)[number];

/** The time range a window preset covers, ending at `now`. */
export function qosWindowRange(window: QosWindow, now: Date): { from: Date; to: Date; label: string } {
  const hours = window === "7d" ? 24 * 7 : 24;
  return { from: new Date(now.getTime() - hours * 3_600_000), to: now, label: window === "7d" ? "last 7 days" : "last 24 hours" };
}
