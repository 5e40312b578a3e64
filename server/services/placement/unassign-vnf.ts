import type { SessionUser } from "@/server/auth/session-user";
import { DomainError } from "@/server/errors";
import { userActor } from "@/server/repo/audit";
import { deletePlacement } from "@/server/repo/cpu-assignments";
import { reevaluateAfterPlacement } from "@/server/services/placement/reevaluate-after-placement";

/** Frees every CPU and hugepage a VNF holds (audited). */
export async function unassignVnf(user: SessionUser, vnfId: string): Promise<{ vnfId: string; hostId: string; freedCpus: number[] }> {
  const freed = await deletePlacement(vnfId, userActor(user));
  if (!freed) throw new DomainError("NOT_FOUND", "this VNF is not placed");
  await reevaluateAfterPlacement(freed.hostId);
  return { vnfId, ...freed };
}
