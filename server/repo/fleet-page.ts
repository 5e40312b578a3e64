import { Prisma } from "@/server/generated/prisma/client";
import { prisma } from "@/server/db";
import type { FleetPageInput } from "@/server/contract/api/fleet";
import type { FleetHost, FleetSortKey, SortDirection } from "@/server/domain/hosts/fleet";
import { sectionStatusesFromJson, type FleetComplianceFilter } from "@/server/domain/hosts/fleet-compliance";
import { deriveHostStatus, type HostStatus } from "@/server/domain/hosts/status";
import { RULE_SECTIONS } from "@/server/domain/compliance/types";

export type FleetStatusCounts = Record<HostStatus, number> & { all: number };

export type FleetPage = {
  counts: FleetStatusCounts;
  /** hosts matching the filter, over every page */
  matching: number;
  /** the page actually returned (the last one when the asked page is past the end) */
  page: number;
  pageSize: number;
  hosts: FleetHost[];
};

/*
 * Status in SQL, the same thresholds as deriveHostStatus (server/domain/hosts/status.ts): online
 * within 3 heartbeats, stale up to max(300 s, 30 heartbeats), offline after or never seen.
 * `now` is passed as a UTC wall time (the columns are timestamp without time zone, in UTC).
 */
function onlineSql(now: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(h."lastSeenAt" IS NOT NULL AND h."lastSeenAt" >= ${now} - make_interval(secs => h."heartbeatSeconds" * 3))`;
}
function seenRecentlySql(now: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(h."lastSeenAt" IS NOT NULL AND h."lastSeenAt" >= ${now} - make_interval(secs => greatest(300, h."heartbeatSeconds" * 30)))`;
}

function statusWhere(status: HostStatus | "all", now: Prisma.Sql): Prisma.Sql {
  switch (status) {
    case "all":
      return Prisma.sql`TRUE`;
    case "online":
      return onlineSql(now);
    case "stale":
      return Prisma.sql`(${seenRecentlySql(now)} AND NOT ${onlineSql(now)})`;
    case "offline":
      return Prisma.sql`NOT ${seenRecentlySql(now)}`;
  }
}

/** Same meaning as matchesComplianceFilter (server/domain/hosts/fleet-compliance.ts), over the stored row. */
function complianceWhere(filter: FleetComplianceFilter): Prisma.Sql {
  switch (filter) {
    case "all":
      return Prisma.sql`TRUE`;
    case "unevaluated":
      return Prisma.sql`c."hostId" IS NULL`;
    case "any-fail":
      return Prisma.sql`(c."hostId" IS NOT NULL AND c.fail > 0)`;
    case "any-warn":
      return Prisma.sql`(c."hostId" IS NOT NULL AND c.warn > 0)`;
    case "compliant":
      return Prisma.sql`(c."hostId" IS NOT NULL AND c.fail = 0 AND c.warn = 0)`;
    default: {
      const section = filter.slice("fail-".length);
      if (!(RULE_SECTIONS as readonly string[]).includes(section)) return Prisma.sql`FALSE`;
      // an entry is { status, counts } or (older rows) the bare status
      return Prisma.sql`(c."hostId" IS NOT NULL AND coalesce(c.sections -> ${section} ->> 'status', c.sections ->> ${section}) = 'fail')`;
    }
  }
}

/** Every whitespace-separated term is somewhere in the searchable text (filterFleet's fields). */
function textWhere(q: string): Prisma.Sql {
  const terms = q.toLowerCase().split(/\s+/).filter((t) => t !== "");
  if (terms.length === 0) return Prisma.sql`TRUE`;
  const text = Prisma.sql`lower(concat_ws(E'\\n', h.hostname, h."cpuModel", h."cpuVendor", h."kernelRelease", h."agentVersion", array_to_string(h.labels, E'\\n'), CASE WHEN h."isVirtual" THEN 'vm virtual' END))`;
  return Prisma.join(
    terms.map((t) => Prisma.sql`strpos(${text}, ${t}) > 0`),
    " AND ",
  );
}

/** The fleet's collation (migration 20261202160000): Intl.Collator("en", { numeric: true, sensitivity: "base" }). */
const NATURAL = Prisma.raw(`COLLATE "fleet_natural"`);

/** STATUS_RANK of server/domain/hosts/fleet.ts: online 0, stale 1, offline 2. */
function statusRankSql(now: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(CASE WHEN ${onlineSql(now)} THEN 0 WHEN ${seenRecentlySql(now)} THEN 1 ELSE 2 END)`;
}

/** The sort column of sortValue (server/domain/hosts/fleet.ts); strings compare in the fleet's collation. */
function sortColumnSql(key: FleetSortKey, now: Prisma.Sql): Prisma.Sql {
  switch (key) {
    case "hostname":
      return Prisma.sql`h.hostname ${NATURAL}`;
    case "status":
      return statusRankSql(now);
    case "lastSeen":
      return Prisma.sql`h."lastSeenAt"`;
    case "cpuModel":
      return Prisma.sql`h."cpuModel" ${NATURAL}`;
    case "cpus":
      return Prisma.sql`h.cpus`;
    case "kernelRelease":
      return Prisma.sql`h."kernelRelease" ${NATURAL}`;
    case "agentVersion":
      return Prisma.sql`h."agentVersion" ${NATURAL}`;
    case "compliance":
      return Prisma.sql`c.score`;
  }
}

/**
 * sortFleet's order: the key in the asked direction with missing values last either way, then the
 * host name (ascending, same collation), then the id (uuid order is the order of its lowercase text).
 */
function orderBySql(key: FleetSortKey, dir: SortDirection, now: Prisma.Sql): Prisma.Sql {
  const direction = Prisma.raw(dir === "asc" ? "ASC" : "DESC");
  return Prisma.sql`ORDER BY ${sortColumnSql(key, now)} ${direction} NULLS LAST, h.hostname ${NATURAL} ASC, h.id ASC`;
}

type PageRow = {
  id: string;
  hostname: string;
  labels: string[];
  agentVersion: string | null;
  lastSeenAt: Date | null;
  heartbeatSeconds: number;
  cpuModel: string | null;
  cpuVendor: string | null;
  sockets: number | null;
  numaNodes: number | null;
  cpus: number | null;
  kernelRelease: string | null;
  isVirtual: boolean | null;
  evaluated: boolean;
  score: number | null;
  pass: number | null;
  fail: number | null;
  warn: number | null;
  na: number | null;
  sections: Prisma.JsonValue;
};

type CountRow = { all: number; online: number; stale: number; matching: number };

function filterSql(input: FleetPageInput, now: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`${statusWhere(input.status, now)} AND ${complianceWhere(input.compliance)} AND ${textWhere(input.q)}`;
}

/** The status counts over every host and how many match the filter: one aggregate query (exported for the bench's EXPLAIN). */
export function fleetCountsSql(input: FleetPageInput, now: Date): Prisma.Sql {
  const nowSql = Prisma.sql`${now.toISOString()}::timestamp`;
  return Prisma.sql`
    SELECT count(*)::int AS "all",
      count(*) FILTER (WHERE ${onlineSql(nowSql)})::int AS online,
      count(*) FILTER (WHERE ${seenRecentlySql(nowSql)} AND NOT ${onlineSql(nowSql)})::int AS stale,
      count(*) FILTER (WHERE ${filterSql(input, nowSql)})::int AS matching
    FROM "Host" h LEFT JOIN "ComplianceResult" c ON c."hostId" = h.id`;
}

/**
 * One page of whole rows, filtered, sorted and paged in SQL (exported for the bench's EXPLAIN). The
 * inner query sorts only the ids and sort keys of every matching host (a narrow sort that stays in
 * memory at 20,000 hosts); the page's ids are then joined back for their whole rows, in the same order.
 */
export function fleetPageRowsSql(input: FleetPageInput, now: Date, page: number): Prisma.Sql {
  const nowSql = Prisma.sql`${now.toISOString()}::timestamp`;
  const orderBy = orderBySql(input.sort, input.dir, nowSql);
  return Prisma.sql`
    SELECT h.id::text AS id, h.hostname, h.labels, h."agentVersion", h."lastSeenAt", h."heartbeatSeconds", h."cpuModel",
      h."cpuVendor", h.sockets, h."numaNodes", h.cpus, h."kernelRelease", h."isVirtual",
      (c."hostId" IS NOT NULL) AS evaluated, c.score, c.pass, c.fail, c.warn, c.na, c.sections
    FROM (
      SELECT h.id FROM "Host" h LEFT JOIN "ComplianceResult" c ON c."hostId" = h.id
      WHERE ${filterSql(input, nowSql)}
      ${orderBy}
      LIMIT ${input.pageSize} OFFSET ${(page - 1) * input.pageSize}
    ) p
    JOIN "Host" h ON h.id = p.id LEFT JOIN "ComplianceResult" c ON c."hostId" = h.id
    ${orderBy}`;
}

/**
 * One page of the fleet table at any fleet size, all in SQL: one aggregate query gives the status
 * counts and how many hosts match; the page query filters, sorts (the order of sortFleet: the
 * fleet's collation, missing values last, host name then id as tiebreak) and pages with
 * ORDER BY … LIMIT/OFFSET, and returns whole rows. Both run at once; only when the asked page is
 * past the end is the last page read again.
 */
export async function listFleetPage(input: FleetPageInput, now: Date): Promise<FleetPage> {
  const readPage = (page: number) => prisma().$queryRaw<PageRow[]>(fleetPageRowsSql(input, now, page));
  const [countRows, firstTry] = await Promise.all([prisma().$queryRaw<CountRow[]>(fleetCountsSql(input, now)), readPage(input.page)]);
  const c = countRows[0] ?? { all: 0, online: 0, stale: 0, matching: 0 };
  const counts: FleetStatusCounts = { all: c.all, online: c.online, stale: c.stale, offline: c.all - c.online - c.stale };
  const lastPage = Math.max(1, Math.ceil(c.matching / input.pageSize));
  const page = Math.min(input.page, lastPage);
  const rows = page === input.page ? firstTry : await readPage(page);

  const hosts = rows.map(
    ({ heartbeatSeconds, evaluated, score, pass, fail, warn, na, sections, ...r }): FleetHost => ({
      ...r,
      status: deriveHostStatus(r.lastSeenAt, now, heartbeatSeconds),
      compliance:
        evaluated && score !== null && pass !== null && fail !== null && warn !== null && na !== null
          ? { score, pass, fail, warn, na, sections: sectionStatusesFromJson(sections) }
          : null,
    }),
  );
  return { counts, matching: c.matching, page, pageSize: input.pageSize, hosts };
}
