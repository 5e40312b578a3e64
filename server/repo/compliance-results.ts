/** Stored compliance results (one per host) and what evaluation reads: queries only. */
import { z } from "zod";
import { prisma } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";
import { DomainError } from "@/server/errors";
import { SECTION_NAMES, type SectionName } from "@/server/contract/report";
import type { FleetFilter } from "@/server/domain/compliance/fleet-filter";
import type { StoredSection } from "@/server/domain/compliance/snapshot";
import { findingSchema, ruleSectionSchema, sectionSummarySchema, type Evaluation, type Finding, type RuleSection, type SectionSummary } from "@/server/domain/compliance/types";

const storedFindings = z.array(findingSchema);
const storedSections = z.partialRecord(ruleSectionSchema, sectionSummarySchema);

function parseFindings(json: unknown): Finding[] {
  const r = storedFindings.safeParse(json);
  return r.success ? r.data : [];
}
export function parseSections(json: unknown): Partial<Record<RuleSection, SectionSummary>> {
  const r = storedSections.safeParse(json);
  return r.success ? r.data : {};
}

export type StoredResult = Omit<Evaluation, "score"> & { score: number; evaluatedAt: Date; inputHash: string };

type ResultRow = Prisma.ComplianceResultGetPayload<Record<string, never>>;

function toResult(r: ResultRow): StoredResult {
  return {
    profileId: r.profileId,
    evaluatedAt: r.evaluatedAt,
    score: r.score,
    counts: { pass: r.pass, fail: r.fail, warn: r.warn, na: r.na },
    sections: parseSections(r.sections),
    findings: parseFindings(r.findings),
    inputHash: r.inputHash,
  };
}

export type HostForEvaluation = {
  id: string;
  hostname: string;
  profileId: string | null;
  labels: string[];
  isVirtual: boolean | null;
  sections: Partial<Record<SectionName, StoredSection & { hash: string }>>;
  result: StoredResult | null;
};

const EVALUATION_SELECT = {
  id: true,
  hostname: true,
  profileId: true,
  labels: true,
  isVirtual: true,
  sections: { select: { section: true, hash: true, ok: true, available: true, data: true, error: true } },
  compliance: true,
} as const;

type EvaluationRow = Prisma.HostGetPayload<{ select: typeof EVALUATION_SELECT }>;

function toHostForEvaluation(host: EvaluationRow): HostForEvaluation {
  const sections: HostForEvaluation["sections"] = {};
  for (const s of host.sections) if ((SECTION_NAMES as readonly string[]).includes(s.section)) sections[s.section as SectionName] = s;
  return { id: host.id, hostname: host.hostname, profileId: host.profileId, labels: host.labels, isVirtual: host.isVirtual, sections, result: host.compliance ? toResult(host.compliance) : null };
}

/** The host's stored sections (with data) and its stored result. */
export async function findHostForEvaluation(hostId: string): Promise<HostForEvaluation> {
  const host = await prisma().host.findUnique({ where: { id: hostId }, select: EVALUATION_SELECT });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  return toHostForEvaluation(host);
}

/** The same for many hosts in one query; a host that does not exist (any more) is absent from the map. */
export async function findHostsForEvaluation(hostIds: readonly string[]): Promise<Map<string, HostForEvaluation>> {
  if (hostIds.length === 0) return new Map();
  const rows = await prisma().host.findMany({ where: { id: { in: [...hostIds] } }, select: EVALUATION_SELECT });
  return new Map(rows.map((r) => [r.id, toHostForEvaluation(r)]));
}

/** What a read of one host's compliance needs: no section data, only the topology's VM flag. */
export async function findHostComplianceRow(hostId: string): Promise<{ hostname: string; profileId: string | null; labels: string[]; isVirtual: boolean | null; result: StoredResult | null }> {
  const host = await prisma().host.findUnique({ where: { id: hostId }, select: { hostname: true, profileId: true, labels: true, isVirtual: true, compliance: true } });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  return { hostname: host.hostname, profileId: host.profileId, labels: host.labels, isVirtual: host.isVirtual, result: host.compliance ? toResult(host.compliance) : null };
}

export type DriftRow = Prisma.DriftEventCreateManyInput;

export type ResultToSave = { hostId: string; evaluation: Evaluation; at: Date; inputHash: string; drift: readonly DriftRow[] };

/** Stores the host's new result and the drift it caused, in one transaction. */
export async function saveResult(hostId: string, ev: Evaluation, at: Date, inputHash: string, drift: readonly DriftRow[]): Promise<void> {
  await saveResults([{ hostId, evaluation: ev, at, inputHash, drift }]);
}

/**
 * Stores many hosts' new results and the drift they caused in one transaction of two statements (an upsert
 * over unnest'ed arrays and one multi-row drift insert): the cost is per batch, not per host.
 */
export async function saveResults(results: readonly ResultToSave[]): Promise<void> {
  if (results.length === 0) return;
  const col = <T>(f: (r: ResultToSave) => T) => results.map(f);
  // evaluatedAt is timestamp(3) holding UTC, as Prisma writes it: convert from the instant explicitly
  const upsert = Prisma.sql`
    INSERT INTO "ComplianceResult" ("hostId", "profileId", "evaluatedAt", score, pass, fail, warn, na, sections, findings, "inputHash")
    SELECT t.h, t.p, t.e AT TIME ZONE 'UTC', t.score, t.pass, t.fail, t.warn, t.na, t.sections, t.findings, t.ih
    FROM unnest(${col((r) => r.hostId)}::uuid[], ${col((r) => r.evaluation.profileId)}::text[],
      ${col((r) => r.at.toISOString())}::timestamptz[], ${col((r) => r.evaluation.score)}::float8[],
      ${col((r) => r.evaluation.counts.pass)}::int[], ${col((r) => r.evaluation.counts.fail)}::int[],
      ${col((r) => r.evaluation.counts.warn)}::int[], ${col((r) => r.evaluation.counts.na)}::int[],
      ${col((r) => JSON.stringify(r.evaluation.sections))}::jsonb[], ${col((r) => JSON.stringify(r.evaluation.findings))}::jsonb[],
      ${col((r) => r.inputHash)}::text[]) AS t(h, p, e, score, pass, fail, warn, na, sections, findings, ih)
    ON CONFLICT ("hostId") DO UPDATE SET "profileId" = excluded."profileId", "evaluatedAt" = excluded."evaluatedAt",
      score = excluded.score, pass = excluded.pass, fail = excluded.fail, warn = excluded.warn, na = excluded.na,
      sections = excluded.sections, findings = excluded.findings, "inputHash" = excluded."inputHash"`;
  const drift = results.flatMap((r) => r.drift);
  await prisma().$transaction([
    prisma().$executeRaw(upsert),
    ...(drift.length > 0 ? [prisma().driftEvent.createMany({ data: drift })] : []),
  ]);
}

/**
 * A Prisma `where` for hosts by compliance, for the fleet list (server/repo/hosts.ts may spread it into its
 * own query): e.g. { section: "kernel-cmdline", status: "fail" } = "failing kernel rules".
 */
export function complianceHostWhere(filter: FleetFilter): Prisma.HostWhereInput {
  const where: Prisma.HostWhereInput = {};
  const result: Prisma.ComplianceResultWhereInput = {};
  if (filter.section) result.sections = { path: [filter.section, "status"], equals: filter.status ?? "fail" };
  else if (filter.status === "fail") result.fail = { gt: 0 };
  else if (filter.status === "warn") result.warn = { gt: 0 };
  else if (filter.status === "pass") {
    result.fail = 0;
    result.warn = 0;
  }
  if (filter.profileId) result.profileId = filter.profileId;
  if (Object.keys(result).length > 0) where.compliance = result;
  if (filter.search) where.hostname = { contains: filter.search, mode: "insensitive" };
  return where;
}

export async function hostIdsWithoutResult(limit: number): Promise<string[]> {
  const rows = await prisma().host.findMany({ where: { compliance: null, sections: { some: {} } }, select: { id: true }, take: limit });
  return rows.map((r) => r.id);
}

export async function listFleetResults(filter: FleetFilter) {
  const rows = await prisma().host.findMany({
    where: complianceHostWhere(filter),
    select: { id: true, hostname: true, labels: true, compliance: true },
    orderBy: [{ hostname: "asc" }, { id: "asc" }],
  });
  return rows.map((h) => ({ hostId: h.id, hostname: h.hostname, labels: h.labels, result: h.compliance ? toResult(h.compliance) : null }));
}
