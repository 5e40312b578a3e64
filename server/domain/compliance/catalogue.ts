import type { Rule } from "@/server/domain/compliance/rule";
import { BIOS_RULES } from "@/server/domain/compliance/rules/bios";
import { KVM_RULES } from "@/server/domain/compliance/rules/kvm";
import { KERNEL_CMDLINE_RULES } from "@/server/domain/compliance/rules/kernel-cmdline";
import { RUNTIME_RULES } from "@/server/domain/compliance/rules/runtime";
import { CONSISTENCY_RULES } from "@/server/domain/compliance/rules/consistency";

/** Every rule nfvdeck knows, in display order. A profile may only reference these ids. */
export const RULE_CATALOGUE: readonly Rule[] = [...BIOS_RULES, ...KVM_RULES, ...KERNEL_CMDLINE_RULES, ...RUNTIME_RULES, ...CONSISTENCY_RULES];

const BY_ID = new Map(RULE_CATALOGUE.map((r) => [r.id, r]));

export function findRule(id: string): Rule | undefined {
  return BY_ID.get(id);
}

/** Plain metadata of a rule (for lists, the editor and docs). */
export type RuleInfo = {
  id: string;
  title: string;
  section: Rule["section"];
  defaultSeverity: Rule["defaultSeverity"];
  kinds: Rule["kinds"];
  defaultParams: unknown;
  remediation: string;
  tuningActionId: string | null;
  source: string;
};

export function ruleInfo(r: Rule): RuleInfo {
  return {
    id: r.id,
    title: r.title,
    section: r.section,
    defaultSeverity: r.defaultSeverity,
    kinds: r.kinds,
    defaultParams: r.defaultParams,
    remediation: r.remediation,
    tuningActionId: r.tuningActionId,
    source: r.source,
  };
}
