/** Drift events (what changed on a host, and how its compliance changed with it) and section history reads. */
import { pgPool, prisma } from "@/server/db";
import { driftInsertSql, queryRetryingDeadlock, type DriftRow } from "@/server/repo/compliance-results";
import { Prisma } from "@/server/generated/prisma/client";
import type { SectionName } from "@/server/contract/report";

/** The section's current and previous stored versions, newest first (at most two). */
export async function lastTwoSectionVersions(hostId: string, section: SectionName): Promise<{ data: Prisma.JsonValue; changedAt: Date }[]> {
  return prisma().hostSectionHistory.findMany({
    where: { hostId, section },
    orderBy: [{ changedAt: "desc" }, { id: "desc" }],
    take: 2,
    select: { data: true, changedAt: true },
  });
}

/**
 * lastTwoSectionVersions for many (host, section) pairs in one query: "hostId\u0000section" → newest first.
 * Same order as the single read (changedAt, then id, both descending).
 */
export async function lastTwoSectionVersionsMany(pairs: readonly { hostId: string; section: SectionName }[]): Promise<Map<string, { data: Prisma.JsonValue; changedAt: Date }[]>> {
  const out = new Map<string, { data: Prisma.JsonValue; changedAt: Date }[]>();
  if (pairs.length === 0) return out;
  // plain pg, not the ORM: this runs once per batch of full reports on the ingest path
  const { rows } = await pgPool().query<{ hostId: string; section: string; data: Prisma.JsonValue; changedAt: Date }>({
    name: "last-two-section-versions",
    text: `SELECT q.h::text AS "hostId", q.s AS section, v.data, v."changedAt" AT TIME ZONE 'UTC' AS "changedAt"
    FROM unnest($1::uuid[], $2::text[]) AS q(h, s)
    CROSS JOIN LATERAL (
      SELECT x.data, x."changedAt", x.id FROM "HostSectionHistory" x
      WHERE x."hostId" = q.h AND x.section = q.s ORDER BY x."changedAt" DESC, x.id DESC LIMIT 2
    ) v
    ORDER BY q.h, q.s, v."changedAt" DESC, v.id DESC`,
    values: [pairs.map((p) => p.hostId), pairs.map((p) => p.section)],
  });
  for (const r of rows) {
    const key = `${r.hostId}\u0000${r.section}`;
    const list = out.get(key);
    if (list) list.push({ data: r.data, changedAt: r.changedAt });
    else out.set(key, [{ data: r.data, changedAt: r.changedAt }]);
  }
  return out;
}

/** One multi-row insert on the plain pg pool (the ingest path's snapshot drift). */
export async function insertDriftEvents(rows: readonly DriftRow[]): Promise<void> {
  if (rows.length === 0) return;
  const drift = driftInsertSql(rows, 1);
  await queryRetryingDeadlock("insert-drift-events", drift.sql, drift.values);
}

const DRIFT_SELECT = { at: true, kind: true, section: true, key: true, oldValue: true, newValue: true, ruleId: true, oldStatus: true, newStatus: true } as const;

/** A host's drift rows, newest first. */
export async function listDriftEvents(hostId: string, opts: { limit: number; before?: Date }) {
  return prisma().driftEvent.findMany({
    where: { hostId, ...(opts.before ? { at: { lt: opts.before } } : {}) },
    orderBy: [{ at: "desc" }, { id: "asc" }],
    take: opts.limit,
    select: DRIFT_SELECT,
  });
}

/** A host's drift rows inside [from, to), oldest first (markers on a latency trend). */
export async function driftEventsBetween(hostId: string, from: Date, to: Date, limit: number) {
  return prisma().driftEvent.findMany({
    where: { hostId, at: { gte: from, lt: to } },
    orderBy: { at: "asc" },
    take: limit,
    select: DRIFT_SELECT,
  });
}
