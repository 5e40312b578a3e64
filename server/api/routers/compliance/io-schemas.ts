import { z } from "zod";
import { ruleSectionSchema, sectionSummarySchema, severitySchema } from "@/server/domain/compliance/types";

/** Output schemas shared by the compliance procedures. */
export const resolutionSchema = z.object({
  profileId: z.string(),
  via: z.enum(["host", "label", "default"]),
  label: z.string().nullable(),
  reason: z.string(),
});

export const sectionsSummarySchema = z.partialRecord(ruleSectionSchema, sectionSummarySchema);

export const profileSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  builtIn: z.boolean(),
  kind: z.enum(["host", "guest"]),
  basedOnId: z.string().nullable(),
  enabledRules: z.number().int(),
  totalRules: z.number().int(),
  hostCount: z.number().int(),
  labels: z.array(z.string()),
  updatedAt: z.date(),
});

export const catalogueRuleSchema = z.object({
  id: z.string(),
  title: z.string(),
  section: ruleSectionSchema,
  defaultSeverity: severitySchema,
  kinds: z.array(z.enum(["host", "guest"])).readonly(),
  defaultParams: z.unknown(),
  remediation: z.string(),
  tuningActionId: z.string().nullable(),
  source: z.string(),
  expected: z.string(),
});

export const profileIdInput = z.string().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/, "a profile id");
