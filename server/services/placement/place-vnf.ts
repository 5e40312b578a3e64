import type { SessionUser } from "@/server/auth/session-user";
import type { PlaceVnfInput, VnfJson, PlacementOutputs } from "@/server/contract/vnf";
import { allocateVnfCpus } from "@/server/domain/placement/allocate-vnf-cpus";
import { existingAssignments, expectedFrom, plannedCpus, samePlacement } from "@/server/domain/vnf-pinning/host-placement-state";
import { DomainError } from "@/server/errors";
import { userActor, type AuditActor } from "@/server/repo/audit";
import { findCpuHolder, insertPlacement } from "@/server/repo/cpu-assignments";
import { loadHostPlacementState } from "@/server/services/placement/host-placement-state";
import { placementOutputs } from "@/server/services/placement/placement-outputs";
import { getVnf } from "@/server/services/placement/get-vnf";
import { vnfShape } from "@/server/services/placement/vnf-json";
import { reevaluateAfterPlacement } from "@/server/services/placement/reevaluate-after-placement";

/**
 * Places a VNF: the allocator runs again on the host's current state; when the admin confirmed a preview,
 * the fresh choice must be that preview (else they are told who took which CPU, or to preview again).
 * The rows are stored all-or-nothing; the (host, cpu) key stops a concurrent placement from double-booking.
 */
export async function placeVnf(user: SessionUser, input: PlaceVnfInput): Promise<{ vnf: VnfJson; outputs: PlacementOutputs }> {
  return placeVnfAs(userActor(user), input);
}

/** placeVnf for any audit actor (the demo lab places as "system"). */
export async function placeVnfAs(actor: AuditActor, input: PlaceVnfInput): Promise<{ vnf: VnfJson; outputs: PlacementOutputs }> {
  const vnf = await getVnf(input.vnfId);
  if (vnf.placement) throw new DomainError("CONFLICT", `${vnf.name} is already placed on ${vnf.placement.hostname}: unassign it first`);
  const state = await loadHostPlacementState(input.hostId);
  const shape = vnfShape(vnf);
  const result = allocateVnfCpus(state.allocationSnapshot, existingAssignments(state.assignments), shape);
  if (input.expected && (!result.ok || !samePlacement(input.expected, result))) {
    const wanted = [...input.expected.vcpuPins.map((p) => p.cpu), ...input.expected.reservedCpus, ...input.expected.emulatorCpus];
    const holder = await findCpuHolder(state.hostId, wanted, vnf.id);
    if (holder) throw new DomainError("CONFLICT", `CPU ${holder.cpu} on ${state.hostname} was just taken by ${holder.vnf}`, { cpu: holder.cpu, vnf: holder.vnf });
    throw new DomainError("CONFLICT", `${state.hostname} changed since the preview${result.ok ? "" : ` (${result.reason})`}: preview again`);
  }
  if (!result.ok) throw new DomainError("CONFLICT", `${vnf.name} does not fit on ${state.hostname}: ${result.reason}`, { perNode: result.perNode });
  const hp = result.hugepagesNeeded;
  const budget = hp && hp.pageSize !== "4K" ? state.budgets.find((b) => b.node === hp.node && b.pageSize === hp.pageSize) : undefined;
  await insertPlacement({
    hostId: state.hostId,
    hostname: state.hostname,
    vnfId: vnf.id,
    vnfName: vnf.name,
    numaNode: result.numaNode,
    hugepages: hp && hp.pageSize !== "4K" ? { pageSize: hp.pageSize, pages: hp.pages, budget: budget?.budget ?? 0 } : null,
    emulatorCpus: result.emulatorCpus,
    warnings: result.warnings,
    cpus: plannedCpus(vnf.emulatorThreads, result),
    actor,
    auditDetails: { vnf: vnf.name, ...expectedFrom(result), warnings: result.warnings.map((w) => w.code) },
  });
  await reevaluateAfterPlacement(state.hostId);
  return { vnf: await getVnf(vnf.id), outputs: placementOutputs(shape, result) };
}
