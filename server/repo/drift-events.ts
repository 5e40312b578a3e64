/** Drift events (what changed on a host, and how its compliance changed with it) and section history reads. */
import { prisma } from "@/server/db";
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

export async function insertDriftEvents(rows: readonly Prisma.DriftEventCreateManyInput[]): Promise<void> {
  if (rows.length > 0) await prisma().driftEvent.createMany({ data: [...rows] });
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
