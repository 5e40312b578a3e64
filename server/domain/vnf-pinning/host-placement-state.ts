/**
 * From a host's stored state (latest sections, CPU assignments, placements) to what the allocator and the
 * CPUs tab need. Pure: the services load, these functions decide.
 */
import type { AssignmentRole, ExistingAssignment, HostPlacementSnapshot, PlacementFit } from "@/server/contract/placement";
import type { ReportSections } from "@/server/contract/report";
import type { VmsSection } from "@/server/contract/sections/vms";
import type { CpuMapCpu, CpuMapVnf, CpuState, ExpectedPlacement } from "@/server/contract/vnf";
import type { HostSnapshot } from "@/server/domain/compliance/snapshot";
import { formatCpuList } from "@/server/domain/cpuset/cpuset";

const NO_HASH = "0".repeat(64);

/** The validated sections of a stored host snapshot, in the report's envelope shape (what hostPlacementSnapshot reads). */
export function reportSectionsFromSnapshot(s: HostSnapshot): ReportSections {
  const envelope = <T>(data: T | null) => (data === null ? undefined : { ok: true, available: true, durationMs: 0, hash: NO_HASH, data });
  return {
    topology: envelope(s.topology),
    kernel: envelope(s.kernel),
    irq: envelope(s.irq),
    hugepages: envelope(s.hugepages),
    vms: envelope(s.vms),
  };
}

export type AssignmentRow = { cpu: number; role: string; vcpu: number | null; vnfId: string; vnfName: string };
export type PlacementRow = { vnfId: string; vnfName: string; emulatorThreads: string; numaNode: number; pageSize: string | null; pages: number; emulatorCpus: number[] };

export function roleOf(row: { role: string; vcpu: number | null }): AssignmentRole {
  if (row.role === "vcpu") return { kind: "vcpu", vcpu: row.vcpu ?? 0 };
  if (row.role === "emulator") return { kind: "emulator" };
  return { kind: "reserved-sibling" };
}

export function existingAssignments(rows: readonly AssignmentRow[]): ExistingAssignment[] {
  return rows.map((r) => ({ cpu: r.cpu, vnf: r.vnfName, role: roleOf(r) }));
}

/** The VMs running on the host by name (null when the host reports no vms section: nothing is known to run). */
export function runningVmNames(vms: VmsSection | null): Set<string> | null {
  return vms === null ? null : new Set(vms.vms.map((v) => v.name).filter((n): n is string => n !== null));
}

export type HugepageBudget = { node: number; pageSize: "1G" | "2M"; free: number; placed: number; budget: number };

/**
 * Hugepages per node for placements. The kernel's free count already excludes pages a running VNF uses; a
 * placed VNF that does not run yet has taken nothing from the kernel. So what all placements together may
 * use is free + the pages of placed VNFs that run; what is left is that minus every placed VNF's pages.
 */
export function hugepageBudgets(snapshot: HostPlacementSnapshot, placements: readonly PlacementRow[], running: Set<string> | null): HugepageBudget[] {
  return snapshot.hugepagesFree.map((h) => {
    const here = placements.filter((p) => p.numaNode === h.node && p.pageSize === h.pageSize);
    const placed = here.reduce((n, p) => n + p.pages, 0);
    const runningPages = here.filter((p) => running?.has(p.vnfName) === true).reduce((n, p) => n + p.pages, 0);
    return { node: h.node, pageSize: h.pageSize, free: h.free, placed, budget: h.free + runningPages };
  });
}

/** The snapshot the allocator sees: free hugepages net of what other placements hold. */
export function snapshotForAllocation(snapshot: HostPlacementSnapshot, budgets: readonly HugepageBudget[]): HostPlacementSnapshot {
  return {
    ...snapshot,
    hugepagesFree: budgets.map((b) => ({ node: b.node, pageSize: b.pageSize, free: Math.max(0, b.budget - b.placed) })),
  };
}

export type PlannedCpu = { cpu: number; role: "vcpu" | "emulator" | "reserved-sibling"; vcpu: number | null };

/**
 * The CPU rows a fit holds exclusively: every vCPU, every reserved sibling, and the emulator CPU when the
 * emulator is isolated (shared emulator threads run on housekeeping CPUs nobody holds).
 */
export function plannedCpus(emulatorThreads: "share" | "isolate", fit: PlacementFit): PlannedCpu[] {
  const rows: PlannedCpu[] = [
    ...fit.vcpuPins.map((p) => ({ cpu: p.cpu, role: "vcpu" as const, vcpu: p.vcpu })),
    ...fit.reservedCpus.map((cpu) => ({ cpu, role: "reserved-sibling" as const, vcpu: null })),
    ...(emulatorThreads === "isolate" ? fit.emulatorCpus.map((cpu) => ({ cpu, role: "emulator" as const, vcpu: null })) : []),
  ];
  return rows.sort((a, b) => a.cpu - b.cpu);
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const sameList = (a: readonly number[], b: readonly number[]) => a.length === b.length && sorted(a).every((x, i) => x === sorted(b)[i]);

/** Is the allocator's fresh choice the one the admin previewed? */
export function samePlacement(expected: ExpectedPlacement, fit: PlacementFit): boolean {
  const pins = (ps: readonly { vcpu: number; cpu: number }[]) => [...ps].sort((a, b) => a.vcpu - b.vcpu).map((p) => `${p.vcpu}:${p.cpu}`).join(",");
  return (
    expected.numaNode === fit.numaNode &&
    pins(expected.vcpuPins) === pins(fit.vcpuPins) &&
    sameList(expected.emulatorCpus, fit.emulatorCpus) &&
    sameList(expected.reservedCpus, fit.reservedCpus)
  );
}

export function expectedFrom(fit: PlacementFit): ExpectedPlacement {
  return { numaNode: fit.numaNode, vcpuPins: fit.vcpuPins, emulatorCpus: fit.emulatorCpus, reservedCpus: fit.reservedCpus };
}

// --- real pinning vs assigned ----------------------------------------------------------------------

/**
 * How a placed VNF's running VM (matched by name) is really pinned, compared with its assignment:
 * each vCPU thread must be allowed exactly its assigned CPU, the emulator threads exactly the emulator CPUs.
 */
export function comparePinning(
  vnf: { name: string; vcpuPins: { vcpu: number; cpu: number }[]; emulatorCpus: number[] },
  vms: VmsSection | null,
): Pick<CpuMapVnf, "pinning" | "differences"> {
  if (vms === null) return { pinning: "unknown", differences: [] };
  const vm = vms.vms.find((v) => v.name === vnf.name);
  if (!vm) return { pinning: "not-running", differences: [] };
  const differences: string[] = [];
  if (!vm.threadsNamed) differences.push(`pid ${vm.pid}: its threads are unnamed (no debug-threads=on): vCPU pinning cannot be checked`);
  else {
    for (const pin of [...vnf.vcpuPins].sort((a, b) => a.vcpu - b.vcpu)) {
      const thread = vm.vcpuThreads.find((t) => t.vcpu === pin.vcpu);
      if (!thread) differences.push(`vCPU ${pin.vcpu}: no thread in the running VM (assigned CPU ${pin.cpu})`);
      else if (thread.cpusAllowed === null) differences.push(`vCPU ${pin.vcpu}: affinity unreadable (assigned CPU ${pin.cpu})`);
      else if (!sameList(thread.cpusAllowed, [pin.cpu])) differences.push(`vCPU ${pin.vcpu} runs on ${formatCpuList(thread.cpusAllowed)}, assigned ${pin.cpu}`);
    }
    const extra = vm.vcpuThreads.filter((t) => t.vcpu !== null && !vnf.vcpuPins.some((p) => p.vcpu === t.vcpu));
    for (const t of extra) differences.push(`vCPU ${t.vcpu} runs in the VM but has no assignment`);
  }
  if (vnf.emulatorCpus.length > 0 && !sameList(vm.emulatorCpus, vnf.emulatorCpus)) {
    differences.push(`emulator threads run on ${formatCpuList(vm.emulatorCpus) || "nothing readable"}, assigned ${formatCpuList(vnf.emulatorCpus)}`);
  }
  return { pinning: differences.length === 0 ? "matches" : "differs", differences };
}

// --- the CPU map -------------------------------------------------------------------------------------

export type CpuMap = { cpus: CpuMapCpu[]; vnfs: CpuMapVnf[]; unknownVms: { pid: number; name: string | null; cpus: number[] }[] };

/** Every CPU of the host with its state, holder, IRQs and real VM threads; every placed VNF with its pinning check. */
export function buildCpuMap(
  snapshot: HostPlacementSnapshot,
  assignments: readonly AssignmentRow[],
  placements: readonly PlacementRow[],
  vms: VmsSection | null,
): CpuMap {
  const isolated = new Set(snapshot.isolated);
  const nohz = new Set(snapshot.nohzFull);
  const rcu = new Set(snapshot.rcuNocbs);
  const held = new Map(assignments.map((a) => [a.cpu, a]));
  const sharedEmulator = new Map<number, string[]>();
  for (const p of placements) {
    if (p.emulatorThreads === "isolate") continue;
    for (const c of p.emulatorCpus) sharedEmulator.set(c, [...(sharedEmulator.get(c) ?? []), p.vnfName]);
  }
  const vmThreadsOn = new Map<number, CpuMapCpu["vmThreads"]>();
  for (const vm of vms?.vms ?? []) {
    const label = vm.name ?? `pid ${vm.pid}`;
    for (const t of [...vm.vcpuThreads, ...vm.emulatorThreads]) {
      // an unpinned thread (allowed everywhere) says nothing about one CPU: only list pinned ones
      if (t.cpusAllowed === null || t.cpusAllowed.length === snapshot.cpus.length) continue;
      for (const c of t.cpusAllowed) vmThreadsOn.set(c, [...(vmThreadsOn.get(c) ?? []), { vm: label, pid: vm.pid, thread: t.comm }]);
    }
  }
  const cpus: CpuMapCpu[] = [...snapshot.cpus]
    .sort((a, b) => a.cpu - b.cpu)
    .map((c) => {
      const a = held.get(c.cpu);
      let state: CpuState;
      if (!c.online) state = "offline";
      else if (a) state = a.role === "vcpu" ? "vcpu" : a.role === "emulator" ? "emulator" : "reserved-sibling";
      else state = isolated.has(c.cpu) ? "isolated-free" : "housekeeping";
      const irqs = snapshot.irqs.filter((i) => i.effective.includes(c.cpu)).map((i) => ({ irq: i.irq, managed: i.managed }));
      return {
        cpu: c.cpu,
        package: c.package,
        node: c.node,
        coreKey: c.coreKey,
        siblings: c.siblings,
        online: c.online,
        l3Id: c.l3Id,
        isolated: isolated.has(c.cpu),
        nohzFull: nohz.has(c.cpu),
        rcuNocbs: rcu.has(c.cpu),
        state,
        vnf: a ? { id: a.vnfId, name: a.vnfName, vcpu: a.role === "vcpu" ? a.vcpu : null } : null,
        sharedEmulatorOf: sharedEmulator.get(c.cpu) ?? [],
        irqs,
        vmThreads: vmThreadsOn.get(c.cpu) ?? [],
      };
    });
  const vnfs: CpuMapVnf[] = placements.map((p) => {
    const mine = assignments.filter((a) => a.vnfId === p.vnfId);
    const vcpuPins = mine.filter((a) => a.role === "vcpu").map((a) => ({ vcpu: a.vcpu ?? 0, cpu: a.cpu }));
    return {
      id: p.vnfId,
      name: p.vnfName,
      numaNode: p.numaNode,
      cpus: mine.map((a) => a.cpu).sort((x, y) => x - y),
      emulatorCpus: p.emulatorCpus,
      ...comparePinning({ name: p.vnfName, vcpuPins, emulatorCpus: p.emulatorCpus }, vms),
    };
  });
  const known = new Set(placements.map((p) => p.vnfName));
  const unknownVms = (vms?.vms ?? [])
    .filter((v) => v.name === null || !known.has(v.name))
    .map((v) => ({ pid: v.pid, name: v.name, cpus: sorted([...new Set([...v.vcpuThreads.flatMap((t) => t.cpusAllowed ?? []), ...v.emulatorCpus])]) }));
  return { cpus, vnfs, unknownVms };
}
