/**
 * Place a VNF's vCPUs (and its emulator threads) on one NUMA node of a host. Pure.
 *
 * Rules (issue 10, after Nova's hw:cpu_thread_policy and kubelet's static CPU manager):
 * - vCPUs only on online isolated CPUs that no existing assignment holds; all on one node.
 * - prefer: pack onto sibling threads, filling partly used cores before breaking a whole free core
 *   (kubelet instead hands a 2-CPU request a whole free core first; nfvdeck keeps whole cores for
 *   isolate/require VNFs, as the issue asks).
 * - isolate: one vCPU per wholly free core; its other threads become reserved siblings.
 * - require: SMT host only; vCPUs fill whole free SMT cores; leftover threads of the last core are reserved.
 * - emulator share: the node's housekeeping CPUs (all housekeeping CPUs when the node has none);
 *   emulator isolate: one more isolated CPU on the node, no vCPU on it (under isolate/require its
 *   core, too, belongs to the VNF alone).
 * - enough free hugepages of the page size on the node (4K needs none).
 * Best fit when no node is asked: the node whose placement breaks the fewest wholly free cores, then
 * the one left with the fewest free isolated CPUs (keeps emptier nodes for bigger VNFs), then the
 * lowest node id.
 */
import type {
  ExistingAssignment,
  HostPlacementSnapshot,
  PlacementFit,
  PlacementMiss,
  PlacementResult,
  PlacementWarning,
  VnfShape,
} from "../../contract/placement";
import { formatCpuList } from "../cpuset/cpuset";

/** A physical core as the allocator sees it: its online threads on one node. */
type Core = { key: string; node: number; threads: number[]; free: number[]; wholeFree: boolean };

type NodePlan = {
  node: number;
  /** vCPU i runs on vcpuCpus[i] */
  vcpuCpus: number[];
  emulatorCpus: number[];
  /** dedicated emulator CPU (emulator isolate), else null */
  emulatorDedicated: number | null;
  reservedCpus: number[];
  /** wholly free cores this placement touches (fragmentation cost) */
  wholeCoresBroken: number;
  freeIsolatedAfter: number;
  emulatorCrossNode: boolean;
  hugepages: { pageSize: "1G" | "2M"; pages: number } | null;
};

const PAGE_MIB = { "1G": 1024, "2M": 2 } as const;

type HostCpu = HostPlacementSnapshot["cpus"][number];

/** What never changes for one snapshot: built once per snapshot object (snapshots are treated as immutable). */
type HostIndex = {
  online: HostCpu[];
  nodes: number[];
  isolated: Set<number>;
  nohz: Set<number>;
  rcu: Set<number>;
  cpuInfo: Map<number, HostCpu>;
  /** per node, its cores' online threads, in CPU order */
  layout: Map<number, { key: string; node: number; threads: number[] }[]>;
  housekeeping: HostCpu[];
  nodesWithIsolated: Set<number>;
  l3Cpus: Map<string, number[]>;
  irqsByCpu: Map<number, HostPlacementSnapshot["irqs"]>;
  vmsByCpu: Map<number, HostPlacementSnapshot["vmPins"]>;
};

const indexCache = new WeakMap<HostPlacementSnapshot, HostIndex>();

function indexHost(host: HostPlacementSnapshot): HostIndex {
  const cached = indexCache.get(host);
  if (cached) return cached;
  const online = host.cpus.filter((c) => c.online);
  const isolated = new Set(host.isolated);
  const byKey = new Map<string, { key: string; node: number; threads: number[] }>();
  for (const c of online) {
    // A core's threads all share one node; key by node too so a broken report cannot merge nodes.
    const key = `${c.node}/${c.coreKey}`;
    let core = byKey.get(key);
    if (!core) {
      core = { key, node: c.node, threads: [] };
      byKey.set(key, core);
    }
    core.threads.push(c.cpu);
  }
  const layout = new Map<number, { key: string; node: number; threads: number[] }[]>();
  for (const core of byKey.values()) {
    core.threads.sort((a, b) => a - b);
    layout.set(core.node, [...(layout.get(core.node) ?? []), core]);
  }
  for (const list of layout.values()) list.sort((a, b) => (a.threads[0] as number) - (b.threads[0] as number));
  const l3Cpus = new Map<string, number[]>();
  for (const c of host.cpus) if (c.l3Id !== null) l3Cpus.set(c.l3Id, [...(l3Cpus.get(c.l3Id) ?? []), c.cpu]);
  const irqsByCpu = new Map<number, HostPlacementSnapshot["irqs"]>();
  for (const irq of host.irqs) for (const cpu of irq.effective) irqsByCpu.set(cpu, [...(irqsByCpu.get(cpu) ?? []), irq]);
  const vmsByCpu = new Map<number, HostPlacementSnapshot["vmPins"]>();
  for (const vm of host.vmPins) for (const cpu of vm.cpus) vmsByCpu.set(cpu, [...(vmsByCpu.get(cpu) ?? []), vm]);
  const index: HostIndex = {
    online,
    nodes: [...new Set(online.map((c) => c.node))].sort((a, b) => a - b),
    isolated,
    nohz: new Set(host.nohzFull),
    rcu: new Set(host.rcuNocbs),
    cpuInfo: new Map(host.cpus.map((c) => [c.cpu, c])),
    layout,
    housekeeping: online.filter((c) => !isolated.has(c.cpu)),
    nodesWithIsolated: new Set(online.filter((c) => isolated.has(c.cpu)).map((c) => c.node)),
    l3Cpus,
    irqsByCpu,
    vmsByCpu,
  };
  indexCache.set(host, index);
  return index;
}

export function allocateVnfCpus(host: HostPlacementSnapshot, existing: ExistingAssignment[], vnf: VnfShape): PlacementResult {
  const index = indexHost(host);
  const { nodes } = index;
  const taken = new Set(existing.map((a) => a.cpu));

  if (nodes.length === 0) return miss("no CPU topology for this host (no online CPU known): nothing to place on", []);
  if (vnf.numaNode !== null && !nodes.includes(vnf.numaNode)) {
    return miss(`node ${vnf.numaNode} does not exist on this host (nodes: ${nodes.join(", ") || "none"})`, [
      { node: vnf.numaNode, reason: "does not exist" },
    ]);
  }
  const candidates = vnf.numaNode === null ? nodes : [vnf.numaNode];

  if (index.nodesWithIsolated.size === 0) {
    const why = host.isolated.length === 0 ? "no isolated CPUs on this host: isolcpus is not set" : "no isolated CPU of this host is online";
    return miss(why, candidates.map((node) => ({ node, reason: "no isolated CPUs" })));
  }
  if (vnf.threadPolicy === "require" && !host.smt) {
    return miss(
      "thread policy require needs SMT: this host has one thread per core",
      candidates.map((node) => ({ node, reason: "no SMT" })),
    );
  }

  const plans: NodePlan[] = [];
  const perNode: { node: number; reason: string }[] = [];
  for (const node of candidates) {
    const planned = planNode(host, vnf, node, coresOn(index, node, taken), index.housekeeping, index.nodesWithIsolated.has(node));
    if (typeof planned === "string") perNode.push({ node, reason: planned });
    else plans.push(planned);
  }
  if (plans.length === 0) return miss(perNode.map((p) => `node ${p.node}: ${p.reason}`).join("; "), perNode);

  plans.sort((a, b) => a.wholeCoresBroken - b.wholeCoresBroken || a.freeIsolatedAfter - b.freeIsolatedAfter || a.node - b.node);
  return fit(index, existing, vnf, plans[0] as NodePlan);
}

function miss(reason: string, perNode: PlacementMiss["perNode"]): PlacementMiss {
  return { ok: false, reason, perNode };
}

function coresOn(index: HostIndex, node: number, taken: Set<number>): Core[] {
  const { isolated } = index;
  const out: Core[] = [];
  for (const core of index.layout.get(node) ?? []) {
    const free: number[] = [];
    for (const t of core.threads) if (isolated.has(t) && !taken.has(t)) free.push(t);
    // an explicit literal: object spread here was the bench's hot spot
    out.push({ key: core.key, node: core.node, threads: core.threads, free, wholeFree: free.length === core.threads.length });
  }
  return out;
}

function planNode(
  host: HostPlacementSnapshot,
  vnf: VnfShape,
  node: number,
  cores: Core[],
  housekeeping: HostPlacementSnapshot["cpus"],
  nodeHasIsolated: boolean,
): NodePlan | string {
  const problems: string[] = [];
  const emuIsolate = vnf.emulatorThreads === "isolate";
  const suffix = emuIsolate ? ` (${vnf.vcpus} vCPU${vnf.vcpus === 1 ? "" : "s"} + 1 emulator)` : "";
  const freeTotal = cores.reduce((s, c) => s + c.free.length, 0);

  let cpuPick: { vcpus: number[]; emulator: number | null; reserved: number[]; broken: number; used: number } | null = null;
  if (!nodeHasIsolated) {
    problems.push("no isolated CPUs");
  } else if (vnf.threadPolicy === "prefer") {
    const need = vnf.vcpus + (emuIsolate ? 1 : 0);
    if (freeTotal < need) problems.push(`${count(freeTotal, "free isolated CPU")}, ${need} needed${suffix}`);
    else {
      const picked = packThreads(cores, need);
      cpuPick = {
        vcpus: picked.cpus.slice(0, vnf.vcpus),
        emulator: emuIsolate ? (picked.cpus[vnf.vcpus] as number) : null,
        reserved: [],
        broken: picked.broken,
        used: need,
      };
    }
  } else if (vnf.threadPolicy === "isolate") {
    const need = vnf.vcpus + (emuIsolate ? 1 : 0);
    // fewest threads first: a core whose sibling is offline wastes nothing when reserved
    const whole = cores.filter((c) => c.wholeFree).sort((a, b) => a.threads.length - b.threads.length);
    if (whole.length < need) problems.push(`${count(whole.length, "free isolated core")}, ${need} needed${suffix}`);
    else {
      const chosen = whole.slice(0, need).sort((a, b) => (a.threads[0] as number) - (b.threads[0] as number));
      const vcpuCores = chosen.slice(0, vnf.vcpus);
      const emuCore = emuIsolate ? (chosen[vnf.vcpus] as Core) : null;
      // chosen is in CPU order: vCPUs follow it, the emulator takes the last core
      cpuPick = {
        vcpus: vcpuCores.map((c) => c.threads[0] as number),
        emulator: emuCore ? (emuCore.threads[0] as number) : null,
        reserved: chosen.flatMap((c) => c.threads.slice(1)),
        broken: need,
        used: chosen.reduce((s, c) => s + c.threads.length, 0),
      };
    }
  } else {
    const smtWhole = cores.filter((c) => c.wholeFree && c.threads.length > 1);
    const vcpus: number[] = [];
    const used: Core[] = [];
    for (const core of smtWhole) {
      if (vcpus.length >= vnf.vcpus) break;
      used.push(core);
      vcpus.push(...core.threads.slice(0, vnf.vcpus - vcpus.length));
    }
    const maxThreads = Math.max(2, ...smtWhole.map((c) => c.threads.length));
    const coresNeeded = Math.ceil(vnf.vcpus / maxThreads);
    if (vcpus.length < vnf.vcpus) {
      const extra = emuIsolate && vnf.vcpus % maxThreads === 0 ? 1 : 0;
      problems.push(`${count(smtWhole.length, "free isolated SMT core")}, ${coresNeeded + extra} needed${extra ? suffix : ""}`);
    } else {
      const inUse = new Set(vcpus);
      let leftover = used.flatMap((c) => c.threads).filter((t) => !inUse.has(t));
      let emulator: number | null = null;
      if (emuIsolate) {
        if (leftover.length > 0) {
          emulator = leftover[0] as number;
          leftover = leftover.slice(1);
        } else {
          const usedKeys = new Set(used.map((c) => c.key));
          const spare = cores
            .filter((c) => c.wholeFree && !usedKeys.has(c.key))
            .sort((a, b) => a.threads.length - b.threads.length)[0];
          if (!spare) problems.push(`${count(smtWhole.length, "free isolated SMT core")}, ${coresNeeded} needed, and no free isolated core for the emulator${suffix}`);
          else {
            emulator = spare.threads[0] as number;
            leftover = [...leftover, ...spare.threads.slice(1)];
            used.push(spare);
          }
        }
      }
      if (!emuIsolate || emulator !== null) {
        cpuPick = {
          vcpus,
          emulator,
          reserved: leftover.sort((a, b) => a - b),
          broken: used.length,
          used: used.reduce((s, c) => s + c.threads.length, 0),
        };
      }
    }
  }

  let hugepages: NodePlan["hugepages"] = null;
  if (vnf.pageSize !== "4K") {
    const pages = Math.ceil(vnf.memoryMib / PAGE_MIB[vnf.pageSize]);
    const free = host.hugepagesFree.find((h) => h.node === node && h.pageSize === vnf.pageSize)?.free ?? 0;
    if (pages > free) problems.push(`${vnf.pageSize} hugepages ${free} free, ${pages} needed`);
    hugepages = { pageSize: vnf.pageSize, pages };
  }

  let emulatorCpus: number[] = [];
  let emulatorCrossNode = false;
  if (vnf.emulatorThreads === "share") {
    const onNode = housekeeping.filter((c) => c.node === node).map((c) => c.cpu);
    if (onNode.length > 0) emulatorCpus = onNode;
    else if (housekeeping.length > 0) {
      emulatorCpus = housekeeping.map((c) => c.cpu);
      emulatorCrossNode = true;
    } else problems.push("no housekeeping CPU on this host for the shared emulator threads");
  } else if (cpuPick?.emulator !== null && cpuPick?.emulator !== undefined) {
    emulatorCpus = [cpuPick.emulator];
  }

  if (problems.length > 0 || !cpuPick) return problems.join(" and ");
  return {
    node,
    vcpuCpus: cpuPick.vcpus,
    emulatorCpus: [...emulatorCpus].sort((a, b) => a - b),
    emulatorDedicated: cpuPick.emulator,
    reservedCpus: cpuPick.reserved,
    wholeCoresBroken: cpuPick.broken,
    freeIsolatedAfter: freeTotal - cpuPick.used,
    emulatorCrossNode,
    hugepages,
  };
}

/**
 * prefer: take `need` free threads, partly used cores first (best fit: the core whose free threads
 * match what is left, else the one with most free threads), then whole free cores the same way.
 * Threads of one core are taken together, so consecutive vCPUs are siblings.
 */
function packThreads(cores: Core[], need: number): { cpus: number[]; broken: number } {
  const cpus: number[] = [];
  let broken = 0;
  const partial = cores.filter((c) => !c.wholeFree && c.free.length > 0);
  const whole = cores.filter((c) => c.wholeFree && c.free.length > 0);
  for (const [group, isWhole] of [
    [partial, false],
    [whole, true],
  ] as const) {
    const pool = [...group];
    while (cpus.length < need && pool.length > 0) {
      const left = need - cpus.length;
      let best = -1;
      for (let i = 0; i < pool.length; i++) {
        const f = (pool[i] as Core).free.length;
        if (f >= left && (best < 0 || f < (pool[best] as Core).free.length)) best = i;
      }
      if (best < 0) {
        for (let i = 0; i < pool.length; i++) if (best < 0 || (pool[i] as Core).free.length > (pool[best] as Core).free.length) best = i;
      }
      const core = pool.splice(best, 1)[0] as Core;
      cpus.push(...core.free.slice(0, left));
      if (isWhole) broken += 1;
    }
  }
  return { cpus, broken };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function fit(index: HostIndex, existing: ExistingAssignment[], vnf: VnfShape, plan: NodePlan): PlacementFit {
  const warnings: PlacementWarning[] = [];
  const dedicated = [...plan.vcpuCpus, ...(plan.emulatorDedicated === null ? [] : [plan.emulatorDedicated])].sort((a, b) => a - b);

  for (const cpu of dedicated) {
    if (!index.nohz.has(cpu))
      warnings.push({ code: "not-nohz-full", cpu, message: `CPU ${cpu} is isolated but not in nohz_full: the scheduler tick still interrupts it` });
    if (!index.rcu.has(cpu))
      warnings.push({ code: "not-rcu-nocbs", cpu, message: `CPU ${cpu} is isolated but not in rcu_nocbs: RCU callbacks still run on it` });
  }
  // SMT on but a sibling left out of isolcpus (HT switched on under an unchanged command line): the
  // core's other thread runs housekeeping work, and shared emulator threads, beside the vCPU
  for (const cpu of dedicated) {
    for (const sib of index.cpuInfo.get(cpu)?.siblings ?? []) {
      if (sib !== cpu && index.cpuInfo.get(sib)?.online === true && !index.isolated.has(sib))
        warnings.push({
          code: "sibling-not-isolated",
          cpu,
          message: `CPU ${cpu} shares its core with CPU ${sib}, which is not isolated: housekeeping work ${plan.emulatorCpus.includes(sib) ? "and this VNF's emulator threads run" : "runs"} on the same core`,
        });
    }
  }
  for (const cpu of dedicated) {
    for (const irq of index.irqsByCpu.get(cpu) ?? [])
      warnings.push({
        code: "irq-on-cpu",
        cpu,
        message: `IRQ ${irq.irq} fires on CPU ${cpu} (effective affinity ${formatCpuList(irq.effective)})${irq.managed ? "; kernel-managed, it cannot be moved" : ""}`,
      });
  }
  for (const cpu of [...dedicated, ...plan.reservedCpus].sort((a, b) => a - b)) {
    for (const vm of index.vmsByCpu.get(cpu) ?? [])
      warnings.push({ code: "vm-on-cpu", cpu, message: `CPU ${cpu} is already used by running VM ${vm.vm} (pid ${vm.pid})` });
  }
  if (vnf.threadPolicy === "prefer") {
    const owner = new Map(existing.map((a) => [a.cpu, a]));
    for (const cpu of plan.vcpuCpus) {
      for (const sib of index.cpuInfo.get(cpu)?.siblings ?? []) {
        const other = owner.get(sib);
        if (sib !== cpu && other && other.vnf !== vnf.name)
          warnings.push({ code: "sibling-shared", cpu, message: `CPU ${cpu} shares its core with CPU ${sib} (${other.vnf})` });
      }
    }
  }
  if (plan.emulatorCrossNode)
    warnings.push({
      code: "emulator-cross-node",
      cpu: null,
      message: `node ${plan.node} has no housekeeping CPU: the emulator threads share housekeeping CPUs ${formatCpuList(plan.emulatorCpus)} on other nodes`,
    });

  // L3 domain: the one holding most vCPUs (normally the only one); every domain touched is checked.
  const perL3 = new Map<string, number>();
  for (const cpu of plan.vcpuCpus) {
    const id = index.cpuInfo.get(cpu)?.l3Id;
    if (id) perL3.set(id, (perL3.get(id) ?? 0) + 1);
  }
  let l3Domain: PlacementFit["l3Domain"] = null;
  for (const [id] of [...perL3.entries()].sort((a, b) => b[1] - a[1])) {
    const cpus = index.l3Cpus.get(id) ?? [];
    const inDomain = new Set(cpus);
    const sharedWith = [...new Set(existing.filter((a) => inDomain.has(a.cpu) && a.vnf !== vnf.name).map((a) => a.vnf))].sort();
    l3Domain ??= { id, cpus, sharedWith };
    if (sharedWith.length > 0)
      warnings.push({
        code: "l3-shared",
        cpu: null,
        message: `${id} cache (CPUs ${formatCpuList(cpus)}) is shared with ${sharedWith.join(", ")}${vnf.cacheWays === null ? "" : `; a CAT class of ${vnf.cacheWays} ways keeps them apart`}`,
      });
  }
  if (perL3.size > 1)
    warnings.push({ code: "l3-split", cpu: null, message: `the vCPUs span ${perL3.size} L3 cache domains: ${[...perL3.keys()].join(", ")}` });

  return {
    ok: true,
    numaNode: plan.node,
    vcpuPins: plan.vcpuCpus.map((cpu, vcpu) => ({ vcpu, cpu })),
    emulatorCpus: plan.emulatorCpus,
    reservedCpus: plan.reservedCpus,
    warnings,
    l3Domain,
    hugepagesNeeded: plan.hugepages ? { node: plan.node, pageSize: plan.hugepages.pageSize, pages: plan.hugepages.pages } : null,
  };
}
