import { z } from "zod";

/** What a rule concluded on one host. "na" = not applicable / no data: never counted as a failure. */
export const RULE_STATUSES = ["pass", "fail", "warn", "na"] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];
export const ruleStatusSchema = z.enum(RULE_STATUSES);

export const SEVERITIES = ["critical", "major", "minor", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severitySchema = z.enum(SEVERITIES);

/** Rule sections, in display order. */
export const RULE_SECTIONS = ["bios", "kvm", "kernel-cmdline", "runtime", "isolation", "numa", "hugepages"] as const;
export type RuleSection = (typeof RULE_SECTIONS)[number];
export const ruleSectionSchema = z.enum(RULE_SECTIONS);

export const RULE_SECTION_TITLES: Record<RuleSection, string> = {
  bios: "BIOS / firmware",
  kvm: "KVM module",
  "kernel-cmdline": "Kernel command line",
  runtime: "Runtime",
  isolation: "CPU isolation",
  numa: "NUMA",
  hugepages: "Hugepages",
};

export const PROFILE_KINDS = ["host", "guest"] as const;
export type ProfileKind = (typeof PROFILE_KINDS)[number];

/** What was observed, what was expected, and where it was read. */
export const evidenceSchema = z.object({
  observed: z.string(),
  expected: z.string(),
  /** e.g. "/proc/cmdline", "/sys/devices/system/cpu/smt/active" */
  source: z.string(),
  /** true when a BIOS setting was not reported and its observed effect was judged instead */
  inferred: z.boolean().optional(),
  /** itemised detail, e.g. the offending IRQs "IRQ 35 eth0-TxRx-0 → 3" */
  items: z.array(z.string()).optional(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

/** The outcome of one rule's check (before the profile's severity is applied). */
export type RuleOutcome = {
  status: RuleStatus;
  message: string;
  evidence: Evidence;
};

/** One rule's result in an evaluation, as stored in ComplianceResult.findings. */
export const findingSchema = z.object({
  ruleId: z.string(),
  title: z.string(),
  section: ruleSectionSchema,
  severity: severitySchema,
  status: ruleStatusSchema,
  message: z.string(),
  evidence: evidenceSchema,
  expected: z.string(),
  remediation: z.string(),
  tuningActionId: z.string().nullable(),
});
export type Finding = z.infer<typeof findingSchema>;

export const statusCountsSchema = z.object({
  pass: z.number().int(),
  fail: z.number().int(),
  warn: z.number().int(),
  na: z.number().int(),
});
export type StatusCounts = z.infer<typeof statusCountsSchema>;

export const sectionSummarySchema = z.object({
  /** worst status among the section's applicable rules; "na" when none applied */
  status: ruleStatusSchema,
  counts: statusCountsSchema,
});
export type SectionSummary = z.infer<typeof sectionSummarySchema>;

export const evaluationSchema = z.object({
  profileId: z.string(),
  /** 0–100, severity-weighted over applicable rules; 100 when no rule applied (all n/a) */
  score: z.number(),
  counts: statusCountsSchema,
  sections: z.partialRecord(ruleSectionSchema, sectionSummarySchema),
  findings: z.array(findingSchema),
});
export type Evaluation = z.infer<typeof evaluationSchema>;
