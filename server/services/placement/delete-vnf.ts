import type { SessionUser } from "@/server/auth/session-user";
import { userActor } from "@/server/repo/audit";
import { deleteVnfRow } from "@/server/repo/vnfs";

/** Deletes a VNF; a placed one frees its CPUs in the same transaction (audited with the CPUs freed). */
export async function deleteVnf(user: SessionUser, id: string): Promise<{ id: string; freedCpus: number[] }> {
  const { freedCpus } = await deleteVnfRow(id, userActor(user));
  return { id, freedCpus };
}
