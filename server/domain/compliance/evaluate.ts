import { findRule } from "@/server/domain/compliance/catalogue";
import type { ProfileModel } from "@/server/domain/compliance/profile";
import type { HostSnapshot } from "@/server/domain/compliance/snapshot";
import {
  RULE_SECTIONS,
  type Evaluation,
  type Finding,
  type RuleSection,
  type RuleStatus,
  type SectionSummary,
  type Severity,
  type StatusCounts,
} from "@/server/domain/compliance/types";

/** Score weights: a critical rule counts ten times an informational one. */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 10, major: 5, minor: 2, info: 1 };
/** Credit per status: a warning earns half. n/a is left out of the score entirely. */
const CREDIT: Record<Exclude<RuleStatus, "na">, number> = { pass: 1, warn: 0.5, fail: 0 };
/** Worst first. */
const STATUS_RANK: Record<RuleStatus, number> = { fail: 3, warn: 2, pass: 1, na: 0 };

export function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, warn: 0, na: 0 };
}

/**
 * Evaluate a profile's enabled rules on a snapshot. A failing check on a rule configured with severity
 * "info" is reported as "warn" (a recommendation, e.g. PREEMPT_RT). A rule that throws (a bug, or data
 * the schema let through) becomes n/a with the reason rather than aborting the evaluation.
 */
export function evaluateProfile(snapshot: HostSnapshot, profile: Pick<ProfileModel, "id" | "rules">): Evaluation {
  const findings: Finding[] = [];
  for (const cfg of profile.rules) {
    if (!cfg.enabled) continue;
    const rule = findRule(cfg.ruleId);
    if (!rule) continue;
    let outcome;
    try {
      outcome = rule.check(snapshot, cfg.params);
    } catch (err) {
      const reason = `rule could not be evaluated: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
      outcome = { status: "na" as const, message: reason, evidence: { observed: reason, expected: rule.expected(cfg.params), source: "nfvdeck" } };
    }
    const status: RuleStatus = outcome.status === "fail" && cfg.severity === "info" ? "warn" : outcome.status;
    findings.push({
      ruleId: rule.id,
      title: rule.title,
      section: rule.section,
      severity: cfg.severity,
      status,
      message: outcome.message,
      evidence: outcome.evidence,
      expected: rule.expected(cfg.params),
      remediation: rule.remediation,
      tuningActionId: rule.tuningActionId,
    });
  }
  return summarise(profile.id, findings);
}

export function summarise(profileId: string, findings: Finding[]): Evaluation {
  const counts = emptyCounts();
  const sections: Partial<Record<RuleSection, SectionSummary>> = {};
  let weight = 0;
  let earned = 0;
  for (const f of findings) {
    counts[f.status] += 1;
    const sec = (sections[f.section] ??= { status: "na", counts: emptyCounts() });
    sec.counts[f.status] += 1;
    if (STATUS_RANK[f.status] > STATUS_RANK[sec.status]) sec.status = f.status;
    if (f.status !== "na") {
      const w = SEVERITY_WEIGHT[f.severity];
      weight += w;
      earned += w * CREDIT[f.status];
    }
  }
  const score = weight === 0 ? 100 : Math.round((1000 * earned) / weight) / 10;
  const ordered: Partial<Record<RuleSection, SectionSummary>> = {};
  for (const s of RULE_SECTIONS) {
    const v = sections[s];
    if (v) ordered[s] = v;
  }
  return { profileId, score, counts, sections: ordered, findings };
}

/** "3 failing, 1 warning, 18 passing, 9 n/a — score 72.5" */
export function summaryLine(e: Pick<Evaluation, "counts" | "score">): string {
  const c = e.counts;
  return `${c.fail} failing, ${c.warn} warning, ${c.pass} passing, ${c.na} n/a — score ${e.score}`;
}
