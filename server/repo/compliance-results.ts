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

/** The host's stored sections (with data) and its stored result. */
export async function findHostForEvaluation(hostId: string): Promise<HostForEvaluation> {
  const host = await prisma().host.findUnique({
    where: { id: hostId },
    select: {
      id: true,
      hostname: true,
      profileId: true,
      labels: true,
      isVirtual: true,
      sections: { select: { section: true, hash: true, ok: true, available: true, data: true, error: true } },
      compliance: true,
    },
  });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  const sections: HostForEvaluation["sections"] = {};
  for (const s of host.sections) if ((SECTION_NAMES as readonly string[]).includes(s.section)) sections[s.section as SectionName] = s;
  return { id: host.id, hostname: host.hostname, profileId: host.profileId, labels: host.labels, isVirtual: host.isVirtual, sections, result: host.compliance ? toResult(host.compliance) : null };
}

/** What a read of one host's compliance needs: no section data, only the topology's VM flag. */
export async function findHostComplianceRow(hostId: string): Promise<{ hostname: string; profileId: string | null; labels: string[]; isVirtual: boolean | null; result: StoredResult | null }> {
  const host = await prisma().host.findUnique({ where: { id: hostId }, select: { hostname: true, profileId: true, labels: true, isVirtual: true, compliance: true } });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  return { hostname: host.hostname, profileId: host.profileId, labels: host.labels, isVirtual: host.isVirtual, result: host.compliance ? toResult(host.compliance) : null };
}

export type DriftRow = Prisma.DriftEventCreateManyInput;

/** Stores the host's new result and the drift it caused, in one transaction. */
export async function saveResult(hostId: string, ev: Evaluation, at: Date, inputHash: string, drift: readonly DriftRow[]): Promise<void> {
  const row = {
    profileId: ev.profileId,
    evaluatedAt: at,
    score: ev.score,
    pass: ev.counts.pass,
    fail: ev.counts.fail,
    warn: ev.counts.warn,
    na: ev.counts.na,
    sections: ev.sections as Prisma.InputJsonValue,
    findings: ev.findings as unknown as Prisma.InputJsonValue,
    inputHash,
  };
  await prisma().$transaction(async (tx) => {
    await tx.complianceResult.upsert({ where: { hostId }, create: { hostId, ...row }, update: row });
    if (drift.length > 0) await tx.driftEvent.createMany({ data: [...drift] });
  });
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
