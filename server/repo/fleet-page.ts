import { Prisma } from "@/server/generated/prisma/client";
import { prisma } from "@/server/db";
import type { FleetPageInput } from "@/server/contract/api/fleet";
import { sortFleet, type FleetHost, type FleetSortFields } from "@/server/domain/hosts/fleet";
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

type LeanRow = {
  id: string;
  hostname: string;
  lastSeenAt: Date | null;
  heartbeatSeconds: number;
  cpuModel: string | null;
  cpus: number | null;
  kernelRelease: string | null;
  agentVersion: string | null;
  score: number | null;
};

/**
 * One page of the fleet table at any fleet size: the status counts and the filter run in SQL; the
 * matching hosts come back as lean rows (the sort columns only) and are sorted with the fleet's own
 * comparator (numeric-aware host names, missing values last), and only the page's rows are read whole.
 */
export async function listFleetPage(input: FleetPageInput, now: Date): Promise<FleetPage> {
  const nowSql = Prisma.sql`${now.toISOString()}::timestamp`;
  const [countRows, lean] = await Promise.all([
    prisma().$queryRaw<{ all: number; online: number; stale: number }[]>`
      SELECT count(*)::int AS "all",
        count(*) FILTER (WHERE ${onlineSql(nowSql)})::int AS online,
        count(*) FILTER (WHERE ${seenRecentlySql(nowSql)} AND NOT ${onlineSql(nowSql)})::int AS stale
      FROM "Host" h`,
    prisma().$queryRaw<LeanRow[]>`
      SELECT h.id::text AS id, h.hostname, h."lastSeenAt", h."heartbeatSeconds", h."cpuModel", h.cpus, h."kernelRelease", h."agentVersion", c.score
      FROM "Host" h LEFT JOIN "ComplianceResult" c ON c."hostId" = h.id
      WHERE ${statusWhere(input.status, nowSql)} AND ${complianceWhere(input.compliance)} AND ${textWhere(input.q)}`,
  ]);
  const c = countRows[0] ?? { all: 0, online: 0, stale: 0 };
  const counts: FleetStatusCounts = { all: c.all, online: c.online, stale: c.stale, offline: c.all - c.online - c.stale };

  const sortable: FleetSortFields[] = lean.map((r) => ({
    id: r.id,
    hostname: r.hostname,
    status: deriveHostStatus(r.lastSeenAt, now, r.heartbeatSeconds),
    lastSeenAt: r.lastSeenAt,
    cpuModel: r.cpuModel,
    cpus: r.cpus,
    kernelRelease: r.kernelRelease,
    agentVersion: r.agentVersion,
    compliance: r.score === null ? null : { score: r.score },
  }));
  const sorted = sortFleet(sortable, input.sort, input.dir);
  const lastPage = Math.max(1, Math.ceil(sorted.length / input.pageSize));
  const page = Math.min(input.page, lastPage);
  const ids = sorted.slice((page - 1) * input.pageSize, page * input.pageSize).map((r) => r.id);

  const rows = ids.length === 0 ? [] : await prisma().host.findMany({
    where: { id: { in: ids } },
    select: {
      id: true,
      hostname: true,
      labels: true,
      agentVersion: true,
      lastSeenAt: true,
      heartbeatSeconds: true,
      cpuModel: true,
      cpuVendor: true,
      sockets: true,
      numaNodes: true,
      cpus: true,
      kernelRelease: true,
      isVirtual: true,
      compliance: { select: { score: true, pass: true, fail: true, warn: true, na: true, sections: true } },
    },
  });
  const byId = new Map(
    rows.map(({ heartbeatSeconds, compliance, ...r }) => [
      r.id,
      {
        ...r,
        status: deriveHostStatus(r.lastSeenAt, now, heartbeatSeconds),
        compliance: compliance ? { ...compliance, sections: sectionStatusesFromJson(compliance.sections) } : null,
      } satisfies FleetHost,
    ]),
  );
  // a host deleted between the two reads is left out, never an error
  const hosts = ids.flatMap((id) => {
    const h = byId.get(id);
    return h ? [h] : [];
  });
  return { counts, matching: sorted.length, page, pageSize: input.pageSize, hosts };
}
