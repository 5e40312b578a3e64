import { builtinProfiles } from "@/server/domain/compliance/builtin-profiles";
import { findProfile, insertProfileIfAbsent, updateProfileRow, type Db } from "@/server/repo/profiles";
import { DomainError } from "@/server/errors";

/**
 * Insert or refresh the built-in profiles (kvm4nfv-host, kvm4nfv-guest). Run once when the database is
 * migrated (server/db-bootstrap.ts), never from a read. Idempotent: built-ins are read-only, so their rules
 * are rewritten from the catalogue when they differ (a new rule reaches them on upgrade).
 */
export async function seedBuiltinProfiles(opts: { db?: Db } = {}): Promise<void> {
  for (const p of builtinProfiles()) {
    const data = { name: p.name, description: p.description, builtIn: true, kind: p.kind, basedOnId: null, rules: p.rules, sloMaxUs: p.sloMaxUs, sloP99999Us: p.sloP99999Us };
    const existing = await findProfile(p.id, opts.db).catch((e: unknown) => {
      if (e instanceof DomainError && e.code === "NOT_FOUND") return null;
      throw e;
    });
    if (!existing) await insertProfileIfAbsent(p.id, data, opts.db);
    else if (JSON.stringify(existing.rules) !== JSON.stringify(p.rules) || existing.name !== p.name || existing.description !== p.description) {
      await updateProfileRow(p.id, data, opts.db);
    }
  }
}
