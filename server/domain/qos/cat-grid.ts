/**
 * CAT allocation as a grid (pure): one row per control group (class of service) and L3 resource
 * (L3, or L3CODE + L3DATA with CDP), one cell per L3 domain holding which cache ways the group's
 * capacity bitmask (CBM) covers. Bit i of the CBM = way i; the way count is the width of info/L3/cbm_mask.
 */
import type { ResctrlSection } from "@/server/contract/sections/resctrl";
import { compareGroups } from "@/server/domain/qos/qos-series";

export const CAT_RESOURCES = ["L3", "L3CODE", "L3DATA"] as const;
export type CatResource = (typeof CAT_RESOURCES)[number];

export interface CatCell {
  domain: number;
  /** the schemata value as read ("7ff"); null when this group has no entry for the domain */
  mask: string | null;
  /** ways[i] = bit i set; null when the mask is not hex */
  ways: boolean[] | null;
  /** ways covered */
  wayCount: number;
}

export interface CatRow {
  group: string;
  resource: CatResource;
  cells: CatCell[];
}

export interface MbRow {
  group: string;
  /** domain id → value as read ("50"); "%" of full bandwidth, or MBps with the mba_MBps mount option */
  values: { domain: number; value: string }[];
}

export interface CatGroupInfo {
  group: string;
  cpusList: string | null;
  taskCount: number | null;
  mode: string | null;
}

export interface CatGrid {
  /** cache ways (CBM width); 0 when unknown */
  ways: number;
  cdp: boolean;
  domains: number[];
  /** ways[i] usable by other agents too (info/L3/shareable_bits, e.g. I/O DDIO) */
  shareableWays: boolean[];
  rows: CatRow[];
  groups: CatGroupInfo[];
  mb: MbRow[];
  mbUnit: "%" | "MBps";
  numClosids: number | null;
  minCbmBits: number | null;
  /** info/L3/bit_usage per domain: usage[domain][way] = legend letter (U, H, S, X, E, P) or null */
  bitUsage: Map<number, (string | null)[]>;
}

/** The kernel's bit_usage legend. */
export const BIT_USAGE_LEGEND: Record<string, string> = {
  "0": "unused",
  U: "used by software only",
  H: "used by hardware only (e.g. I/O), available to software",
  S: "used and shareable by software",
  X: "used by hardware and software, shareable",
  E: "used exclusively by one group",
  P: "pseudo-locked",
};

/**
 * "0=HHXXXXXXSSS;1=SSSSSSSSSSS" → per domain, the letter of each way. The kernel prints the most
 * significant bit first, so the last letter is way 0.
 */
export function parseBitUsage(text: string | null, width: number): Map<number, (string | null)[]> {
  const out = new Map<number, (string | null)[]>();
  if (!text) return out;
  for (const part of text.split(";")) {
    const m = /^\s*(\d+)=([0-9A-Z]+)\s*$/.exec(part);
    if (!m?.[1] || !m[2]) continue;
    const letters = [...m[2]].reverse();
    out.set(Number(m[1]), Array.from({ length: width }, (_, i) => letters[i] ?? null));
  }
  return out;
}

/** Hex mask → bit flags (bit i at index i) over `width` bits; null when not hex. */
export function maskWays(hex: string, width: number): boolean[] | null {
  if (!/^[0-9a-fA-F]{1,64}$/.test(hex)) return null;
  const v = BigInt(`0x${hex}`);
  return Array.from({ length: width }, (_, i) => ((v >> BigInt(i)) & 1n) === 1n);
}

/** Width of a mask: the position of its highest set bit + 1 ("7ff" → 11). */
export function maskWidth(hex: string | null): number {
  if (hex === null || !/^[0-9a-fA-F]{1,64}$/.test(hex)) return 0;
  return BigInt(`0x${hex}`).toString(2).replace(/^0+/, "").length;
}

function isCatResource(r: string): r is CatResource {
  return (CAT_RESOURCES as readonly string[]).includes(r);
}

/** The grid for a mounted resctrl section (groups: root first, then by path). */
export function catGrid(section: ResctrlSection): CatGrid {
  const info = section.info;
  const cdp = info?.cdp ?? false;
  const cacheInfo = cdp ? (info?.l3Code ?? info?.l3Data ?? info?.l3 ?? null) : (info?.l3 ?? null);
  const groups = [...section.controlGroups].sort((a, b) => compareGroups(a.path, b.path));
  // width from cbm_mask; without it, the widest mask any group uses
  let ways = maskWidth(cacheInfo?.cbmMask ?? null);
  if (ways === 0) {
    for (const g of groups) for (const line of g.schemata) if (isCatResource(line.resource)) for (const d of line.domains) ways = Math.max(ways, maskWidth(d.value));
  }
  const domainSet = new Set<number>();
  for (const g of groups) for (const line of g.schemata) if (isCatResource(line.resource)) for (const d of line.domains) domainSet.add(d.id);
  const domains = [...domainSet].sort((a, b) => a - b);
  const resources: CatResource[] = cdp ? ["L3CODE", "L3DATA"] : ["L3"];

  const rows: CatRow[] = [];
  for (const g of groups) {
    for (const resource of resources) {
      const line = g.schemata.find((l) => l.resource === resource);
      if (!line) continue;
      rows.push({
        group: g.path,
        resource,
        cells: domains.map((domain) => {
          const mask = line.domains.find((d) => d.id === domain)?.value ?? null;
          const bits = mask === null ? null : maskWays(mask, ways);
          return { domain, mask, ways: bits, wayCount: bits ? bits.filter(Boolean).length : 0 };
        }),
      });
    }
  }
  const mb: MbRow[] = groups
    .map((g) => ({ group: g.path, values: [...(g.schemata.find((l) => l.resource === "MB")?.domains ?? [])].sort((a, b) => a.id - b.id).map((d) => ({ domain: d.id, value: d.value })) }))
    .filter((r) => r.values.length > 0);
  return {
    ways,
    cdp,
    domains,
    shareableWays: maskWays(cacheInfo?.shareableBits ?? "0", ways) ?? Array.from({ length: ways }, () => false),
    rows,
    groups: groups.map((g) => ({ group: g.path, cpusList: g.cpusList, taskCount: g.taskCount, mode: g.mode })),
    mb,
    mbUnit: section.mountOptions.includes("mba_MBps") ? "MBps" : "%",
    numClosids: cacheInfo?.numClosids ?? null,
    minCbmBits: cacheInfo?.minCbmBits ?? null,
    bitUsage: parseBitUsage(cacheInfo?.bitUsage ?? null, ways),
  };
}

/** "ways 9–10 of 11 (2)" style text for one cell, for screen readers and titles. */
export function describeCell(cell: CatCell, ways: number): string {
  if (cell.mask === null) return "no allocation";
  if (!cell.ways) return `mask ${cell.mask} (unreadable)`;
  const set = cell.ways.flatMap((on, i) => (on ? [i] : []));
  if (set.length === 0) return `mask ${cell.mask}: no ways`;
  const runs: string[] = [];
  let start = set[0] as number;
  let prev = start;
  for (const i of [...set.slice(1), Number.NaN]) {
    if (i === prev + 1) {
      prev = i;
      continue;
    }
    runs.push(start === prev ? `${start}` : `${start}–${prev}`);
    start = i;
    prev = i;
  }
  return `mask ${cell.mask}: ways ${runs.join(", ")} of ${ways} (${set.length} ways)`;
}
