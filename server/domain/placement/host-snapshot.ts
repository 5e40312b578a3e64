/**
 * The allocator's view of a host, built from a report's sections. Pure: no I/O.
 *
 * Missing sections degrade, never throw: no topology → no CPUs (nothing fits); no kernel → nothing
 * isolated; no hugepages / irq / vms section → no free hugepages, no IRQ and no VM checks.
 */
import type { HostPlacementSnapshot } from "../../contract/placement";
import type { ReportSections } from "../../contract/report";
import type { TopologySection } from "../../contract/sections/topology";
import { formatCpuList, unionCpus } from "../cpuset/cpuset";

const PAGE_SIZE_BY_KB: Record<number, "1G" | "2M"> = { 1048576: "1G", 2048: "2M" };

export function hostPlacementSnapshot(sections: ReportSections, hostname = ""): HostPlacementSnapshot {
  const topology = sections.topology?.data ?? null;
  const kernel = sections.kernel?.data ?? null;
  const hugepages = sections.hugepages?.data ?? null;
  const irq = sections.irq?.data ?? null;
  const vms = sections.vms?.data ?? null;

  const cpus = topology ? snapshotCpus(topology) : [];
  const known = new Set(cpus.map((c) => c.cpu));
  const onlyKnown = (list: number[]) => list.filter((c) => known.has(c));

  const isolated = onlyKnown(unionCpus(kernel?.cmdline?.isolcpus?.cpus ?? [], kernel?.sysIsolated ?? []));
  const nohzFull = onlyKnown(unionCpus(kernel?.cmdline?.nohzFull?.cpus ?? [], kernel?.sysNohzFull ?? []));
  const rcuNocbs = onlyKnown(kernel?.cmdline?.rcuNocbs?.cpus ?? []);
  const smt = cpus.some((c) => c.online && c.siblings.length > 1);

  const hugepagesFree: HostPlacementSnapshot["hugepagesFree"] = [];
  if (hugepages) {
    const perNode = hugepages.nodes;
    const nodeCount = new Set(cpus.map((c) => c.node)).size;
    if (perNode.length > 0) {
      for (const n of perNode)
        for (const s of n.sizes) {
          const pageSize = PAGE_SIZE_BY_KB[s.sizeKb];
          if (pageSize) hugepagesFree.push({ node: n.node, pageSize, free: s.free ?? 0 });
        }
    } else if (nodeCount <= 1) {
      // A kernel without NUMA has no per-node directories: the global pool is node 0's.
      for (const s of hugepages.sizes) {
        const pageSize = PAGE_SIZE_BY_KB[s.sizeKb];
        if (pageSize) hugepagesFree.push({ node: 0, pageSize, free: s.free ?? 0 });
      }
    }
  }

  // effective_affinity is where an IRQ really fires; older kernels lack it, then smp_affinity is
  // the best we know (where it may fire).
  const irqs: HostPlacementSnapshot["irqs"] = (irq?.irqs ?? []).map((i) => ({
    irq: i.name === "" ? String(i.irq) : `${i.irq} (${i.name})`,
    effective: i.effectiveAffinity ?? i.smpAffinity ?? [],
    managed: i.managed === true,
  }));

  const vmPins: HostPlacementSnapshot["vmPins"] = (vms?.vms ?? []).map((vm) => ({
    vm: vm.name ?? `pid ${vm.pid}`,
    pid: vm.pid,
    cpus: unionCpus(...vm.vcpuThreads.map((t) => t.cpusAllowed ?? []), vm.emulatorCpus),
  }));

  return { hostname, cpus, isolated, nohzFull, rcuNocbs, smt, hugepagesFree, irqs, vmPins };
}

function snapshotCpus(topology: TopologySection): HostPlacementSnapshot["cpus"] {
  const nodeOf = new Map<number, number>();
  for (const n of topology.nodes) for (const c of n.cpus) nodeOf.set(c, n.node);
  const l3Of = new Map<number, string>();
  for (const cache of topology.caches) {
    if (cache.level !== 3 || cache.type === "Instruction") continue;
    // Cache ids are per level but not always exposed; the CPU list names the domain either way.
    const id = cache.id !== null ? `L3 #${cache.id}` : `L3 ${formatCpuList(cache.sharedCpus)}`;
    for (const c of cache.sharedCpus) if (!l3Of.has(c)) l3Of.set(c, id);
  }
  return topology.cpus
    .map((c) => {
      const pkg = c.package ?? 0;
      const siblings = c.siblings.length > 0 ? [...c.siblings].sort((a, b) => a - b) : [c.cpu];
      return {
        cpu: c.cpu,
        node: c.node ?? nodeOf.get(c.cpu) ?? 0,
        package: pkg,
        // core ids repeat across packages and dies; without a core id a CPU is its own core
        coreKey: c.core === null ? `cpu${c.cpu}` : `${pkg}:${c.die ?? 0}:${c.core}`,
        siblings,
        online: c.online,
        l3Id: l3Of.get(c.cpu) ?? null,
      };
    })
    .sort((a, b) => a.cpu - b.cpu);
}
