import type { HostFs } from "@/agent/hostfs";
import type { HugepagesSection } from "@/server/contract/sections/hugepages";
import { indexedEntries, parseIntValue, Warnings } from "@/agent/collectors/values";

const GLOBAL_DIR = "sys/kernel/mm/hugepages";
const NODE_DIR = "sys/devices/system/node";

/** "hugepages-1048576kB" → 1048576. */
export function parseHugepageDirName(name: string): number | null {
  const m = /^hugepages-(\d+)kB$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** A "Key:   123 kB" line of /proc/meminfo or nodeN/meminfo ("Node 0 MemTotal: …"). */
export function parseMeminfoValue(text: string | null, key: string): number | null {
  if (text === null) return null;
  const re = new RegExp(`^(?:Node \\d+ )?${key}:\\s+(\\d+)`, "m");
  const m = re.exec(text);
  return m ? Number(m[1]) : null;
}

export interface RawHugepageSize {
  sizeKb: number;
  files: Record<string, string | null>;
}

export interface RawHugepages {
  meminfo: string | null;
  sizes: RawHugepageSize[];
  nodes: { node: number; meminfo: string | null; sizes: RawHugepageSize[] }[];
}

const GLOBAL_FILES = ["nr_hugepages", "free_hugepages", "resv_hugepages", "surplus_hugepages", "nr_overcommit_hugepages"];
const NODE_FILES = ["nr_hugepages", "free_hugepages", "surplus_hugepages"];

/** Build the hugepages section (pure); a garbage count becomes null with a warning. */
export function parseHugepages(raw: RawHugepages): HugepagesSection {
  const warnings = new Warnings();
  const count = (files: Record<string, string | null>, name: string, where: string): number | null => {
    const text = files[name] ?? null;
    if (text === null) return null;
    const n = parseIntValue(text);
    if (n === null || n < 0) {
      warnings.add(`${where}/${name}: not a count: ${JSON.stringify(text.trim().slice(0, 40))}`);
      return null;
    }
    return n;
  };
  const defaultSizeKb = parseMeminfoValue(raw.meminfo, "Hugepagesize");
  return {
    defaultSizeKb: defaultSizeKb && defaultSizeKb > 0 ? defaultSizeKb : null,
    memTotalKb: parseMeminfoValue(raw.meminfo, "MemTotal"),
    sizes: raw.sizes.map((s) => {
      const where = `hugepages-${s.sizeKb}kB`;
      return {
        sizeKb: s.sizeKb,
        nr: count(s.files, "nr_hugepages", where),
        free: count(s.files, "free_hugepages", where),
        resv: count(s.files, "resv_hugepages", where),
        surplus: count(s.files, "surplus_hugepages", where),
        overcommit: count(s.files, "nr_overcommit_hugepages", where),
      };
    }),
    nodes: raw.nodes.map((n) => ({
      node: n.node,
      memTotalKb: parseMeminfoValue(n.meminfo, "MemTotal"),
      sizes: n.sizes.map((s) => {
        const where = `node${n.node}/hugepages-${s.sizeKb}kB`;
        return {
          sizeKb: s.sizeKb,
          nr: count(s.files, "nr_hugepages", where),
          free: count(s.files, "free_hugepages", where),
          surplus: count(s.files, "surplus_hugepages", where),
        };
      }),
    })),
    warnings: warnings.items,
  };
}

async function readSizes(fs: HostFs, dir: string, files: string[]): Promise<RawHugepageSize[]> {
  const sizes: RawHugepageSize[] = [];
  const names = (await fs.listDir(dir)) ?? [];
  const sized = names.flatMap((n) => {
    const kb = parseHugepageDirName(n);
    return kb === null ? [] : [{ n, kb }];
  });
  sized.sort((a, b) => a.kb - b.kb);
  for (const { n, kb } of sized) {
    const values: Record<string, string | null> = {};
    for (const f of files) values[f] = await fs.readText(`${dir}/${n}/${f}`);
    sizes.push({ sizeKb: kb, files: values });
  }
  return sizes;
}

export async function readRawHugepages(fs: HostFs): Promise<RawHugepages> {
  const nodes = [];
  for (const node of indexedEntries(await fs.listDir(NODE_DIR), "node")) {
    nodes.push({
      node,
      meminfo: await fs.readText(`${NODE_DIR}/node${node}/meminfo`),
      sizes: await readSizes(fs, `${NODE_DIR}/node${node}/hugepages`, NODE_FILES),
    });
  }
  return { meminfo: await fs.readText("proc/meminfo"), sizes: await readSizes(fs, GLOBAL_DIR, GLOBAL_FILES), nodes };
}

/** Hugepages section, or null when the kernel exposes no hugepage sizes (no hugetlbfs support). */
export async function read(fs: HostFs): Promise<HugepagesSection | null> {
  const raw = await readRawHugepages(fs);
  if (raw.sizes.length === 0 && raw.nodes.every((n) => n.sizes.length === 0)) return null;
  return parseHugepages(raw);
}
