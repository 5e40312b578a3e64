import { allocateVnfCpus } from "@/server/domain/placement/allocate-vnf-cpus";
import { existingAssignments } from "@/server/domain/vnf-pinning/host-placement-state";
import type { PreviewPlacementOutput } from "@/server/contract/vnf";
import { loadHostPlacementState } from "@/server/services/placement/host-placement-state";
import { placementOutputs } from "@/server/services/placement/placement-outputs";
import { getVnf } from "@/server/services/placement/get-vnf";
import { vnfShape } from "@/server/services/placement/vnf-json";

/**
 * Runs the allocator for one VNF on one host against the host's latest reported sections and the CPUs
 * already assigned there (other VNFs' only). Nothing is saved.
 */
export async function previewPlacement(input: { vnfId: string; hostId: string }): Promise<PreviewPlacementOutput> {
  const vnf = await getVnf(input.vnfId);
  const state = await loadHostPlacementState(input.hostId);
  const others = state.assignments.filter((a) => a.vnfId !== vnf.id);
  const shape = vnfShape(vnf);
  const result = allocateVnfCpus(state.allocationSnapshot, existingAssignments(others), shape);
  return {
    hostId: state.hostId,
    hostname: state.hostname,
    reportedAt: state.reportedAt,
    result,
    outputs: result.ok ? placementOutputs(shape, result) : null,
  };
}
