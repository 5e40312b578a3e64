import { prisma } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";

/** Who did it: "user:<id>", "agent:<hostId>" or "system". */
export type AuditActor = `user:${string}` | `agent:${string}` | "system";

export function userActor(user: { id: string }): AuditActor {
  return `user:${user.id}`;
}

type AuditDb = Pick<Prisma.TransactionClient, "auditEvent">;

/**
 * Appends one audit event. Pass `db` (a transaction client) to make the event part of the change
 * it describes, so a change is never stored without its audit row.
 */
export async function recordAudit(
  actor: AuditActor,
  action: string,
  targetType: string,
  targetId: string,
  details: Record<string, unknown> = {},
  db: AuditDb = prisma(),
): Promise<void> {
  await db.auditEvent.create({
    data: { actor, action, targetType, targetId, details: details as Prisma.InputJsonObject },
  });
}

export async function listAuditEvents(opts: { targetType?: string; targetId?: string; limit: number }) {
  const rows = await prisma().auditEvent.findMany({
    where: { targetType: opts.targetType, targetId: opts.targetId },
    orderBy: { id: "desc" },
    take: opts.limit,
  });
  return rows.map((r) => ({ ...r, id: r.id.toString() }));
}
