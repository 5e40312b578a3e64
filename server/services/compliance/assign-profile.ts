import type { AssignTarget } from "@/server/contract/api/compliance";
import { recordAudit, type AuditActor } from "@/server/repo/audit";
import { hostIdsWithLabel, setHostProfile, setLabelProfile } from "@/server/repo/profile-assignments";
import { findProfile } from "@/server/repo/profiles";
import { inTransaction } from "@/server/repo/transaction";
import { reevaluateHosts } from "@/server/services/compliance/evaluate-host";

/** Assign a profile to one host or to a label (profileId null removes the assignment), then re-evaluate. */
export async function assignProfile(opts: { target: AssignTarget; profileId: string | null; actor: AuditActor }): Promise<{ reevaluated: number }> {
  if (opts.profileId !== null) await findProfile(opts.profileId);
  let hostIds: string[];
  if ("hostId" in opts.target) {
    const hostId = opts.target.hostId;
    await inTransaction(async (tx) => {
      await setHostProfile(hostId, opts.profileId, tx);
      await recordAudit(opts.actor, "compliance.profile.assign", "host", hostId, { profileId: opts.profileId }, tx);
    });
    hostIds = [hostId];
  } else {
    const label = opts.target.label;
    await inTransaction(async (tx) => {
      await setLabelProfile(label, opts.profileId, tx);
      await recordAudit(opts.actor, "compliance.profile.assign", "label", label, { profileId: opts.profileId }, tx);
    });
    hostIds = await hostIdsWithLabel(label);
  }
  await reevaluateHosts({ hostIds });
  return { reevaluated: hostIds.length };
}
