import { isBuiltinProfileId } from "@/server/domain/compliance/builtin-profiles";
import { DomainError } from "@/server/errors";
import { recordAudit, type AuditActor } from "@/server/repo/audit";
import { hostsUsingProfile } from "@/server/repo/profile-assignments";
import { deleteProfileRow, findProfile } from "@/server/repo/profiles";
import { inTransaction } from "@/server/repo/transaction";
import { reevaluateHosts } from "@/server/services/compliance/evaluate-host";

/** Delete a custom profile; its hosts and labels fall back to the next rule of precedence. */
export async function deleteProfile(opts: { id: string; actor: AuditActor }): Promise<{ reevaluated: number }> {
  if (isBuiltinProfileId(opts.id)) throw new DomainError("FORBIDDEN", "built-in profiles cannot be deleted");
  const hostIds = await hostsUsingProfile(opts.id);
  await inTransaction(async (tx) => {
    await findProfile(opts.id, tx);
    await deleteProfileRow(opts.id, tx);
    await recordAudit(opts.actor, "compliance.profile.delete", "profile", opts.id, {}, tx);
  });
  await reevaluateHosts({ hostIds });
  return { reevaluated: hostIds.length };
}
