/**
 * Noisy-neighbour detection on resctrl monitoring series (pure).
 *
 * The seeds' point: with an unlimited shared L3, one VNF that starts streaming evicts its neighbours'
 * lines. Seen from CMT/MBM, that is one group whose memory bandwidth or LLC occupancy jumps while another
 * group on the same L3 domain loses occupancy in the same window (or, where the host measures latency,
 * its latency worsens then). A rise with no victim is just load, and is not flagged.
 *
 * Readings are averaged in fixed windows (`windowMs`); each window is compared with the one before.
 * Bandwidth comes from mbmRates: an interval whose counter went down is a reset and has no rate, so a
 * reset can never read as a jump. Consecutive flagged windows of the same pair merge into one event.
 */
import { mbmRates } from "@/server/domain/qos/mbm-rate";
import type { QosReadingRow } from "@/server/domain/qos/qos-series";

export interface NoisyNeighbourOptions {
  /** comparison window (default 60 s) */
  windowMs: number;
  /** bandwidth or occupancy at least this many times the previous window's (default 2) */
  jumpFactor: number;
  /** ...and up by at least this much: ignores noise on idle groups (default 100 MB/s, 2 MiB) */
  minBandwidthRiseBps: number;
  minOccupancyRiseBytes: number;
  /** a victim's occupancy falls by at least this fraction (default 0.3) and this many bytes (default 1 MiB) */
  victimDropFraction: number;
  minVictimDropBytes: number;
  /** host latency (max, µs) at least this many times the one measured before (default 1.5) */
  latencyFactor: number;
  /**
   * cyclictest runs are periodic, not every window: "before" is the latest measurement within this long
   * before the jump window (default 1 h), "after" the worst within this long from the jump window's start
   * (default 10 min)
   */
  latencyLookbackMs: number;
  latencyLookaheadMs: number;
  /**
   * a rise back to where the group already was shortly before (within this long, default 30 min; at least
   * `returnShare` of the new level, default 0.8) is a recovery — a victim getting its lines back after the
   * aggressor stopped — not a jump
   */
  recoveryLookbackMs: number;
  returnShare: number;
}

export const DEFAULT_NOISY_NEIGHBOUR_OPTIONS: NoisyNeighbourOptions = {
  windowMs: 60_000,
  jumpFactor: 2,
  minBandwidthRiseBps: 100e6,
  minOccupancyRiseBytes: 2 * 1024 * 1024,
  victimDropFraction: 0.3,
  minVictimDropBytes: 1024 * 1024,
  latencyFactor: 1.5,
  latencyLookbackMs: 3_600_000,
  latencyLookaheadMs: 600_000,
  recoveryLookbackMs: 1_800_000,
  returnShare: 0.8,
};

/** A host latency measurement (cyclictest max) at a time. */
export interface LatencyPoint {
  atMs: number;
  maxUs: number;
}

export interface WindowValues {
  occupancyBytes: number | null;
  mbmTotalBps: number | null;
}

export interface NoisyNeighbourEvent {
  domain: string;
  /** the group whose bandwidth/occupancy jumped */
  aggressor: string;
  /** the group that lost occupancy; null when the victim is the host's latency */
  victim: string | null;
  /** start of the window before the jump … end of the last flagged window */
  fromMs: number;
  toMs: number;
  /** which of the aggressor's metrics jumped */
  jumped: Array<"bandwidth" | "occupancy">;
  aggressorBefore: WindowValues;
  aggressorAfter: WindowValues;
  victimOccupancyBefore: number | null;
  victimOccupancyAfter: number | null;
  latencyBeforeUs: number | null;
  latencyAfterUs: number | null;
}

interface Acc {
  occSum: number;
  occN: number;
  bytes: number;
  seconds: number;
}

function mean(a: Acc | undefined): WindowValues {
  return {
    occupancyBytes: a && a.occN > 0 ? a.occSum / a.occN : null,
    mbmTotalBps: a && a.seconds > 0 ? a.bytes / a.seconds : null,
  };
}

function rose(before: number | null, after: number | null, factor: number, minRise: number): boolean {
  if (before === null || after === null) return false;
  return after - before >= minRise && after >= before * factor;
}

/** The group already had `after` (within returnShare) in a window of [w - 1 - back, w - 2]: a return, not a jump. */
function returned(wins: Map<number, Acc>, w: number, back: number, after: number | null, pick: (v: WindowValues) => number | null, share: number): boolean {
  if (after === null) return false;
  for (let k = w - 2; k >= w - 1 - back; k--) {
    const a = wins.get(k);
    if (!a) continue;
    const v = pick(mean(a));
    if (v !== null && v >= after * share) return true;
  }
  return false;
}

/** Window-averaged values per (domain, group, window index). */
function windowed(rows: readonly QosReadingRow[], windowMs: number): Map<string, Map<string, Map<number, Acc>>> {
  const byKey = new Map<string, QosReadingRow[]>();
  for (const r of rows) {
    const k = `${r.domain}\u0000${r.group}`;
    const list = byKey.get(k);
    if (list) list.push(r);
    else byKey.set(k, [r]);
  }
  const out = new Map<string, Map<string, Map<number, Acc>>>();
  for (const list of byKey.values()) {
    const sorted = [...list].sort((a, b) => a.atMs - b.atMs);
    const first = sorted[0];
    if (!first) continue;
    const groups = out.get(first.domain) ?? new Map<string, Map<number, Acc>>();
    out.set(first.domain, groups);
    const wins = new Map<number, Acc>();
    groups.set(first.group, wins);
    const acc = (t: number): Acc => {
      const w = Math.floor(t / windowMs);
      let a = wins.get(w);
      if (!a) wins.set(w, (a = { occSum: 0, occN: 0, bytes: 0, seconds: 0 }));
      return a;
    };
    for (const r of sorted) {
      if (r.llcOccupancyBytes === null) continue;
      const a = acc(r.atMs);
      a.occSum += Number(r.llcOccupancyBytes);
      a.occN++;
    }
    for (const p of mbmRates(sorted.map((r) => ({ atMs: r.atMs, bytes: r.mbmTotalBytes })))) {
      // a reset interval has no rate: it adds nothing (never a jump, never a negative bandwidth)
      if (p.status !== "ok" || p.bytesPerSecond === null) continue;
      const a = acc(p.atMs);
      const dt = (p.atMs - p.fromMs) / 1000;
      a.bytes += p.bytesPerSecond * dt;
      a.seconds += dt;
    }
  }
  return out;
}

function latencyWindows(points: readonly LatencyPoint[], windowMs: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of points) {
    const w = Math.floor(p.atMs / windowMs);
    out.set(w, Math.max(out.get(w) ?? 0, p.maxUs));
  }
  return out;
}

/** Latency around the jump window `w`: the latest window before it (within lookback) and the worst from w on (within lookahead). */
function latencyAround(lat: Map<number, number>, sortedWindows: readonly number[], w: number, o: NoisyNeighbourOptions): { before: number | null; after: number | null } {
  const back = Math.max(1, Math.ceil(o.latencyLookbackMs / o.windowMs));
  const ahead = Math.max(0, Math.floor(o.latencyLookaheadMs / o.windowMs) - 1);
  let before: number | null = null;
  let after: number | null = null;
  let beforeW = -Infinity;
  for (const lw of sortedWindows) {
    if (lw < w && lw >= w - back && lw > beforeW) {
      beforeW = lw;
      before = lat.get(lw) ?? null;
    }
    if (lw >= w && lw <= w + ahead) after = Math.max(after ?? 0, lat.get(lw) ?? 0);
  }
  return { before, after };
}

/** Flags noisy neighbours in a host's readings (all groups, all domains). Events sorted by start time. */
export function detectNoisyNeighbours(rows: readonly QosReadingRow[], latency: readonly LatencyPoint[] = [], options: Partial<NoisyNeighbourOptions> = {}): NoisyNeighbourEvent[] {
  const o = { ...DEFAULT_NOISY_NEIGHBOUR_OPTIONS, ...options };
  const lat = latencyWindows(latency, o.windowMs);
  const latWindows = [...lat.keys()].sort((a, b) => a - b);
  const events: NoisyNeighbourEvent[] = [];
  const open = new Map<string, NoisyNeighbourEvent>();
  for (const [domain, groups] of windowed(rows, o.windowMs)) {
    const windows = [...new Set([...groups.values()].flatMap((w) => [...w.keys()]))].sort((a, b) => a - b);
    for (const w of windows) {
      const flaggedNow = new Set<string>();
      for (const [aggressor, wins] of groups) {
        const before = mean(wins.get(w - 1));
        const after = mean(wins.get(w));
        const jumped: NoisyNeighbourEvent["jumped"] = [];
        const back = Math.max(0, Math.ceil(o.recoveryLookbackMs / o.windowMs));
        if (rose(before.mbmTotalBps, after.mbmTotalBps, o.jumpFactor, o.minBandwidthRiseBps) && !returned(wins, w, back, after.mbmTotalBps, (v) => v.mbmTotalBps, o.returnShare)) jumped.push("bandwidth");
        if (rose(before.occupancyBytes, after.occupancyBytes, o.jumpFactor, o.minOccupancyRiseBytes) && !returned(wins, w, back, after.occupancyBytes, (v) => v.occupancyBytes, o.returnShare)) jumped.push("occupancy");
        if (jumped.length === 0) continue;
        const victims: Array<{ victim: string | null; vb: number | null; va: number | null }> = [];
        for (const [other, owins] of groups) {
          if (other === aggressor) continue;
          const vb = mean(owins.get(w - 1)).occupancyBytes;
          const va = mean(owins.get(w)).occupancyBytes;
          if (vb !== null && va !== null && vb - va >= o.minVictimDropBytes && va <= vb * (1 - o.victimDropFraction)) victims.push({ victim: other, vb, va });
        }
        const { before: lb, after: la } = latencyAround(lat, latWindows, w, o);
        const latencyWorse = lb !== null && la !== null && la > lb && la >= lb * o.latencyFactor;
        if (victims.length === 0 && latencyWorse) victims.push({ victim: null, vb: null, va: null });
        for (const v of victims) {
          const key = `${domain}\u0000${aggressor}\u0000${v.victim ?? ""}`;
          flaggedNow.add(key);
          const prev = open.get(key);
          if (prev && prev.toMs === w * o.windowMs) {
            prev.toMs = (w + 1) * o.windowMs;
            continue;
          }
          const ev: NoisyNeighbourEvent = {
            domain,
            aggressor,
            victim: v.victim,
            fromMs: (w - 1) * o.windowMs,
            toMs: (w + 1) * o.windowMs,
            jumped,
            aggressorBefore: before,
            aggressorAfter: after,
            victimOccupancyBefore: v.vb,
            victimOccupancyAfter: v.va,
            latencyBeforeUs: latencyWorse ? lb : null,
            latencyAfterUs: latencyWorse ? la : null,
          };
          open.set(key, ev);
          events.push(ev);
        }
      }
      for (const k of [...open.keys()]) if (!flaggedNow.has(k) && (open.get(k)?.toMs ?? 0) < w * o.windowMs) open.delete(k);
    }
  }
  return events.sort((a, b) => a.fromMs - b.fromMs || a.aggressor.localeCompare(b.aggressor));
}
