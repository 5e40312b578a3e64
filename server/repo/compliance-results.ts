/** Stored compliance results (one per host) and what evaluation reads: queries only. */
import { z } from "zod";
import { pgPool, prisma } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";
import { DomainError } from "@/server/errors";
import { SECTION_NAMES, type SectionName } from "@/server/contract/report";
import type { FleetFilter } from "@/server/domain/compliance/fleet-filter";
import type { StoredSection } from "@/server/domain/compliance/snapshot";
import type { HostPlacementRow } from "@/server/repo/cpu-assignments";
import { isDeadlock } from "@/server/repo/db-errors";
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

/**
 * A section the caller already holds, validated (the report that just stored it): when the stored row still
 * has this hash, its data is not read back (the caller's copy is used, see snapshotFromSections).
 */
export type KnownSection = { hash: string; data: unknown };

export type HostForBatchEvaluation = HostForEvaluation & { placements: HostPlacementRow[] };

type BatchEvaluationRow = {
  id: string;
  hostname: string;
  profileId: string | null;
  labels: string[];
  isVirtual: boolean | null;
  sections: { section: string; hash: string; ok: boolean; available: boolean; error: string | null; data: unknown; known: boolean }[];
  placements: { name: string; vnfPageSize: string; numaNode: number; pageSize: string | null; pages: number; emulatorCpus: number[]; cpuAssignments: { cpu: number; role: string }[] }[];
  rProfileId: string | null;
  rEvaluatedAt: Date | null;
  score: number | null;
  pass: number | null;
  fail: number | null;
  warn: number | null;
  na: number | null;
  rSections: unknown;
  findings: unknown;
  inputHash: string | null;
};

/**
 * Everything evaluation reads per host, for many hosts in ONE plain-pg query (no ORM: its query compiler cost
 * more CPU per batch than the statement): host columns, stored sections, the stored result and the host's VNF
 * placements (oldest first). A section listed in `known` with its stored hash comes back without data and
 * `validated`, carrying the caller's copy. A host that does not exist (any more) is absent from the map.
 */
export async function findHostsForEvaluation(
  hostIds: readonly string[],
  known?: ReadonlyMap<string, Partial<Record<SectionName, KnownSection>>>,
): Promise<Map<string, HostForBatchEvaluation>> {
  if (hostIds.length === 0) return new Map();
  const kh: string[] = [];
  const ks: string[] = [];
  const khash: string[] = [];
  for (const [hostId, sections] of known ?? []) {
    for (const name of SECTION_NAMES) {
      const k = sections[name];
      if (!k) continue;
      kh.push(hostId);
      ks.push(name);
      khash.push(k.hash);
    }
  }
  const { rows } = await pgPool().query<BatchEvaluationRow>({
    name: "evaluation-inputs",
    text: `with k as (select * from unnest($2::uuid[], $3::text[], $4::text[]) as k(h, s, hash))
    select h.id::text as id, h.hostname, h."profileId", h.labels, h."isVirtual",
      coalesce((select json_agg(json_build_object('section', s.section, 'hash', s.hash, 'ok', s.ok, 'available', s.available,
          'error', s.error, 'data', case when k.h is null then s.data end, 'known', k.h is not null))
        from "HostSection" s left join k on k.h = s."hostId" and k.s = s.section and k.hash = s.hash
        where s."hostId" = h.id), '[]') as sections,
      coalesce((select json_agg(json_build_object('name', v.name, 'vnfPageSize', v."pageSize", 'numaNode', p."numaNode", 'pageSize', p."pageSize",
          'pages', p.pages, 'emulatorCpus', p."emulatorCpus",
          'cpuAssignments', (select coalesce(json_agg(json_build_object('cpu', a.cpu, 'role', a.role) order by a.cpu), '[]') from "CpuAssignment" a where a."placementId" = p.id))
          order by p."placedAt", p.id)
        from "VnfPlacement" p join "Vnf" v on v.id = p."vnfId" where p."hostId" = h.id), '[]') as placements,
      c."profileId" as "rProfileId", c."evaluatedAt" at time zone 'UTC' as "rEvaluatedAt", c.score, c.pass, c.fail, c.warn, c.na,
      c.sections as "rSections", c.findings, c."inputHash"
    from "Host" h left join "ComplianceResult" c on c."hostId" = h.id
    where h.id = any($1::uuid[])`,
    values: [[...new Set(hostIds)], kh, ks, khash],
  });
  const out = new Map<string, HostForBatchEvaluation>();
  for (const r of rows) {
    const sections: HostForEvaluation["sections"] = {};
    const mine = known?.get(r.id);
    for (const s of r.sections) {
      if (!(SECTION_NAMES as readonly string[]).includes(s.section)) continue;
      const name = s.section as SectionName;
      const k = s.known ? mine?.[name] : undefined;
      sections[name] = k
        ? { hash: s.hash, ok: s.ok, available: s.available, error: s.error, data: k.data, validated: true }
        : { hash: s.hash, ok: s.ok, available: s.available, error: s.error, data: s.data };
    }
    const result: StoredResult | null =
      r.rProfileId !== null && r.rEvaluatedAt !== null && r.inputHash !== null
        ? {
            profileId: r.rProfileId,
            evaluatedAt: r.rEvaluatedAt,
            score: r.score ?? 0,
            counts: { pass: r.pass ?? 0, fail: r.fail ?? 0, warn: r.warn ?? 0, na: r.na ?? 0 },
            sections: parseSections(r.rSections),
            findings: parseFindings(r.findings),
            inputHash: r.inputHash,
          }
        : null;
    const placements: HostPlacementRow[] = r.placements.map((p) => ({
      vnf: { name: p.name, pageSize: p.vnfPageSize },
      numaNode: p.numaNode,
      pageSize: p.pageSize,
      pages: p.pages,
      emulatorCpus: p.emulatorCpus,
      cpuAssignments: p.cpuAssignments,
    }));
    out.set(r.id, { id: r.id, hostname: r.hostname, profileId: r.profileId, labels: r.labels, isVirtual: r.isVirtual, sections, result, placements });
  }
  return out;
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

/** Drift rows as unnest() parameters ($first … $first+9), for an insert into "DriftEvent" (at: timestamp(3) holding UTC). */
export function driftInsertSql(rows: readonly DriftRow[], first: number): { sql: string; values: unknown[] } {
  const col = <T>(f: (r: DriftRow) => T) => rows.map(f);
  const p = (i: number) => `$${first + i}`;
  return {
    sql: `insert into "DriftEvent" ("hostId", at, kind, section, key, "oldValue", "newValue", "ruleId", "oldStatus", "newStatus")
      select d.h, d.at at time zone 'UTC', d.kind, d.section, d.key, d.ov, d.nv, d.rule, d.os, d.ns
      from unnest(${p(0)}::uuid[], ${p(1)}::timestamptz[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::text[], ${p(6)}::text[],
        ${p(7)}::text[], ${p(8)}::text[], ${p(9)}::text[]) as d(h, at, kind, section, key, ov, nv, rule, os, ns)`,
    values: [
      col((r) => r.hostId),
      col((r) => new Date(r.at).toISOString()),
      col((r) => r.kind),
      col((r) => r.section),
      col((r) => r.key),
      col((r) => r.oldValue ?? null),
      col((r) => r.newValue ?? null),
      col((r) => r.ruleId ?? null),
      col((r) => r.oldStatus ?? null),
      col((r) => r.newStatus ?? null),
    ],
  };
}

/**
 * Runs one statement on the plain pg pool as a named statement (`name`: one per distinct text; planned once
 * per pooled connection), again when PostgreSQL picked it as a deadlock's victim (up to 4
 * tries): housekeeping's partition DDL on "DriftEvent" can cross a write at start-up. The statement is
 * atomic, so a victim wrote nothing.
 */
export async function queryRetryingDeadlock<R extends object>(name: string, sql: string, values: unknown[]): Promise<R[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await pgPool().query<R>({ name, text: sql, values })).rows;
    } catch (err) {
      if (attempt >= 4 || !isDeadlock(err)) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt * Math.random()));
    }
  }
}

/**
 * Stores many hosts' new results and the drift they caused in ONE statement (an upsert over unnest'ed arrays
 * and a drift insert, atomic together) on the plain pg pool: the cost is per batch, not per host.
 */
export async function saveResults(results: readonly ResultToSave[]): Promise<void> {
  if (results.length === 0) return;
  // one json parameter for the rows (findings are kilobytes each: a jsonb[] array literal cost an escaping
  // pass over every byte here and an array parse in the server)
  const rows = results.map((r) => {
    const head = JSON.stringify({
      h: r.hostId, p: r.evaluation.profileId, e: r.at.toISOString(), score: r.evaluation.score,
      pass: r.evaluation.counts.pass, fail: r.evaluation.counts.fail, warn: r.evaluation.counts.warn, na: r.evaluation.counts.na, ih: r.inputHash,
    });
    return `${head.slice(0, -1)},"sections":${JSON.stringify(r.evaluation.sections)},"findings":${JSON.stringify(r.evaluation.findings)}}`;
  });
  const drift = driftInsertSql(results.flatMap((r) => r.drift), 2);
  // evaluatedAt is timestamp(3) holding UTC, as Prisma writes it: convert from the instant explicitly
  await queryRetryingDeadlock(
    "save-compliance-results",
    `with r as (
      INSERT INTO "ComplianceResult" ("hostId", "profileId", "evaluatedAt", score, pass, fail, warn, na, sections, findings, "inputHash")
      SELECT t.h, t.p, t.e AT TIME ZONE 'UTC', t.score, t.pass, t.fail, t.warn, t.na, t.sections, t.findings, t.ih
      FROM json_to_recordset($1::json) AS t(h uuid, p text, e timestamptz, score float8, pass int, fail int, warn int, na int, sections jsonb, findings jsonb, ih text)
      ON CONFLICT ("hostId") DO UPDATE SET "profileId" = excluded."profileId", "evaluatedAt" = excluded."evaluatedAt",
        score = excluded.score, pass = excluded.pass, fail = excluded.fail, warn = excluded.warn, na = excluded.na,
        sections = excluded.sections, findings = excluded.findings, "inputHash" = excluded."inputHash"
      returning 1
    ), d as (${drift.sql} returning 1)
    select (select count(*) from r) as results, (select count(*) from d) as drift`,
    [`[${rows.join(",")}]`, ...drift.values],
  );
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
