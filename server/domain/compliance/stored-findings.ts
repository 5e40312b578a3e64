import { z } from "zod";
import {
  evidenceSchema,
  ruleSectionSchema,
  ruleStatusSchema,
  severitySchema,
  type Evidence,
  type Finding,
  type RuleStatus,
} from "@/server/domain/compliance/types";

/**
 * How a result's findings are stored compactly. A finding is two parts:
 * - its rule text (rule id, title, section, severity, expected, remediation, tuning action), which comes from
 *   the rule and the profile's configuration of it, the same for every host evaluated against that profile
 *   revision: stored once per distinct list (a "rule set", by content hash), not once per host;
 * - its outcome on the host (status, message, evidence), stored per host.
 * The rule set is taken from the evaluation's own findings (not recomputed from the profile), so a stored
 * result always shows exactly the texts it was evaluated with, whatever was edited since.
 */

/** The part of a finding that comes from the rule and the profile (the same on every host). */
export const ruleTextSchema = z.object({
  ruleId: z.string(),
  title: z.string(),
  section: ruleSectionSchema,
  severity: severitySchema,
  expected: z.string(),
  remediation: z.string(),
  tuningActionId: z.string().nullable(),
});
export type RuleText = z.infer<typeof ruleTextSchema>;
export const ruleSetSchema = z.array(ruleTextSchema);

/**
 * The part of a finding that is the host's, as stored: `o` (evidence.observed) is left out when it is the
 * message (every n/a finding: the reason is both).
 */
export const storedOutcomeSchema = z.object({
  s: ruleStatusSchema,
  m: z.string(),
  e: evidenceSchema.omit({ observed: true }).extend({ o: z.string().optional() }),
});
export type StoredOutcome = z.infer<typeof storedOutcomeSchema>;
export const storedOutcomesSchema = z.array(storedOutcomeSchema);

const STATUS_CHAR: Record<RuleStatus, string> = { pass: "p", fail: "f", warn: "w", na: "n" };
const CHAR_STATUS: Record<string, RuleStatus> = { p: "pass", f: "fail", w: "warn", n: "na" };

export function ruleTextOf(f: Finding): RuleText {
  return { ruleId: f.ruleId, title: f.title, section: f.section, severity: f.severity, expected: f.expected, remediation: f.remediation, tuningActionId: f.tuningActionId };
}

export function sameRuleText(a: RuleText, b: RuleText): boolean {
  return (
    a.ruleId === b.ruleId &&
    a.title === b.title &&
    a.section === b.section &&
    a.severity === b.severity &&
    a.expected === b.expected &&
    a.remediation === b.remediation &&
    a.tuningActionId === b.tuningActionId
  );
}

/** True when `findings` carry exactly the texts of `ruleSet`, in its order. */
export function findingsMatchRuleSet(findings: readonly Finding[], ruleSet: readonly RuleText[]): boolean {
  if (findings.length !== ruleSet.length) return false;
  for (let i = 0; i < findings.length; i++) if (!sameRuleText(ruleTextOf(findings[i]!), ruleSet[i]!)) return false;
  return true;
}

export function outcomeOf(f: Finding): StoredOutcome {
  const { observed, ...rest } = f.evidence;
  return { s: f.status, m: f.message, e: observed === f.message ? rest : { ...rest, o: observed } };
}

/** One character per finding, in order ("p", "f", "w", "n"): what drift needs of the previous result. */
export function statusesOf(findings: readonly Pick<Finding, "status">[]): string {
  let s = "";
  for (const f of findings) s += STATUS_CHAR[f.status];
  return s;
}

/** The findings a rule set and the host's stored outcomes stand for; null when they do not fit together. */
export function joinFindings(ruleSet: readonly RuleText[], outcomes: readonly StoredOutcome[]): Finding[] | null {
  if (ruleSet.length !== outcomes.length) return null;
  return ruleSet.map((t, i) => {
    const o = outcomes[i]!;
    const { o: observed, ...rest } = o.e;
    const evidence: Evidence = { observed: observed ?? o.m, ...rest };
    return {
      ruleId: t.ruleId,
      title: t.title,
      section: t.section,
      severity: t.severity,
      status: o.s,
      message: o.m,
      evidence,
      expected: t.expected,
      remediation: t.remediation,
      tuningActionId: t.tuningActionId,
    };
  });
}

/** Rule id, section and status per finding, from a rule set and the stored status string; null when they do not fit. */
export function statusesFromRuleSet(ruleSet: readonly RuleText[], statuses: string): Pick<Finding, "ruleId" | "section" | "status">[] | null {
  if (ruleSet.length !== statuses.length) return null;
  const out: Pick<Finding, "ruleId" | "section" | "status">[] = [];
  for (let i = 0; i < ruleSet.length; i++) {
    const status = CHAR_STATUS[statuses[i]!];
    if (!status) return null;
    out.push({ ruleId: ruleSet[i]!.ruleId, section: ruleSet[i]!.section, status });
  }
  return out;
}
