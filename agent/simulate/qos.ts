/**
 * Synthetic resctrl monitoring readings (pure): per group and L3 domain, llc_occupancy wandering around a
 * working-set size, and cumulative mbm_total/mbm_local byte counters that only grow — except at an
 * occasional reset (group re-created, RMID recycled), after which they start again near zero, as the
 * kernel's counters do.
 */
import type { QosSample } from "@/server/contract/sections/qos";
import { createRandom, type Random } from "@/agent/simulate/random";

export interface QosGroupSpec {
  /** "/", "rt-vnf", "mon_groups/vnf-a", "rt-vnf/mon_groups/vnf-rt-0" */
  group: string;
  /** "mon_L3_00" … */
  domains: readonly string[];
}

export interface QosSeriesOptions {
  groups: readonly QosGroupSpec[];
  seed: string;
  /** L3 size per domain, bytes (occupancy never exceeds it) */
  l3Bytes?: number;
  /** mean time between counter resets of one group/domain, seconds (default 3 days) */
  meanResetIntervalS?: number;
  /** noisy-neighbour episodes: the aggressor streams, the victim's lines are evicted */
  episodes?: readonly NoisyEpisode[];
}

/**
 * While [fromMs, toMs): the aggressor's bandwidth is `bandwidthFactor` times its own and its occupancy
 * `aggressorL3Share` of the L3; the victim keeps `victimOccupancyFactor` of its working set (same domain).
 */
export interface NoisyEpisode {
  aggressor: string;
  victim: string;
  domain: string;
  fromMs: number;
  toMs: number;
  bandwidthFactor?: number;
  aggressorL3Share?: number;
  victimOccupancyFactor?: number;
}

/** Occupancy is reported in multiples of the RMID upscaling factor (64 KiB on these parts). */
const OCCUPANCY_GRAIN = 65536;

interface Counter {
  group: string;
  domain: string;
  rng: Random;
  rateBps: number;
  localShare: number;
  workingSet: number;
  total: bigint;
  local: bigint;
}

/**
 * A running set of counters: `readAt(t)` advances every counter by its bandwidth × Δt (with noise) and
 * returns one reading per group and domain. Times must not go backwards.
 */
export class QosSeries {
  private readonly counters: Counter[];
  private readonly l3: number;
  private readonly meanResetS: number;
  private readonly episodes: readonly NoisyEpisode[];
  private lastAtMs: number | null = null;

  constructor(opts: QosSeriesOptions) {
    this.l3 = opts.l3Bytes ?? 28_835_840;
    this.meanResetS = opts.meanResetIntervalS ?? 3 * 86400;
    this.episodes = opts.episodes ?? [];
    this.counters = opts.groups.flatMap((g) =>
      g.domains.map((domain, i): Counter => {
        const rng = createRandom(`${opts.seed}/${g.group}/${domain}`);
        // The root group sees most of the traffic, VNF groups a few GB/s; the second socket less.
        const rateBps = (g.group === "/" ? 6e9 : 1.5e9) * (0.5 + rng.next()) * (i === 0 ? 1 : 0.6);
        const localShare = 0.7 + 0.25 * rng.next();
        const total = BigInt(Math.floor(rng.next() * 4e13));
        return {
          group: g.group,
          domain,
          rng,
          rateBps,
          localShare,
          workingSet: this.l3 * (g.group === "/" ? 0.55 : 0.12 + 0.25 * rng.next()),
          total,
          local: (total * BigInt(Math.round(localShare * 1000))) / 1000n,
        };
      }),
    );
  }

  readAt(at: Date): QosSample[] {
    const atMs = at.getTime();
    if (this.lastAtMs !== null && atMs < this.lastAtMs) throw new Error("QoS readings must move forward in time");
    const dtS = this.lastAtMs === null ? 0 : (atMs - this.lastAtMs) / 1000;
    this.lastAtMs = atMs;
    const iso = at.toISOString();
    return this.counters.map((c) => {
      const ep = this.episodes.find((e) => e.domain === c.domain && (e.aggressor === c.group || e.victim === c.group) && atMs >= e.fromMs && atMs < e.toMs);
      const aggressor = ep?.aggressor === c.group;
      const rateFactor = ep && aggressor ? (ep.bandwidthFactor ?? 6) : 1;
      if (dtS > 0) {
        if (c.rng.chance(1 - Math.exp(-dtS / this.meanResetS))) {
          c.total = 0n;
          c.local = 0n;
        }
        const bytes = Math.max(0, c.rateBps * rateFactor * dtS * (1 + 0.15 * c.rng.normal()));
        const local = bytes * Math.min(1, Math.max(0, c.localShare + 0.03 * c.rng.normal()));
        c.total += BigInt(Math.floor(bytes));
        c.local += BigInt(Math.floor(local));
      }
      const ws = !ep ? c.workingSet : aggressor ? this.l3 * (ep.aggressorL3Share ?? 0.6) : c.workingSet * (ep.victimOccupancyFactor ?? 0.3);
      const occ = Math.min(this.l3, Math.max(0, ws * (1 + 0.1 * c.rng.normal())));
      return {
        at: iso,
        group: c.group,
        domain: c.domain,
        llcOccupancyBytes: String(Math.floor(occ / OCCUPANCY_GRAIN) * OCCUPANCY_GRAIN),
        mbmTotalBytes: c.total.toString(),
        mbmLocalBytes: c.local.toString(),
      };
    });
  }
}

/**
 * `samples` readings, `everySeconds` apart from `from`, all groups/domains at each instant, in time order;
 * `dense` adds readings `everySeconds` apart inside [fromMs, toMs) (around an episode, as the agent reads every cycle).
 */
export function simulateQosSamples(opts: QosSeriesOptions & { from: Date; samples: number; everySeconds: number; dense?: { fromMs: number; toMs: number; everySeconds: number } }): QosSample[] {
  const series = new QosSeries(opts);
  const times = new Set<number>();
  for (let k = 0; k < opts.samples; k++) times.add(opts.from.getTime() + k * opts.everySeconds * 1000);
  if (opts.dense) for (let t = opts.dense.fromMs; t < opts.dense.toMs; t += Math.max(1, opts.dense.everySeconds) * 1000) times.add(t);
  const out: QosSample[] = [];
  for (const t of [...times].sort((a, b) => a - b)) out.push(...series.readAt(new Date(t)));
  return out;
}

/** Monitoring groups and domains as the resctrl section lists them (empty when resctrl is absent). */
export function qosGroupsFromResctrl(data: unknown): QosGroupSpec[] {
  if (!data || typeof data !== "object" || !("monGroups" in data) || !Array.isArray(data.monGroups)) return [];
  const groups: QosGroupSpec[] = [];
  for (const g of data.monGroups as unknown[]) {
    if (!g || typeof g !== "object" || !("path" in g) || typeof g.path !== "string" || !("domains" in g) || !Array.isArray(g.domains)) continue;
    const domains = (g.domains as unknown[])
      .map((d) => (d && typeof d === "object" && "domain" in d && typeof d.domain === "string" ? d.domain : null))
      .filter((d): d is string => d !== null && /^mon_[A-Za-z0-9]+_\d+$/.test(d));
    if (domains.length > 0) groups.push({ group: g.path, domains });
  }
  return groups;
}
