import { z } from "zod";
import { findRule } from "@/server/domain/compliance/catalogue";
import { PROFILE_KINDS, severitySchema, type ProfileKind, type Severity } from "@/server/domain/compliance/types";

/** One rule as configured in a profile (the shape stored in Profile.rules). */
export const ruleConfigSchema = z
  .object({
    ruleId: z.string().min(1).max(100),
    enabled: z.boolean(),
    severity: severitySchema,
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type RuleConfig = z.infer<typeof ruleConfigSchema>;

export const profileKindSchema = z.enum(PROFILE_KINDS);

/** A profile as the domain sees it. */
export type ProfileModel = {
  id: string;
  name: string;
  description: string;
  builtIn: boolean;
  kind: ProfileKind;
  basedOnId: string | null;
  rules: RuleConfig[];
  sloMaxUs: number | null;
  sloP99999Us: number | null;
};

export const profileNameSchema = z
  .string()
  .trim()
  .min(3, "name must have at least 3 characters")
  .max(80, "name must have at most 80 characters")
  .regex(/^[\p{L}\p{N} ._()/+-]+$/u, "name may contain letters, digits, spaces and . _ ( ) / + -");

/** An admin's edit of a custom profile: every field optional, rules as a full list or per-rule patches. */
export const profileEditSchema = z
  .object({
    name: profileNameSchema.optional(),
    description: z.string().max(2000).optional(),
    /** per-rule changes; rules not listed keep their configuration */
    rules: z
      .array(
        z
          .object({
            ruleId: z.string().min(1).max(100),
            enabled: z.boolean().optional(),
            severity: severitySchema.optional(),
            params: z.record(z.string(), z.unknown()).optional(),
          })
          .strict(),
      )
      .max(200)
      .optional(),
    sloMaxUs: z.number().positive().max(1e7).nullable().optional(),
    sloP99999Us: z.number().positive().max(1e7).nullable().optional(),
  })
  .strict();
export type ProfileEdit = z.infer<typeof profileEditSchema>;

export type ValidationResult = { ok: true; rules: RuleConfig[] } | { ok: false; errors: string[] };

/**
 * Domain validation of a profile's rules: every id is a known rule, appears once, and its params pass the
 * rule's own schema (e.g. a cpu list that is not a cpu list). Params are normalised (defaults filled in).
 */
export function validateRuleConfigs(rules: readonly RuleConfig[]): ValidationResult {
  const errors: string[] = [];
  const seen = new Set<string>();
  const out: RuleConfig[] = [];
  for (const r of rules) {
    const rule = findRule(r.ruleId);
    if (!rule) {
      errors.push(`unknown rule id "${r.ruleId}"`);
      continue;
    }
    if (seen.has(r.ruleId)) {
      errors.push(`rule "${r.ruleId}" listed twice`);
      continue;
    }
    seen.add(r.ruleId);
    const parsed = rule.parseParams(r.params);
    if (!parsed.ok) {
      errors.push(`rule "${r.ruleId}": invalid params: ${parsed.error}`);
      continue;
    }
    out.push({ ruleId: r.ruleId, enabled: r.enabled, severity: r.severity, params: parsed.params as Record<string, unknown> });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rules: out };
}

/** Apply an edit's rule patches to a profile's rules, then validate the whole list. */
export function applyRuleEdits(current: readonly RuleConfig[], edits: NonNullable<ProfileEdit["rules"]>): ValidationResult {
  const errors: string[] = [];
  const byId = new Map(current.map((r) => [r.ruleId, r]));
  const order = current.map((r) => r.ruleId);
  const touched = new Set<string>();
  for (const e of edits) {
    if (touched.has(e.ruleId)) {
      errors.push(`rule "${e.ruleId}" edited twice in one change`);
      continue;
    }
    touched.add(e.ruleId);
    const rule = findRule(e.ruleId);
    if (!rule) {
      errors.push(`unknown rule id "${e.ruleId}"`);
      continue;
    }
    const before = byId.get(e.ruleId);
    const base: RuleConfig = before ?? { ruleId: e.ruleId, enabled: true, severity: rule.defaultSeverity as Severity, params: rule.defaultParams as Record<string, unknown> };
    if (!before) order.push(e.ruleId);
    byId.set(e.ruleId, {
      ruleId: e.ruleId,
      enabled: e.enabled ?? base.enabled,
      severity: e.severity ?? base.severity,
      // A params patch replaces the params object; omitted keys fall back to the rule's defaults.
      params: e.params ?? base.params,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return validateRuleConfigs(order.map((id) => byId.get(id)).filter((r): r is RuleConfig => r !== undefined));
}

/** Parse stored Profile.rules JSON; entries that no longer validate are dropped (and reported). */
export function parseStoredRules(json: unknown): { rules: RuleConfig[]; dropped: string[] } {
  const arr = z.array(z.unknown()).safeParse(json);
  if (!arr.success) return { rules: [], dropped: ["rules is not a list"] };
  const rules: RuleConfig[] = [];
  const dropped: string[] = [];
  for (const item of arr.data) {
    const r = ruleConfigSchema.safeParse(item);
    if (!r.success || !findRule(r.data.ruleId)) {
      dropped.push(r.success ? r.data.ruleId : "malformed entry");
      continue;
    }
    rules.push(r.data);
  }
  return { rules, dropped };
}
