import { z } from "zod";
import type { HostSnapshot } from "@/server/domain/compliance/snapshot";
import type { Evidence, ProfileKind, RuleOutcome, RuleSection, Severity } from "@/server/domain/compliance/types";

/**
 * A compliance rule: metadata plus a pure check of a host snapshot. Parameters are validated by the rule's
 * own zod schema, so a profile can only carry parameters the rule understands.
 */
export type RuleSpec<P> = {
  id: string;
  title: string;
  section: RuleSection;
  defaultSeverity: Severity;
  /** which profile kinds the rule makes sense for */
  kinds: readonly ProfileKind[];
  params: z.ZodType<P>;
  defaultParams: P;
  /** the expected value in words, with the parameters filled in */
  expected: (params: P) => string;
  remediation: string;
  /** id of the tuning action that fixes it (see the tuning issue), when one exists */
  tuningActionId: string | null;
  /** where the requirement comes from (KVM4NFV guide line, slides, DESIGN.md) — shown in docs and the UI */
  source: string;
  check: (snapshot: HostSnapshot, params: P) => RuleOutcome;
};

/** A rule with its parameter type erased: what catalogues and profiles hold. */
export type Rule = Omit<RuleSpec<unknown>, "params" | "defaultParams" | "expected" | "check"> & {
  defaultParams: unknown;
  parseParams: (raw: unknown) => { ok: true; params: unknown } | { ok: false; error: string };
  expected: (params: unknown) => string;
  check: (snapshot: HostSnapshot, params: unknown) => RuleOutcome;
};

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join(".")}: ${i.message}` : i.message))
    .join("; ");
}

export function defineRule<P>(spec: RuleSpec<P>): Rule {
  const parse = (raw: unknown): { ok: true; params: P } | { ok: false; error: string } => {
    const r = spec.params.safeParse(raw ?? {});
    return r.success ? { ok: true, params: r.data } : { ok: false, error: describeIssues(r.error) };
  };
  // Params are parsed on every use so a stored profile with stale params degrades to defaults, never throws.
  const resolved = (raw: unknown): P => {
    const r = parse(raw);
    return r.ok ? r.params : spec.defaultParams;
  };
  return {
    id: spec.id,
    title: spec.title,
    section: spec.section,
    defaultSeverity: spec.defaultSeverity,
    kinds: spec.kinds,
    remediation: spec.remediation,
    tuningActionId: spec.tuningActionId,
    source: spec.source,
    defaultParams: spec.defaultParams,
    parseParams: parse,
    expected: (raw) => spec.expected(resolved(raw)),
    check: (snapshot, raw) => spec.check(snapshot, resolved(raw)),
  };
}

/** Rules without parameters. */
export const noParams = z.object({}).strict();

// ── outcome helpers ─────────────────────────────────────────────────────────────────────────────

export function pass(message: string, evidence: Evidence): RuleOutcome {
  return { status: "pass", message, evidence };
}
export function fail(message: string, evidence: Evidence): RuleOutcome {
  return { status: "fail", message, evidence };
}
export function warn(message: string, evidence: Evidence): RuleOutcome {
  return { status: "warn", message, evidence };
}
/** Not applicable: the reason is the message and the observed value. */
export function na(reason: string, expected: string, source: string): RuleOutcome {
  return { status: "na", message: reason, evidence: { observed: reason, expected, source } };
}
