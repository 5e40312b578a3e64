/** Who uses which profile: host assignments, label assignments and the inputs of profile resolution. */
import { pgPool, prisma } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";
import { DomainError } from "@/server/errors";
import type { Db } from "@/server/repo/profiles";

export async function setHostProfile(hostId: string, profileId: string | null, db: Db = prisma()): Promise<void> {
  const host = await db.host.findUnique({ where: { id: hostId }, select: { id: true } });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  await db.host.update({ where: { id: hostId }, data: { profileId } });
}

export async function setLabelProfile(label: string, profileId: string | null, db: Db = prisma()): Promise<void> {
  if (profileId === null) await db.profileLabelAssignment.deleteMany({ where: { label } });
  else await db.profileLabelAssignment.upsert({ where: { label }, create: { label, profileId }, update: { profileId } });
}

export async function hostIdsWithLabel(label: string): Promise<string[]> {
  return (await prisma().host.findMany({ where: { labels: { has: label } }, select: { id: true } })).map((h) => h.id);
}

/** label → profile id, for the given labels (all labels when omitted). */
export async function labelAssignments(labels?: readonly string[], db: Db = prisma()): Promise<Map<string, string>> {
  if (labels && labels.length === 0) return new Map();
  const rows = await db.profileLabelAssignment.findMany({ where: labels ? { label: { in: [...labels] } } : {}, select: { label: true, profileId: true } });
  return new Map(rows.map((l) => [l.label, l.profileId]));
}

/** labelAssignments for the given labels on the plain pg pool (an evaluation batch on the ingest path). */
export async function labelAssignmentsOf(labels: readonly string[]): Promise<Map<string, string>> {
  if (labels.length === 0) return new Map();
  const { rows } = await pgPool().query<{ label: string; profileId: string }>(
    `select label, "profileId" from "ProfileLabelAssignment" where label = any($1::text[])`,
    [[...labels]],
  );
  return new Map(rows.map((l) => [l.label, l.profileId]));
}

/** Hosts whose resolved profile is (or may be) `profileId`: explicit, by label, or by their stored result. */
export async function hostsUsingProfile(profileId: string): Promise<string[]> {
  const db = prisma();
  const labels = (await db.profileLabelAssignment.findMany({ where: { profileId }, select: { label: true } })).map((l) => l.label);
  const rows = await db.host.findMany({
    where: { OR: [{ profileId }, ...(labels.length > 0 ? [{ labels: { hasSome: labels } }] : []), { compliance: { profileId } }] },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

export type HostProfileInput = { id: string; hostname: string; profileId: string | null; labels: string[]; isVirtual: boolean | null };

/**
 * What profile resolution needs per host, ordered by hostname, in one raw query (for 1,000 hosts the
 * ORM's row mapping cost more than the histogram merge). `hostIds` null = every host.
 */
export async function hostProfileInputs(hostIds: readonly string[] | null): Promise<HostProfileInput[]> {
  const hostSql = hostIds === null ? Prisma.empty : Prisma.sql`WHERE h."id" IN (${Prisma.join(hostIds.length > 0 ? hostIds.map((id) => Prisma.sql`${id}::uuid`) : [Prisma.sql`NULL`])})`;
  return prisma().$queryRaw<HostProfileInput[]>`
    SELECT h."id"::text AS "id", h."hostname", h."profileId", h."labels", h."isVirtual"
    FROM "Host" h
    ${hostSql}
    ORDER BY h."hostname", h."id"`;
}
