import { randomUUID } from "node:crypto";
import { DomainError } from "@/server/errors";
import { recordAudit, type AuditActor } from "@/server/repo/audit";
import { findProfile, insertProfile, profileNameTaken } from "@/server/repo/profiles";
import { inTransaction } from "@/server/repo/transaction";

/** Copy a profile (built-in or custom) into a new editable one. */
export async function cloneProfile(opts: { sourceId: string; name: string; actor: AuditActor }): Promise<{ id: string }> {
  return inTransaction(async (tx) => {
    const src = await findProfile(opts.sourceId, tx);
    if (await profileNameTaken(opts.name, null, tx)) throw new DomainError("CONFLICT", `a profile named "${opts.name}" already exists`);
    const id = `custom-${randomUUID()}`;
    await insertProfile(
      id,
      { name: opts.name, description: src.description, builtIn: false, kind: src.kind, basedOnId: src.id, rules: src.rules, sloMaxUs: src.sloMaxUs, sloP99999Us: src.sloP99999Us },
      tx,
    );
    await recordAudit(opts.actor, "compliance.profile.clone", "profile", id, { sourceId: src.id, name: opts.name }, tx);
    return { id };
  });
}
