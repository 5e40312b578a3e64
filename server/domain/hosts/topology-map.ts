import type { TopologySection } from "@/server/contract/sections/topology";

export type CpuRole = "isolated" | "housekeeping" | "offline" | "unknown";
export type MapCpu = { cpu: number; role: CpuRole };
export type MapCore = { key: string; core: number | null; die: number | null; cpus: MapCpu[] };
export type MapNode = { node: number | null; cpuCount: number; cores: MapCore[] };
export type MapPackage = { package: number | null; nodes: MapNode[] };

type TopologyForMap = Pick<TopologySection, "cpus" | "cores">;

function roleOf(cpu: number, online: boolean, isolated: ReadonlySet<number> | null): CpuRole {
  if (!online) return "offline";
  if (!isolated) return "unknown";
  return isolated.has(cpu) ? "isolated" : "housekeeping";
}

const byNullable = (a: number | null, b: number | null) => (a ?? Number.MAX_SAFE_INTEGER) - (b ?? Number.MAX_SAFE_INTEGER);

/**
 * Socket → NUMA node → core → CPU threads, each CPU with its role. `isolated` = the kernel
 * section's isolated set (null when unknown). Cores come from the topology's (package, die, core)
 * list; CPUs without core ids (some VMs) become one-thread cores of their own.
 */
export function buildCpuMap(topology: TopologyForMap, isolated: readonly number[] | null): MapPackage[] {
  const isolatedSet = isolated ? new Set(isolated) : null;
  const cpuInfo = new Map(topology.cpus.map((c) => [c.cpu, c]));
  const packages = new Map<string, MapPackage>();
  const nodeOf = (pkg: MapPackage, node: number | null): MapNode => {
    let n = pkg.nodes.find((x) => x.node === node);
    if (!n) {
      n = { node, cpuCount: 0, cores: [] };
      pkg.nodes.push(n);
    }
    return n;
  };
  const packageOf = (p: number | null): MapPackage => {
    const key = String(p);
    let pkg = packages.get(key);
    if (!pkg) {
      pkg = { package: p, nodes: [] };
      packages.set(key, pkg);
    }
    return pkg;
  };

  const placed = new Set<number>();
  for (const core of topology.cores) {
    const cpus = [...core.cpus].sort((a, b) => a - b).map((cpu) => {
      placed.add(cpu);
      return { cpu, role: roleOf(cpu, cpuInfo.get(cpu)?.online ?? true, isolatedSet) };
    });
    const node = nodeOf(packageOf(core.package), core.node);
    node.cores.push({ key: `${core.package}/${core.die}/${core.core}`, core: core.core, die: core.die, cpus });
    node.cpuCount += cpus.length;
  }
  for (const c of topology.cpus) {
    if (placed.has(c.cpu)) continue;
    const node = nodeOf(packageOf(c.package), c.node);
    node.cores.push({ key: `cpu${c.cpu}`, core: c.core, die: c.die, cpus: [{ cpu: c.cpu, role: roleOf(c.cpu, c.online, isolatedSet) }] });
    node.cpuCount += 1;
  }

  const out = [...packages.values()].sort((a, b) => byNullable(a.package, b.package));
  for (const pkg of out) {
    pkg.nodes.sort((a, b) => byNullable(a.node, b.node));
    for (const n of pkg.nodes) n.cores.sort((a, b) => (a.cpus[0]?.cpu ?? 0) - (b.cpus[0]?.cpu ?? 0));
  }
  return out;
}

export type CacheSummary = {
  level: number;
  type: string;
  sizeKb: number | null;
  ways: number | null;
  lineSize: number | null;
  instances: number;
  /** CPUs sharing one instance (of the first instance; they are alike on real hardware) */
  cpusPerInstance: number;
  /** example: the first instance's CPUs */
  firstShared: number[];
};

/** Distinct caches grouped by level, type and geometry: "L3 Unified 45 MiB × 2, 18 CPUs each". */
export function summariseCaches(caches: TopologySection["caches"]): CacheSummary[] {
  const groups = new Map<string, CacheSummary>();
  for (const c of caches) {
    const key = `${c.level}/${c.type}/${c.sizeKb}/${c.ways}/${c.lineSize}`;
    const g = groups.get(key);
    if (g) g.instances += 1;
    else
      groups.set(key, {
        level: c.level,
        type: c.type,
        sizeKb: c.sizeKb,
        ways: c.ways,
        lineSize: c.lineSize,
        instances: 1,
        cpusPerInstance: c.sharedCpus.length,
        firstShared: [...c.sharedCpus].sort((a, b) => a - b),
      });
  }
  const typeOrder = { Data: 0, Instruction: 1, Unified: 2, Unknown: 3 } as Record<string, number>;
  return [...groups.values()].sort((a, b) => a.level - b.level || (typeOrder[a.type] ?? 9) - (typeOrder[b.type] ?? 9));
}
