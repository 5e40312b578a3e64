/**
 * The fleet compliance matrix at fleet scale: filter, search, summary counts and sort run in SQL; only one
 * page of rows is read whole. The CSV export reads the same filter in keyset batches.
 */
import { Prisma } from "@/server/generated/prisma/client";
import { prisma } from "@/server/db";
import type { FleetCompliancePageInput } from "@/server/contract/api/compliance";
import type { FleetComplianceRow } from "@/server/domain/compliance/csv";
import type { FleetFilter } from "@/server/domain/compliance/fleet-filter";
import { RULE_SECTIONS, type RuleSection } from "@/server/domain/compliance/types";
import { parseSections } from "@/server/repo/compliance-results";

/** Same meaning as complianceHostWhere (server/repo/compliance-results.ts), in SQL over h (Host) and c (its result). */
function filterWhere(f: FleetFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (f.section) parts.push(Prisma.sql`c."hostId" IS NOT NULL AND c.sections -> ${f.section} ->> 'status' = ${f.status ?? "fail"}`);
  else if (f.status === "fail") parts.push(Prisma.sql`c.fail > 0`);
  else if (f.status === "warn") parts.push(Prisma.sql`c.warn > 0`);
  else if (f.status === "pass") parts.push(Prisma.sql`c.fail = 0 AND c.warn = 0`);
  if (f.profileId) parts.push(Prisma.sql`c."profileId" = ${f.profileId}`);
  if (f.search) parts.push(Prisma.sql`strpos(lower(h.hostname), ${f.search.toLowerCase()}) > 0`);
  return parts.length === 0 ? Prisma.sql`TRUE` : Prisma.join(parts.map((p) => Prisma.sql`(${p})`), " AND ");
}

function orderBy(sort: FleetCompliancePageInput["sort"], dir: "asc" | "desc"): Prisma.Sql {
  const d = dir === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  switch (sort) {
    case "host":
      return Prisma.sql`h.hostname ${d}, h.id ${d}`;
    case "profile":
      return Prisma.sql`c."profileId" ${d} NULLS LAST, h.hostname, h.id`;
    case "score":
      return Prisma.sql`c.score ${d} NULLS LAST, h.hostname, h.id`;
    case "fail":
      return Prisma.sql`c.fail ${d} NULLS LAST, c.warn ${d}, h.hostname, h.id`;
  }
}

type RowSql = {
  hostId: string;
  hostname: string;
  labels: string[];
  profileId: string | null;
  evaluatedAt: Date | null;
  score: number | null;
  pass: number | null;
  fail: number | null;
  warn: number | null;
  na: number | null;
  sections: unknown;
};

function toRow(r: RowSql): FleetComplianceRow {
  const evaluated = r.evaluatedAt !== null;
  return {
    hostId: r.hostId,
    hostname: r.hostname,
    labels: r.labels,
    profileId: r.profileId,
    evaluatedAt: r.evaluatedAt,
    score: r.score,
    counts: evaluated ? { pass: r.pass ?? 0, fail: r.fail ?? 0, warn: r.warn ?? 0, na: r.na ?? 0 } : null,
    sections: evaluated ? parseSections(r.sections) : {},
  };
}

const rowColumns = Prisma.sql`h.id::text AS "hostId", h.hostname, h.labels, c."profileId", c."evaluatedAt", c.score, c.pass, c.fail, c.warn, c.na, c.sections`;

export type FleetComplianceSummary = {
  matching: number;
  evaluated: number;
  failing: number;
  warning: number;
  clean: number;
  failBySection: Partial<Record<RuleSection, number>>;
};

/** The summary query (exported for the bench's EXPLAIN ANALYZE). */
export function complianceSummarySql(input: FleetFilter): Prisma.Sql {
  const sectionCounts = Prisma.join(
    RULE_SECTIONS.map((s) => Prisma.sql`count(*) FILTER (WHERE c.sections -> ${s} ->> 'status' = 'fail')::int`),
    ", ",
  );
  return Prisma.sql`
    SELECT count(*)::int AS matching,
      count(c."hostId")::int AS evaluated,
      count(*) FILTER (WHERE c.fail > 0)::int AS failing,
      count(*) FILTER (WHERE c.fail = 0 AND c.warn > 0)::int AS warning,
      ARRAY[${sectionCounts}] AS by
    FROM "Host" h LEFT JOIN "ComplianceResult" c ON c."hostId" = h.id
    WHERE ${filterWhere(input)}`;
}

/** One page of rows (exported for the bench's EXPLAIN ANALYZE). */
export function compliancePageSql(input: FleetCompliancePageInput, page: number): Prisma.Sql {
  return Prisma.sql`
    SELECT ${rowColumns}
    FROM "Host" h LEFT JOIN "ComplianceResult" c ON c."hostId" = h.id
    WHERE ${filterWhere(input)}
    ORDER BY ${orderBy(input.sort, input.dir)}
    LIMIT ${input.pageSize} OFFSET ${(page - 1) * input.pageSize}`;
}

export async function listFleetCompliancePage(input: FleetCompliancePageInput): Promise<{ summary: FleetComplianceSummary; page: number; pageSize: number; rows: FleetComplianceRow[] }> {
  const [sum] = await prisma().$queryRaw<{ matching: number; evaluated: number; failing: number; warning: number; by: number[] }[]>(complianceSummarySql(input));
  const s = sum ?? { matching: 0, evaluated: 0, failing: 0, warning: 0, by: [] };
  const lastPage = Math.max(1, Math.ceil(s.matching / input.pageSize));
  const page = Math.min(input.page, lastPage);
  const rows = await prisma().$queryRaw<RowSql[]>(compliancePageSql(input, page));
  const failBySection: Partial<Record<RuleSection, number>> = {};
  RULE_SECTIONS.forEach((sec, i) => (failBySection[sec] = s.by[i] ?? 0));
  return {
    summary: { matching: s.matching, evaluated: s.evaluated, failing: s.failing, warning: s.warning, clean: s.evaluated - s.failing - s.warning, failBySection },
    page,
    pageSize: input.pageSize,
    rows: rows.map(toRow),
  };
}

/** Every host matching the filter, by hostname, in keyset batches (the CSV export never holds the fleet at once in one query). */
export async function* fleetComplianceBatches(filter: FleetFilter, batchSize = 1000): AsyncGenerator<FleetComplianceRow[]> {
  let after: { hostname: string; id: string } | null = null;
  for (;;) {
    const cursor: Prisma.Sql = after ? Prisma.sql`AND (h.hostname, h.id) > (${after.hostname}, ${after.id}::uuid)` : Prisma.empty;
    const rows: RowSql[] = await prisma().$queryRaw<RowSql[]>`
      SELECT ${rowColumns}
      FROM "Host" h LEFT JOIN "ComplianceResult" c ON c."hostId" = h.id
      WHERE ${filterWhere(filter)} ${cursor}
      ORDER BY h.hostname, h.id
      LIMIT ${batchSize}`;
    if (rows.length === 0) return;
    yield rows.map(toRow);
    const last: RowSql = rows[rows.length - 1]!;
    after = { hostname: last.hostname, id: last.hostId };
    if (rows.length < batchSize) return;
  }
}
