/**
 * Synthetic resctrl monitoring readings (pure): per group and L3 domain, llc_occupancy wandering around a
 * working-set size, and cumulative mbm_total/mbm_local byte counters that only grow — except at an
 * occasional reset (group re-created, RMID recycled), after which they start again near zero, as the
 * kernel's counters do.
 */
import type { QosSample } from "@/server/contract/sections/qos";
import { createRandom } from "@/agent/simulate/random";

export interface QosGroupSpec {
  /** "/", "rt-vnf", "mon_groups/vnf-a", "rt-vnf/mon_groups/vnf-rt-0" */
  group: string;
  /** "mon_L3_00" … */
  domains: readonly string[];
}

export interface QosSeriesPlan {
  groups: readonly QosGroupSpec[];
  from: Date;
  samples: number;
  everySeconds: number;
  seed: string;
  /** L3 size per domain, bytes (occupancy never exceeds it) */
  l3Bytes?: number;
  /** chance per reading that a counter pair resets */
  resetProbability?: number;
}

/** Occupancy is reported in multiples of the RMID upscaling factor (64 KiB on these parts). */
const OCCUPANCY_GRAIN = 65536;

/** Readings in time order (all groups/domains at each instant). */
export function simulateQosSamples(plan: QosSeriesPlan): QosSample[] {
  const l3 = plan.l3Bytes ?? 28_835_840;
  const resetP = plan.resetProbability ?? 0.01;
  const out: QosSample[] = [];
  const series = plan.groups.flatMap((g) =>
    g.domains.map((domain, i) => {
      const rng = createRandom(`${plan.seed}/${g.group}/${domain}`);
      // Bandwidth of this group in this domain: the root sees most traffic, VNF groups a few GB/s.
      const rateBps = (g.group === "/" ? 6e9 : 1.5e9) * (0.5 + rng.next()) * (i === 0 ? 1 : 0.6);
      return {
        group: g.group,
        domain,
        rng,
        rateBps,
        localShare: 0.7 + 0.25 * rng.next(),
        workingSet: l3 * (g.group === "/" ? 0.55 : 0.12 + 0.25 * rng.next()),
        total: BigInt(Math.floor(rng.next() * 4e13)),
        local: 0n,
      };
    }),
  );
  for (const s of series) s.local = (s.total * BigInt(Math.round(s.localShare * 1000))) / 1000n;
  for (let k = 0; k < plan.samples; k++) {
    const at = new Date(plan.from.getTime() + k * plan.everySeconds * 1000).toISOString();
    for (const s of series) {
      if (k > 0) {
        if (s.rng.chance(resetP)) {
          s.total = 0n;
          s.local = 0n;
        }
        const bytes = Math.max(0, s.rateBps * plan.everySeconds * (1 + 0.15 * s.rng.normal()));
        const localBytes = bytes * Math.min(1, s.localShare + 0.03 * s.rng.normal());
        s.total += BigInt(Math.floor(bytes));
        s.local += BigInt(Math.floor(Math.max(0, localBytes)));
      }
      const occ = Math.min(l3, Math.max(0, s.workingSet * (1 + 0.1 * s.rng.normal())));
      out.push({
        at,
        group: s.group,
        domain: s.domain,
        llcOccupancyBytes: String(Math.floor(occ / OCCUPANCY_GRAIN) * OCCUPANCY_GRAIN),
        mbmTotalBytes: s.total.toString(),
        mbmLocalBytes: s.local.toString(),
      });
    }
  }
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
