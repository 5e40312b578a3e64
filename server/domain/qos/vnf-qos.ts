/**
 * One VNF's view of its host's resctrl data (pure): which monitoring group the agent keeps for it, the
 * class of service (control group) that group sits in, that class's CAT mask per L3 domain, and the
 * noisy-neighbour events the VNF took part in.
 */
import type { ResctrlSection, ResctrlVnfGroup } from "@/server/contract/sections/resctrl";
import type { NoisyNeighbourEvent } from "@/server/domain/qos/noisy-neighbour";
import { maskWidth } from "@/server/domain/qos/cat-grid";
import { vnfGroupPaths, vnfOfGroup } from "@/server/domain/qos/vnf-group";

/** The class a group path belongs to: "mon_groups/x" → "/", "c/mon_groups/x" → "c", "c" → "c". */
export function classOfGroupPath(path: string): string {
  if (path === "/" || path.startsWith("mon_groups/")) return "/";
  const i = path.indexOf("/mon_groups/");
  return i > 0 ? path.slice(0, i) : path;
}

/** The agent's entry for this VNF in the section (by name), or null when the agent does not list it. */
export function vnfGroupOf(section: ResctrlSection, vnf: string): ResctrlVnfGroup | null {
  return (section.vnfGroups ?? []).find((g) => g.vnf === vnf) ?? null;
}

/** The group paths whose readings are this VNF's: the listed one, else the two the agent may use. */
export function vnfSeriesPaths(group: ResctrlVnfGroup | null, vnf: string): string[] {
  return group?.path ? [group.path] : vnfGroupPaths(vnf);
}

export interface ClassMask {
  /** "/" = the default class */
  vnfClass: string;
  mode: string | null;
  /** cache ways (width of info/L3/cbm_mask, or of the widest mask) */
  ways: number;
  cbmMask: string | null;
  minCbmBits: number | null;
  shareableBits: string | null;
  cdp: boolean;
  /** one row per cache resource (L3, or L3CODE and L3DATA with CDP) and domain */
  rows: Array<{ resource: string; domain: number; mask: string; bits: number }>;
}

function popcount(hex: string): number {
  return /^[0-9a-fA-F]+$/.test(hex) ? [...BigInt(`0x${hex}`).toString(2)].filter((c) => c === "1").length : 0;
}

/** The class's L3 schemata as mask rows; null when the class is not in the section. */
export function classMaskOf(section: ResctrlSection, vnfClass: string): ClassMask | null {
  const g = section.controlGroups.find((c) => c.path === vnfClass);
  if (!g) return null;
  const cache = section.info?.l3 ?? section.info?.l3Data ?? section.info?.l3Code ?? null;
  const rows = g.schemata
    .filter((l) => /^L3(CODE|DATA)?$/.test(l.resource))
    .flatMap((l) => l.domains.map((d) => ({ resource: l.resource, domain: d.id, mask: d.value.toLowerCase(), bits: popcount(d.value) })))
    .sort((a, b) => a.domain - b.domain || a.resource.localeCompare(b.resource));
  const ways = Math.max(maskWidth(cache?.cbmMask ?? null), ...rows.map((r) => maskWidth(r.mask)), 0);
  return {
    vnfClass,
    mode: g.mode,
    ways,
    cbmMask: cache?.cbmMask ?? null,
    minCbmBits: cache?.minCbmBits ?? null,
    shareableBits: cache?.shareableBits ?? null,
    cdp: rows.some((r) => r.resource !== "L3"),
    rows,
  };
}

export type VnfEventRole = "aggressor" | "victim";

/** Events where this VNF's group jumped (aggressor) or lost occupancy (victim), oldest first. */
export function vnfNoisyEvents(events: readonly NoisyNeighbourEvent[], vnf: string): Array<{ role: VnfEventRole; event: NoisyNeighbourEvent }> {
  const out: Array<{ role: VnfEventRole; event: NoisyNeighbourEvent }> = [];
  for (const e of events) {
    if (vnfOfGroup(e.aggressor) === vnf) out.push({ role: "aggressor", event: e });
    else if (e.victim !== null && vnfOfGroup(e.victim) === vnf) out.push({ role: "victim", event: e });
  }
  return out;
}
