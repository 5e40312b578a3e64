/** Stored compliance results (one per host) and what evaluation reads: queries only. */
import { createHash } from "node:crypto";
import { z } from "zod";
import { pgPool, prisma } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";
import { DomainError } from "@/server/errors";
import { SECTION_NAMES, type SectionName } from "@/server/contract/report";
import type { FleetFilter } from "@/server/domain/compliance/fleet-filter";
import type { StoredSection } from "@/server/domain/compliance/snapshot";
import {
  findingsMatchRuleSet,
  joinFindings,
  outcomeOf,
  ruleSetSchema,
  ruleTextOf,
  statusesFromRuleSet,
  statusesOf,
  storedOutcomesSchema,
  type RuleText,
} from "@/server/domain/compliance/stored-findings";
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

// ── rule sets ───────────────────────────────────────────────────────────────────────────────────

/** Rule sets by hash, as read or written by this process: content-addressed, so a cached one never goes stale. */
const ruleSetCache = new Map<string, RuleText[]>();
/** Hashes this process saw stored (a result may reference them without sending the texts again). */
const storedRuleSets = new Set<string>();
const RULE_SET_CACHE_MAX = 256;

function cacheRuleSet(hash: string, rules: RuleText[]) {
  if (ruleSetCache.size >= RULE_SET_CACHE_MAX) ruleSetCache.clear();
  ruleSetCache.set(hash, rules);
}

/** The rule sets with these hashes (from the cache, else one query); a hash that is not stored is absent. */
export async function ruleSetsByHash(hashes: Iterable<string>): Promise<Map<string, RuleText[]>> {
  const out = new Map<string, RuleText[]>();
  const missing: string[] = [];
  for (const h of new Set(hashes)) {
    const cached = ruleSetCache.get(h);
    if (cached) out.set(h, cached);
    else missing.push(h);
  }
  if (missing.length === 0) return out;
  const { rows } = await pgPool().query<{ hash: string; rules: unknown }>({
    name: "compliance-rule-sets",
    text: `select hash, rules from "ComplianceRuleSet" where hash = any($1::text[])`,
    values: [missing],
  });
  for (const r of rows) {
    const parsed = ruleSetSchema.safeParse(r.rules);
    if (!parsed.success) continue;
    cacheRuleSet(r.hash, parsed.data);
    storedRuleSets.add(r.hash);
    out.set(r.hash, parsed.data);
  }
  return out;
}

/** The stored findings of a result row in either form: full (ruleSetHash null) or the host's outcomes over a rule set. */
function findingsOfRow(row: { ruleSetHash: string | null; findings: unknown }, ruleSets: ReadonlyMap<string, RuleText[]>): Finding[] {
  if (row.ruleSetHash === null) return parseFindings(row.findings);
  const ruleSet = ruleSets.get(row.ruleSetHash);
  const outcomes = storedOutcomesSchema.safeParse(row.findings);
  if (!ruleSet || !outcomes.success) return [];
  return joinFindings(ruleSet, outcomes.data) ?? [];
}

export type StoredResult = Omit<Evaluation, "score"> & { score: number; evaluatedAt: Date; inputHash: string };

type ResultRow = Prisma.ComplianceResultGetPayload<Record<string, never>>;

function toResult(r: ResultRow, ruleSets: ReadonlyMap<string, RuleText[]>): StoredResult {
  return {
    profileId: r.profileId,
    evaluatedAt: r.evaluatedAt,
    score: r.score,
    counts: { pass: r.pass, fail: r.fail, warn: r.warn, na: r.na },
    sections: parseSections(r.sections),
    findings: findingsOfRow(r, ruleSets),
    inputHash: r.inputHash,
  };
}

/**
 * What evaluation needs of a host's stored result: never its findings, only each rule's status (for the
 * drift of the next evaluation) and the hash of what it stores (an evaluation that finds the same keeps them).
 */
export type PreviousResult = Omit<Evaluation, "score" | "findings"> & {
  score: number;
  evaluatedAt: Date;
  inputHash: string;
  statuses: Pick<Finding, "ruleId" | "section" | "status">[];
  /** null: stored in the full form (before 20261203122000), rewritten by the next evaluation */
  findingsHash: string | null;
};

export type HostForEvaluation = {
  id: string;
  hostname: string;
  profileId: string | null;
  labels: string[];
  isVirtual: boolean | null;
  sections: Partial<Record<SectionName, StoredSection & { hash: string }>>;
  result: PreviousResult | null;
};

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
  ruleSetHash: string | null;
  statuses: string | null;
  findingsHash: string | null;
  /** only for a result in the full form (ruleSetHash null) */
  legacyFindings: unknown;
  inputHash: string | null;
};

/**
 * Everything evaluation reads per host, for many hosts in ONE plain-pg query (no ORM: its query compiler cost
 * more CPU per batch than the statement): host columns, stored sections, the stored result without its
 * findings (their statuses come from the status string and the rule set, from this process's cache) and
 * the host's VNF placements (oldest first). A section listed in `known` with its stored hash comes back without data and
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
      c.sections as "rSections", c."ruleSetHash", c.statuses, c."findingsHash", c."inputHash",
      case when c."ruleSetHash" is null then c.findings end as "legacyFindings"
    from "Host" h left join "ComplianceResult" c on c."hostId" = h.id
    where h.id = any($1::uuid[])`,
    values: [[...new Set(hostIds)], kh, ks, khash],
  });
  const ruleSets = await ruleSetsByHash(rows.flatMap((r) => (r.ruleSetHash !== null && r.statuses !== null ? [r.ruleSetHash] : [])));
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
    let statuses: PreviousResult["statuses"] = [];
    if (r.ruleSetHash === null) statuses = parseFindings(r.legacyFindings);
    else {
      const ruleSet = ruleSets.get(r.ruleSetHash);
      statuses = (ruleSet && r.statuses !== null ? statusesFromRuleSet(ruleSet, r.statuses) : null) ?? [];
    }
    const result: PreviousResult | null =
      r.rProfileId !== null && r.rEvaluatedAt !== null && r.inputHash !== null
        ? {
            profileId: r.rProfileId,
            evaluatedAt: r.rEvaluatedAt,
            score: r.score ?? 0,
            counts: { pass: r.pass ?? 0, fail: r.fail ?? 0, warn: r.warn ?? 0, na: r.na ?? 0 },
            sections: parseSections(r.rSections),
            statuses,
            findingsHash: r.ruleSetHash === null ? null : r.findingsHash,
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
  const c = host.compliance;
  const ruleSets = c?.ruleSetHash ? await ruleSetsByHash([c.ruleSetHash]) : new Map<string, RuleText[]>();
  return { hostname: host.hostname, profileId: host.profileId, labels: host.labels, isVirtual: host.isVirtual, result: c ? toResult(c, ruleSets) : null };
}

export type DriftRow = Prisma.DriftEventCreateManyInput;

/**
 * A host's new result. `previousFindingsHash`: the stored result's (PreviousResult.findingsHash); when the new
 * findings hash the same, only the row's evaluation stamp and input hash are written.
 */
export type ResultToSave = { hostId: string; evaluation: Evaluation; at: Date; inputHash: string; drift: readonly DriftRow[]; previousFindingsHash?: string | null };

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

/** Rule sets this process wrote lately: a batch's results mostly share one, recognised without hashing it again. */
const recentRuleSets: { hash: string; rules: RuleText[]; json: string }[] = [];

function ruleSetOf(findings: readonly Finding[]): { hash: string; rules: RuleText[]; json: string } {
  for (const rs of recentRuleSets) if (findingsMatchRuleSet(findings, rs.rules)) return rs;
  const rules = findings.map(ruleTextOf);
  const json = JSON.stringify(rules);
  const rs = { hash: createHash("sha256").update(json).digest("hex"), rules, json };
  recentRuleSets.unshift(rs);
  if (recentRuleSets.length > 8) recentRuleSets.pop();
  return rs;
}

const isRuleSetMissing = (err: unknown) =>
  typeof err === "object" && err !== null && (err as { code?: unknown }).code === "23503" && (err as { constraint?: unknown }).constraint === "ComplianceResult_ruleSetHash_fkey";

/**
 * Stores many hosts' new results, the drift they caused and `otherDrift` in ONE statement (atomic together) on
 * the plain pg pool: the cost is per batch, not per host. Findings are stored compactly (stored-findings.ts):
 * the rule texts once per rule set (sent only while this process has not seen it stored), per host its
 * outcomes, the status string and a hash of both; a result whose findings hash what the row already holds
 * rewrites only its evaluation stamp, input hash and profile (the findings, score and counts are the same).
 */
export async function saveResults(results: readonly ResultToSave[], otherDrift: readonly DriftRow[] = []): Promise<void> {
  if (results.length === 0 && otherDrift.length === 0) return;
  const ruleSets = new Map<string, { rules: RuleText[]; json: string }>();
  // one json parameter per kind of row (findings are kilobytes each: a jsonb[] array literal cost an escaping
  // pass over every byte here and an array parse in the server)
  const full: string[] = [];
  const same: string[] = [];
  for (const r of results) {
    const ev = r.evaluation;
    const rs = ruleSetOf(ev.findings);
    ruleSets.set(rs.hash, rs);
    const outcomes = JSON.stringify(ev.findings.map(outcomeOf));
    const fh = createHash("sha256").update(rs.hash).update("\n").update(outcomes).digest("hex");
    const head = JSON.stringify({ h: r.hostId, p: ev.profileId, e: r.at.toISOString(), ih: r.inputHash, fh });
    if (r.previousFindingsHash === fh) {
      same.push(head);
      continue;
    }
    const rest = JSON.stringify({ score: ev.score, pass: ev.counts.pass, fail: ev.counts.fail, warn: ev.counts.warn, na: ev.counts.na, rs: rs.hash, st: statusesOf(ev.findings) });
    full.push(`${head.slice(0, -1)},${rest.slice(1, -1)},"sections":${JSON.stringify(ev.sections)},"findings":${outcomes}}`);
  }
  const drift = driftInsertSql([...results.flatMap((r) => r.drift), ...otherDrift], 4);
  const write = (sendAll: boolean) => {
    const texts = [...ruleSets].filter(([hash]) => sendAll || !storedRuleSets.has(hash)).map(([hash, rs]) => `{"hash":${JSON.stringify(hash)},"rules":${rs.json}}`);
    // evaluatedAt is timestamp(3) holding UTC, as Prisma writes it: convert from the instant explicitly. The
    // rule set is inserted in the same statement as the results that reference it (the foreign key is checked
    // at the statement's end).
    return queryRetryingDeadlock(
      "save-compliance-results",
      `with rs as (
        INSERT INTO "ComplianceRuleSet" (hash, rules) SELECT x.hash, x.rules FROM json_to_recordset($1::json) AS x(hash text, rules jsonb)
        ON CONFLICT (hash) DO NOTHING
        returning 1
      ), r as (
        INSERT INTO "ComplianceResult" ("hostId", "profileId", "evaluatedAt", score, pass, fail, warn, na, sections, findings, "inputHash", "ruleSetHash", statuses, "findingsHash")
        SELECT t.h, t.p, t.e AT TIME ZONE 'UTC', t.score, t.pass, t.fail, t.warn, t.na, t.sections, t.findings, t.ih, t.rs, t.st, t.fh
        FROM json_to_recordset($2::json) AS t(h uuid, p text, e timestamptz, score float8, pass int, fail int, warn int, na int, sections jsonb, findings jsonb, ih text, rs text, st text, fh text)
        ON CONFLICT ("hostId") DO UPDATE SET "profileId" = excluded."profileId", "evaluatedAt" = excluded."evaluatedAt",
          score = excluded.score, pass = excluded.pass, fail = excluded.fail, warn = excluded.warn, na = excluded.na,
          sections = excluded.sections, findings = excluded.findings, "inputHash" = excluded."inputHash",
          "ruleSetHash" = excluded."ruleSetHash", statuses = excluded.statuses, "findingsHash" = excluded."findingsHash"
        returning 1
      ), s as (
        UPDATE "ComplianceResult" c SET "profileId" = t.p, "evaluatedAt" = t.e AT TIME ZONE 'UTC', "inputHash" = t.ih
        FROM json_to_recordset($3::json) AS t(h uuid, p text, e timestamptz, ih text, fh text)
        WHERE c."hostId" = t.h AND c."findingsHash" = t.fh
        returning 1
      ), d as (${drift.sql} returning 1)
      select (select count(*) from rs) as "ruleSets", (select count(*) from r) as results, (select count(*) from s) as "sameFindings", (select count(*) from d) as drift`,
      [`[${texts.join(",")}]`, `[${full.join(",")}]`, `[${same.join(",")}]`, ...drift.values],
    );
  };
  try {
    await write(false);
  } catch (err) {
    // a rule set this process saw stored is gone (a database restored or replaced under it): send them all
    if (!isRuleSetMissing(err)) throw err;
    storedRuleSets.clear();
    await write(true);
  }
  for (const [hash, rs] of ruleSets) {
    storedRuleSets.add(hash);
    cacheRuleSet(hash, rs.rules);
  }
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

/** Hosts with their result's summary (never the findings), for the fleet matrix. */
export async function listFleetResults(filter: FleetFilter) {
  const rows = await prisma().host.findMany({
    where: complianceHostWhere(filter),
    select: { id: true, hostname: true, labels: true, compliance: { select: { profileId: true, evaluatedAt: true, score: true, pass: true, fail: true, warn: true, na: true, sections: true } } },
    orderBy: [{ hostname: "asc" }, { id: "asc" }],
  });
  return rows.map((h) => {
    const c = h.compliance;
    return {
      hostId: h.id,
      hostname: h.hostname,
      labels: h.labels,
      result: c ? { profileId: c.profileId, evaluatedAt: c.evaluatedAt, score: c.score, counts: { pass: c.pass, fail: c.fail, warn: c.warn, na: c.na }, sections: parseSections(c.sections) } : null,
    };
  });
}
