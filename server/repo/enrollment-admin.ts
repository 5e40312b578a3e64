import { prisma } from "@/server/db";
import { hashToken, newToken } from "@/server/repo/host-auth";
import { recordAudit, type AuditActor } from "@/server/repo/audit";

/**
 * Admin side of enrolment: a one-time token (only its hash is stored; the token is returned once)
 * created together with its audit event.
 */
export async function createEnrollmentTokenAudited(opts: { actor: AuditActor; createdById: string; note: string; ttlHours: number }) {
  const token = newToken("nfve");
  return prisma().$transaction(async (tx) => {
    const row = await tx.enrollmentToken.create({
      data: {
        tokenHash: hashToken(token),
        note: opts.note,
        createdById: opts.createdById,
        expiresAt: new Date(Date.now() + opts.ttlHours * 3600_000),
      },
      select: { id: true, expiresAt: true, note: true },
    });
    await recordAudit(opts.actor, "enrollment.createToken", "enrollmentToken", row.id, { note: opts.note, ttlHours: opts.ttlHours }, tx);
    return { ...row, token };
  });
}
