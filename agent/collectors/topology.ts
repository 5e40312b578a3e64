import type { HostFs } from "@/agent/hostfs";
import { tryParseCpuList } from "@/server/domain/cpuset/cpuset";
import type { TopologySection, TopologyCpu } from "@/server/contract/sections/topology";
import { compareCodeUnits, indexedEntries, parseIntValue, Warnings } from "@/agent/collectors/values";

const CPU_DIR = "sys/devices/system/cpu";
const NODE_DIR = "sys/devices/system/node";

/** Raw text of the files topology reads; null = file absent. Pure input of parseTopology. */
export interface RawCpuTopology {
  cpu: number;
  /** cpuN/online (absent for cpu0 on most hosts) */
  online: string | null;
  packageId: string | null;
  dieId: string | null;
  coreId: string | null;
  /** core_cpus_list, else thread_siblings_list */
  siblings: string | null;
  /** NUMA node from a cpuN/nodeK entry, when the node cpulists do not say */
  nodeFromEntry: number | null;
}

export interface RawCache {
  level: string | null;
  type: string | null;
  id: string | null;
  size: string | null;
  ways: string | null;
  lineSize: string | null;
  sharedCpuList: string | null;
}

export interface RawTopology {
  possible: string | null;
  present: string | null;
  online: string | null;
  cpuDirs: number[];
  cpus: RawCpuTopology[];
  nodes: { node: number; cpulist: string | null }[];
  caches: RawCache[];
  cpuinfo: string | null;
}

export interface CpuInfo {
  vendor: string | null;
  modelName: string | null;
  family: number | null;
  model: number | null;
  stepping: number | null;
  microcode: string | null;
  flags: string[];
  processors: number;
}

/** Parse /proc/cpuinfo (x86 layout): identity of the first processor, its flags, and the processor count. */
export function parseCpuinfo(text: string): CpuInfo {
  const info: CpuInfo = { vendor: null, modelName: null, family: null, model: null, stepping: null, microcode: null, flags: [], processors: 0 };
  let block = 0;
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === "processor") {
      block += 1;
      info.processors += 1;
      continue;
    }
    if (block > 1) continue;
    switch (key) {
      case "vendor_id":
        info.vendor = value || null;
        break;
      case "model name":
        info.modelName = value || null;
        break;
      case "cpu family":
        info.family = parseIntValue(value);
        break;
      case "model":
        info.model = parseIntValue(value);
        break;
      case "stepping":
        info.stepping = parseIntValue(value);
        break;
      case "microcode":
        info.microcode = value || null;
        break;
      case "flags":
        info.flags = value.split(/\s+/).filter((f) => f !== "");
        break;
    }
  }
  return info;
}

/** "32K", "46080K", "1024 KB", "2M" (sysfs cache size) → KiB. */
export function parseCacheSizeKb(text: string | null): number | null {
  if (text === null) return null;
  const m = /^(\d+)\s*([KMG])?i?B?$/i.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? "").toUpperCase();
  return unit === "M" ? n * 1024 : unit === "G" ? n * 1024 * 1024 : unit === "K" ? n : Math.round(n / 1024);
}

function cacheType(text: string | null): "Data" | "Instruction" | "Unified" | "Unknown" {
  const t = text?.trim();
  return t === "Data" || t === "Instruction" || t === "Unified" ? t : "Unknown";
}

function listOrWarn(text: string | null, what: string, warnings: Warnings): number[] | null {
  if (text === null) return null;
  const list = tryParseCpuList(text);
  if (list === null) warnings.add(`${what}: not a cpu list: ${JSON.stringify(text.trim().slice(0, 80))}`);
  return list;
}

function intOrWarn(text: string | null, what: string, warnings: Warnings): number | null {
  if (text === null) return null;
  const n = parseIntValue(text);
  // physical_package_id/die_id read -1 when the firmware does not say: treat as unknown.
  if (n === null || n < 0) {
    if (n === null) warnings.add(`${what}: not a number: ${JSON.stringify(text.trim().slice(0, 80))}`);
    return null;
  }
  return n;
}

/** Build the topology section from raw file text. Pure; tolerates bad fields one by one (with warnings). */
export function parseTopology(raw: RawTopology): TopologySection {
  const warnings = new Warnings();
  const known = new Set<number>(raw.cpuDirs);
  for (const text of [raw.possible, raw.present]) {
    const list = listOrWarn(text, "cpu/possible|present", warnings);
    if (list) for (const c of list) known.add(c);
  }
  const onlineList = listOrWarn(raw.online, "cpu/online", warnings);

  const nodeOf = new Map<number, number>();
  const nodes: { node: number; cpus: number[] }[] = [];
  for (const n of raw.nodes) {
    const cpus = listOrWarn(n.cpulist, `node${n.node}/cpulist`, warnings) ?? [];
    nodes.push({ node: n.node, cpus });
    for (const c of cpus) if (!nodeOf.has(c)) nodeOf.set(c, n.node);
  }

  const rawByCpu = new Map(raw.cpus.map((c) => [c.cpu, c]));
  const cpus: TopologyCpu[] = [];
  for (const cpu of [...known].sort((a, b) => a - b)) {
    const r = rawByCpu.get(cpu);
    let online: boolean;
    if (onlineList) online = onlineList.includes(cpu);
    else if (r?.online != null) online = r.online.trim() === "1";
    else online = true;
    cpus.push({
      cpu,
      package: intOrWarn(r?.packageId ?? null, `cpu${cpu}/topology/physical_package_id`, warnings),
      die: intOrWarn(r?.dieId ?? null, `cpu${cpu}/topology/die_id`, warnings),
      core: intOrWarn(r?.coreId ?? null, `cpu${cpu}/topology/core_id`, warnings),
      node: nodeOf.get(cpu) ?? r?.nodeFromEntry ?? null,
      siblings: listOrWarn(r?.siblings ?? null, `cpu${cpu}/topology/core_cpus_list`, warnings) ?? [],
      online,
    });
  }

  // Cores keyed by (package, die, core): core_id alone repeats on every package. A missing die_id is die 0.
  const cores = new Map<string, { package: number; die: number; core: number; node: number | null; cpus: number[] }>();
  for (const c of cpus) {
    if (c.package === null || c.core === null) continue;
    const die = c.die ?? 0;
    const key = `${c.package}/${die}/${c.core}`;
    const entry = cores.get(key) ?? { package: c.package, die, core: c.core, node: c.node, cpus: [] };
    entry.cpus.push(c.cpu);
    cores.set(key, entry);
  }
  // Siblings missing or unreadable: derive them from the core grouping.
  for (const c of cpus) {
    if (c.siblings.length > 0 || c.package === null || c.core === null) continue;
    c.siblings = [...(cores.get(`${c.package}/${c.die ?? 0}/${c.core}`)?.cpus ?? [c.cpu])];
  }
  const coreList = [...cores.values()].sort((a, b) => a.package - b.package || a.die - b.die || a.core - b.core);

  const caches = new Map<string, TopologySection["caches"][number]>();
  for (const k of raw.caches) {
    const level = parseIntValue(k.level);
    const shared = listOrWarn(k.sharedCpuList, "cache shared_cpu_list", warnings) ?? [];
    if (level === null) continue;
    const type = cacheType(k.type);
    const key = `${level}/${type}/${shared.join(",")}`;
    if (caches.has(key)) continue;
    caches.set(key, {
      level,
      type,
      id: parseIntValue(k.id),
      sizeKb: parseCacheSizeKb(k.size),
      ways: parseIntValue(k.ways),
      lineSize: parseIntValue(k.lineSize),
      sharedCpus: shared,
    });
  }
  const cacheList = [...caches.values()].sort(
    (a, b) => a.level - b.level || compareCodeUnits(a.type, b.type) || (a.sharedCpus[0] ?? 0) - (b.sharedCpus[0] ?? 0),
  );

  const info = raw.cpuinfo === null ? null : parseCpuinfo(raw.cpuinfo);
  if (info === null) warnings.add("proc/cpuinfo missing");
  const flagSet = new Set(info?.flags ?? []);
  const has = (f: string) => flagSet.has(f);

  const packages = new Set(cpus.flatMap((c) => (c.package === null ? [] : [c.package])));
  const perCore = coreList.map((c) => c.cpus.length);
  return {
    vendor: info?.vendor ?? null,
    cpuModel: info?.modelName ?? null,
    cpuFamily: info?.family ?? null,
    cpuModelNumber: info?.model ?? null,
    stepping: info?.stepping ?? null,
    microcode: info?.microcode ?? null,
    cpuCount: cpus.length,
    onlineCpus: cpus.filter((c) => c.online).map((c) => c.cpu),
    offlineCpus: cpus.filter((c) => !c.online).map((c) => c.cpu),
    sockets: packages.size,
    coreCount: coreList.length,
    threadsPerCore: perCore.length === 0 ? 0 : Math.max(...perCore),
    numaNodes: nodes.length,
    isVirtual: has("hypervisor"),
    flags: {
      constantTsc: has("constant_tsc"),
      nonstopTsc: has("nonstop_tsc"),
      tscDeadlineTimer: has("tsc_deadline_timer"),
      tscKnownFreq: has("tsc_known_freq"),
      vmx: has("vmx"),
      svm: has("svm"),
      hypervisor: has("hypervisor"),
      ht: has("ht"),
      cqm: has("cqm"),
      cqmLlc: has("cqm_llc"),
      cqmOccupLlc: has("cqm_occup_llc"),
      cqmMbmTotal: has("cqm_mbm_total"),
      cqmMbmLocal: has("cqm_mbm_local"),
      rdtA: has("rdt_a"),
      catL3: has("cat_l3"),
      cdpL3: has("cdp_l3"),
      mba: has("mba"),
    },
    cpus,
    cores: coreList,
    nodes,
    caches: cacheList,
    warnings: warnings.items,
  };
}

async function readCaches(fs: HostFs, cpus: number[]): Promise<RawCache[]> {
  const out: RawCache[] = [];
  // Read each distinct cache once: skip CPUs already covered by a shared_cpu_list of the same index.
  const covered = new Map<string, Set<number>>();
  for (const cpu of cpus) {
    const base = `${CPU_DIR}/cpu${cpu}/cache`;
    const indexes = indexedEntries(await fs.listDir(base), "index");
    for (const k of indexes) {
      const seen = covered.get(`index${k}`) ?? new Set<number>();
      covered.set(`index${k}`, seen);
      if (seen.has(cpu)) continue;
      const dir = `${base}/index${k}`;
      const cache: RawCache = {
        level: await fs.readText(`${dir}/level`),
        type: await fs.readText(`${dir}/type`),
        id: await fs.readText(`${dir}/id`),
        size: await fs.readText(`${dir}/size`),
        ways: await fs.readText(`${dir}/ways_of_associativity`),
        lineSize: await fs.readText(`${dir}/coherency_line_size`),
        sharedCpuList: await fs.readText(`${dir}/shared_cpu_list`),
      };
      out.push(cache);
      for (const c of tryParseCpuList(cache.sharedCpuList ?? "") ?? []) seen.add(c);
      seen.add(cpu);
    }
  }
  return out;
}

/** Gather the raw topology files of the tree. Missing files stay null. */
export async function readRawTopology(fs: HostFs): Promise<RawTopology> {
  const cpuDirs = indexedEntries(await fs.listDir(CPU_DIR), "cpu");
  const nodeIds = indexedEntries(await fs.listDir(NODE_DIR), "node");
  const nodes = [];
  for (const node of nodeIds) nodes.push({ node, cpulist: await fs.readText(`${NODE_DIR}/node${node}/cpulist`) });
  const inNodes = new Set(nodes.flatMap((n) => tryParseCpuList(n.cpulist ?? "") ?? []));

  const cpus: RawCpuTopology[] = [];
  for (const cpu of cpuDirs) {
    const dir = `${CPU_DIR}/cpu${cpu}`;
    const t = `${dir}/topology`;
    let nodeFromEntry: number | null = null;
    if (!inNodes.has(cpu)) {
      const entries = indexedEntries(await fs.listDir(dir), "node");
      nodeFromEntry = entries[0] ?? null;
    }
    cpus.push({
      cpu,
      online: await fs.readText(`${dir}/online`),
      packageId: await fs.readText(`${t}/physical_package_id`),
      dieId: await fs.readText(`${t}/die_id`),
      coreId: await fs.readText(`${t}/core_id`),
      siblings: (await fs.readText(`${t}/core_cpus_list`)) ?? (await fs.readText(`${t}/thread_siblings_list`)),
      nodeFromEntry,
    });
  }
  return {
    possible: await fs.readText(`${CPU_DIR}/possible`),
    present: await fs.readText(`${CPU_DIR}/present`),
    online: await fs.readText(`${CPU_DIR}/online`),
    cpuDirs,
    cpus,
    nodes,
    caches: await readCaches(fs, cpuDirs),
    cpuinfo: await fs.readText("proc/cpuinfo"),
  };
}

/** Topology section, or null when the tree has no CPU information at all. */
export async function read(fs: HostFs): Promise<TopologySection | null> {
  const raw = await readRawTopology(fs);
  if (raw.cpuDirs.length === 0 && raw.possible === null && raw.present === null && raw.cpuinfo === null) return null;
  return parseTopology(raw);
}

