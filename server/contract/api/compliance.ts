/**
 * Compliance API shapes, declared once: the routers' .input()/.output() use them and the services'
 * types are z.infer of them, so a field added here reaches the client (or fails typecheck).
 */
import { z } from "zod";
import { tuneChangeLatency } from "@/server/contract/api/tuning";
import { ruleConfigSchema } from "@/server/domain/compliance/profile";
import { findingSchema, ruleSectionSchema, sectionSummarySchema, severitySchema, statusCountsSchema } from "@/server/domain/compliance/types";

export const profileIdInput = z.string().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/, "a profile id");

export const assignTargetSchema = z.union([
  z.object({ hostId: z.string().uuid() }).strict(),
  z.object({ label: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9._:/=-]+$/, "a label such as rt-lab or site=lab1") }).strict(),
]);
export type AssignTarget = z.infer<typeof assignTargetSchema>;

export const resolutionSchema = z.object({
  profileId: z.string(),
  via: z.enum(["host", "label", "default"]),
  label: z.string().nullable(),
  reason: z.string(),
});

export const sectionsSummarySchema = z.partialRecord(ruleSectionSchema, sectionSummarySchema);

const profileKind = z.enum(["host", "guest"]);

/** What every view of a profile shows. */
const profileBaseSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  builtIn: z.boolean(),
  kind: profileKind,
  basedOnId: z.string().nullable(),
});

export const profileSummarySchema = profileBaseSchema.extend({
  enabledRules: z.number().int(),
  totalRules: z.number().int(),
  hostCount: z.number().int(),
  labels: z.array(z.string()),
  updatedAt: z.date(),
});
export type ProfileSummary = z.infer<typeof profileSummarySchema>;

export const catalogueRuleSchema = z.object({
  id: z.string(),
  title: z.string(),
  section: ruleSectionSchema,
  defaultSeverity: severitySchema,
  kinds: z.array(profileKind).readonly(),
  defaultParams: z.unknown(),
  remediation: z.string(),
  tuningActionId: z.string().nullable(),
  source: z.string(),
  expected: z.string(),
});

export const profileDetailSchema = profileBaseSchema.extend({
  rules: z.array(ruleConfigSchema),
  sloMaxUs: z.number().nullable(),
  sloP99999Us: z.number().nullable(),
  updatedAt: z.date(),
  labels: z.array(z.string()),
  hosts: z.array(z.object({ id: z.string(), hostname: z.string() })),
  catalogue: z.array(catalogueRuleSchema),
});
export type ProfileDetail = z.infer<typeof profileDetailSchema>;

export const hostComplianceSchema = z.object({
  hostId: z.string(),
  hostname: z.string(),
  resolution: resolutionSchema,
  profileName: z.string(),
  result: z
    .object({
      profileId: z.string(),
      evaluatedAt: z.date(),
      score: z.number(),
      counts: statusCountsSchema,
      summary: z.string(),
      sections: sectionsSummarySchema,
      findings: z.array(findingSchema),
    })
    .nullable(),
});
export type HostCompliance = z.infer<typeof hostComplianceSchema>;

export const fleetComplianceRowSchema = z.object({
  hostId: z.string(),
  hostname: z.string(),
  labels: z.array(z.string()),
  profileId: z.string().nullable(),
  evaluatedAt: z.date().nullable(),
  score: z.number().nullable(),
  counts: statusCountsSchema.nullable(),
  sections: sectionsSummarySchema,
});
export type FleetComplianceRow = z.infer<typeof fleetComplianceRowSchema>;

export const complianceCsvSchema = z.object({ filename: z.string(), csv: z.string(), rows: z.number().int() });

export const driftHistoryInput = z
  .object({ hostId: z.string().uuid(), limit: z.number().int().min(1).max(2000).default(500), before: z.date().optional() })
  .strict();

export const driftRowSchema = z.object({
  kind: z.string(),
  section: z.string(),
  key: z.string(),
  oldValue: z.string().nullable(),
  newValue: z.string().nullable(),
  ruleId: z.string().nullable(),
  oldStatus: z.string().nullable(),
  newStatus: z.string().nullable(),
});

export const driftHistorySchema = z.object({
  hostId: z.string(),
  entries: z.array(
    z.object({
      at: z.date(),
      text: z.string(),
      changes: z.array(z.string()),
      ruleChanges: z.array(z.object({ ruleId: z.string(), oldStatus: z.string().nullable(), newStatus: z.string().nullable(), text: z.string() })),
      rows: z.array(driftRowSchema),
      /** the tuning job whose report this change came in (finished ≤ 15 min before it), with latency before/after */
      tuning: tuneChangeLatency.nullable().default(null),
    }),
  ),
});
export type DriftHistory = z.infer<typeof driftHistorySchema>;

export const reevaluatedSchema = z.object({ reevaluated: z.number().int() });

export const FLEET_COMPLIANCE_SORTS = ["host", "profile", "score", "fail"] as const;
export const FLEET_COMPLIANCE_PAGE_SIZE = 100;

/** One page of the fleet compliance matrix: filter, search, sort and the summary run in SQL over every host. */
export const fleetCompliancePageInput = z
  .object({
    section: ruleSectionSchema.optional(),
    status: z.enum(["fail", "warn", "pass", "na"]).optional(),
    profileId: z.string().max(100).optional(),
    search: z.string().max(100).optional(),
    sort: z.enum(FLEET_COMPLIANCE_SORTS).default("host"),
    dir: z.enum(["asc", "desc"]).default("asc"),
    /** 1-based; past the last page gives the last page */
    page: z.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.number().int().min(1).max(500).default(FLEET_COMPLIANCE_PAGE_SIZE),
  })
  .strict();
export type FleetCompliancePageInput = z.infer<typeof fleetCompliancePageInput>;

export const fleetComplianceSummarySchema = z.object({
  /** hosts matching the filter */
  matching: z.number().int(),
  evaluated: z.number().int(),
  failing: z.number().int(),
  warning: z.number().int(),
  clean: z.number().int(),
  /** per rule section: matching hosts whose worst status there is fail */
  failBySection: z.partialRecord(ruleSectionSchema, z.number().int()),
});

export const fleetCompliancePageSchema = z.object({
  summary: fleetComplianceSummarySchema,
  page: z.number().int(),
  pageSize: z.number().int(),
  rows: z.array(fleetComplianceRowSchema),
});
export type FleetCompliancePage = z.infer<typeof fleetCompliancePageSchema>;
