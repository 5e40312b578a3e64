import { isBuiltinProfileId } from "@/server/domain/compliance/builtin-profiles";
import { applyRuleEdits, type ProfileEdit } from "@/server/domain/compliance/profile";
import { DomainError } from "@/server/errors";
import { recordAudit, type AuditActor } from "@/server/repo/audit";
import { hostsUsingProfile } from "@/server/repo/profile-assignments";
import { findProfile, profileNameTaken, updateProfileRow } from "@/server/repo/profiles";
import { inTransaction } from "@/server/repo/transaction";
import { reevaluateHosts } from "@/server/services/compliance/evaluate-host";

/**
 * Edit a custom profile (built-ins are read-only: clone them). Invalid edits are refused whole with
 * every reason; a valid one re-evaluates the hosts the profile applies to.
 */
export async function updateProfile(opts: { id: string; edit: ProfileEdit; actor: AuditActor }): Promise<{ id: string; reevaluated: number }> {
  if (isBuiltinProfileId(opts.id)) throw new DomainError("FORBIDDEN", "built-in profiles are read-only: clone it first");
  await inTransaction(async (tx) => {
    const current = await findProfile(opts.id, tx);
    if (current.builtIn) throw new DomainError("FORBIDDEN", "built-in profiles are read-only: clone it first");
    let rules = current.rules;
    if (opts.edit.rules) {
      const r = applyRuleEdits(current.rules, opts.edit.rules);
      if (!r.ok) throw new DomainError("INVALID", `profile not saved: ${r.errors.join("; ")}`, { errors: r.errors });
      rules = r.rules;
    }
    if (opts.edit.name !== undefined && opts.edit.name !== current.name && (await profileNameTaken(opts.edit.name, opts.id, tx))) {
      throw new DomainError("CONFLICT", `a profile named "${opts.edit.name}" already exists`);
    }
    await updateProfileRow(opts.id, { name: opts.edit.name, description: opts.edit.description, rules, sloMaxUs: opts.edit.sloMaxUs, sloP99999Us: opts.edit.sloP99999Us }, tx);
    await recordAudit(opts.actor, "compliance.profile.update", "profile", opts.id, { edit: opts.edit as Record<string, unknown> }, tx);
  });
  const hostIds = await hostsUsingProfile(opts.id);
  await reevaluateHosts({ hostIds });
  return { id: opts.id, reevaluated: hostIds.length };
}
