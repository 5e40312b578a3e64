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
 * atomically (a second use, even concurrent, fails).
 */
export async function enrollHost(opts: { enrollmentToken: string; hostname: string; agentVersion: string; labels?: string[] }) {
  const hostToken = newToken("nfvh");
  const now = new Date();
  return prisma().$transaction(async (tx) => {
    const claimed = await tx.enrollmentToken.updateMany({
      where: { tokenHash: hashToken(opts.enrollmentToken), usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) throw new DomainError("UNAUTHORIZED", "enrolment token is unknown, used or expired");
    const host = await tx.host.create({
      data: {
        hostname: opts.hostname,
        agentVersion: opts.agentVersion,
        tokenHash: hashToken(hostToken),
        labels: opts.labels ?? [],
      },
      select: { id: true },
    });
    await tx.enrollmentToken.updateMany({ where: { tokenHash: hashToken(opts.enrollmentToken) }, data: { hostId: host.id } });
    await tx.auditEvent.create({
      data: { actor: `agent:${host.id}`, action: "host.enroll", targetType: "host", targetId: host.id, details: { hostname: opts.hostname } },
    });
    return { hostId: host.id, hostToken };
  });
}
