import type { HostCpuMap } from "@/server/contract/vnf";
import { buildCpuMap } from "@/server/domain/vnf-pinning/host-placement-state";
import { loadHostPlacementState } from "@/server/services/placement/host-placement-state";

/** The CPUs tab: topology, each CPU's state and holder, placed VNFs with real-vs-assigned pinning, unknown VMs. */
export async function getHostCpuMap(hostId: string): Promise<HostCpuMap> {
  const state = await loadHostPlacementState(hostId);
  const map = buildCpuMap(state.snapshot, state.assignments, state.placements, state.sections.vms);
  return {
    hostId: state.hostId,
    hostname: state.hostname,
    reportedAt: state.reportedAt,
    smt: state.snapshot.smt,
    ...map,
    vmsState: state.sections.state.vms,
    hugepages: state.budgets.map((b) => ({ node: b.node, pageSize: b.pageSize, free: b.free, placed: b.placed, left: Math.max(0, b.budget - b.placed) })),
  };
}
