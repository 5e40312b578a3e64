import type { SessionUser } from "@/server/auth/session-user";
import { userActor } from "@/server/repo/audit";
import { deleteVnfRow } from "@/server/repo/vnfs";
import { reevaluateAfterPlacement } from "@/server/services/placement/reevaluate-after-placement";

/** Deletes a VNF; a placed one frees its CPUs in the same transaction (audited with the CPUs freed). */
export async function deleteVnf(user: SessionUser, id: string): Promise<{ id: string; freedCpus: number[] }> {
  const { freedCpus, hostId } = await deleteVnfRow(id, userActor(user));
  if (hostId !== null) await reevaluateAfterPlacement(hostId);
  return { id, freedCpus };
}
