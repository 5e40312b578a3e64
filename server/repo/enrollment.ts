import { randomUUID } from "node:crypto";
import { prisma } from "@/server/db";
import { hashToken, newToken } from "@/server/repo/host-auth";
import { DomainError } from "@/server/errors";

export async function createEnrollmentToken(opts: { createdById: string | null; note: string; ttlHours: number }) {
  const token = newToken("nfve");
  const row = await prisma().enrollmentToken.create({
    data: {
      tokenHash: hashToken(token),
      note: opts.note,
      createdById: opts.createdById,
      expiresAt: new Date(Date.now() + opts.ttlHours * 3600_000),
    },
    select: { id: true, expiresAt: true, note: true },
  });
  return { ...row, token };
}

export async function listEnrollmentTokens() {
  return prisma().enrollmentToken.findMany({
    orderBy: { createdAt: "desc" },
    take: 200,
    select: { id: true, note: true, createdAt: true, expiresAt: true, usedAt: true, hostId: true },
  });
}

/**
 * Trades a one-time enrolment token for a new host and its bearer token. The token is consumed
 * atomically (a second use, even concurrent, fails): one statement claims it, creates the host, links
 * the token to it and audits the enrolment (no interactive transaction: a fleet enrolling at once
 * costs one round trip each).
 */
export async function enrollHost(opts: { enrollmentToken: string; hostname: string; agentVersion: string; labels?: string[] }) {
  const hostToken = newToken("nfvh");
  const hostId = randomUUID();
  const now = new Date().toISOString();
  const rows = await prisma().$queryRaw<{ id: string }[]>`
    with claimed as (
      update "EnrollmentToken" set "usedAt" = ${now}::timestamptz at time zone 'UTC', "hostId" = ${hostId}::uuid
      where "tokenHash" = ${hashToken(opts.enrollmentToken)} and "usedAt" is null and "expiresAt" > ${now}::timestamptz at time zone 'UTC'
      returning id
    ), host as (
      insert into "Host" (id, hostname, "agentVersion", "tokenHash", labels)
      select ${hostId}::uuid, ${opts.hostname}, ${opts.agentVersion}, ${hashToken(hostToken)}, ${opts.labels ?? []}::text[] from claimed
      returning id
    ), audit as (
      insert into "AuditEvent" (actor, action, "targetType", "targetId", details)
      select ${`agent:${hostId}`}, 'host.enroll', 'host', ${hostId}, jsonb_build_object('hostname', ${opts.hostname}::text) from host
      returning 1
    )
    select id::text as id from host, (select count(*) from audit) as a`;
  if (rows.length !== 1) throw new DomainError("UNAUTHORIZED", "enrolment token is unknown, used or expired");
  return { hostId, hostToken };
}
