import { randomUUID } from "node:crypto";
import { pgPool, prisma } from "@/server/db";
import { hashToken, newToken, rememberToken } from "@/server/repo/host-auth";
import { DomainError } from "@/server/errors";
import { rememberNoStoredSections } from "@/server/repo/reports";

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
  const hostTokenHash = hashToken(hostToken);
  // plain pg, not the ORM: a fleet enrolling at once (a lab-wide reinstall) pays its query compiler per host
  const { rows } = await pgPool().query<{ id: string }>({
    name: "enroll-host",
    text: `with claimed as (
      update "EnrollmentToken" set "usedAt" = $1::timestamptz at time zone 'UTC', "hostId" = $2::uuid
      where "tokenHash" = $3 and "usedAt" is null and "expiresAt" > $1::timestamptz at time zone 'UTC'
      returning id
    ), host as (
      insert into "Host" (id, hostname, "agentVersion", "tokenHash", labels)
      select $2::uuid, $4, $5, $6, $7::text[] from claimed
      returning id
    ), audit as (
      insert into "AuditEvent" (actor, action, "targetType", "targetId", details)
      select $8, 'host.enroll', 'host', $9, jsonb_build_object('hostname', $4::text) from host
      returning 1
    )
    select id::text as id from host, (select count(*) from audit) as a`,
    values: [now, hostId, hashToken(opts.enrollmentToken), opts.hostname, opts.agentVersion, hostTokenHash, opts.labels ?? [], `agent:${hostId}`, hostId],
  });
  if (rows.length !== 1) throw new DomainError("UNAUTHORIZED", "enrolment token is unknown, used or expired");
  // the host's first report follows at once: its token is known here, no lookup needed
  rememberToken(hostTokenHash, hostId);
  rememberNoStoredSections(hostId);
  return { hostId, hostToken };
}
