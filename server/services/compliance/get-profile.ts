import type { ProfileDetail } from "@/server/contract/api/compliance";
import { RULE_CATALOGUE, ruleInfo } from "@/server/domain/compliance/catalogue";
import { findProfileWithUsage } from "@/server/repo/profiles";
import { profileBaseOf } from "@/server/services/compliance/list-profiles";

/** A profile with its rule configuration and every catalogue rule it can use. */
export async function getProfile(opts: { id: string }): Promise<ProfileDetail> {
  const m = await findProfileWithUsage(opts.id);
  const cfg = new Map(m.rules.map((r) => [r.ruleId, r]));
  return {
    ...profileBaseOf(m),
    rules: m.rules,
    sloMaxUs: m.sloMaxUs,
    sloP99999Us: m.sloP99999Us,
    updatedAt: m.updatedAt,
    labels: m.labels,
    hosts: m.hosts,
    catalogue: RULE_CATALOGUE.filter((r) => r.kinds.includes(m.kind) || cfg.has(r.id)).map((r) => ({ ...ruleInfo(r), expected: r.expected(cfg.get(r.id)?.params ?? r.defaultParams) })),
  };
}
