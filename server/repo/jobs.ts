import { prisma } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";
import type { JobJson, JobKind, JobState, ListJobsFilter } from "@/server/contract/job";
import type { AuditActor } from "@/server/repo/audit";

/** The PostgreSQL channel the agent API listens on; the payload is the host id whose queue changed. */
export const JOB_CHANNEL = "nfvdeck_jobs";

const summarySelect = {
  id: true,
  kind: true,
  state: true,
  hostId: true,
  target: true,
  attempts: true,
  cancelRequested: true,
  reason: true,
  createdAt: true,
  claimedAt: true,
  startedAt: true,
  finishedAt: true,
  updatedAt: true,
  host: { select: { hostname: true } },
  requestedBy: { select: { id: true, email: true, name: true } },
} satisfies Prisma.JobSelect;

type SummaryRow = Prisma.JobGetPayload<{ select: typeof summarySelect }>;

function toSummary(r: SummaryRow) {
  const { host, requestedBy, ...rest } = r;
  return { ...rest, hostName: host.hostname, requestedBy };
}

function asJson(v: Prisma.JsonValue | null): JobJson | null {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as JobJson) : null;
}

type Tx = Prisma.TransactionClient;

async function notifyHost(tx: Tx, hostId: string): Promise<void> {
  // pg_notify returns void, which the adapter cannot decode: wrap it so the statement returns a count.
  await tx.$executeRaw`SELECT 1 FROM (SELECT pg_notify(${JOB_CHANNEL}, ${hostId})) AS n`;
}

async function audit(tx: Tx, actor: AuditActor, action: string, jobId: string, details: Record<string, unknown>) {
  await tx.auditEvent.create({ data: { actor, action, targetType: "job", targetId: jobId, details: details as Prisma.InputJsonObject } });
}

/**
 * Inserts a pending job, its audit row and a NOTIFY to the agent API in one transaction (the NOTIFY
 * is delivered on commit). The same requester with the same idempotency key gets the existing job.
 */
export async function insertJob(data: {
  kind: JobKind;
  hostId: string;
  params: JobJson;
  target: string | null;
  requestedById: string;
  idempotencyKey: string;
  now: Date;
  auditDetails: Record<string, unknown>;
}): Promise<{ id: string; state: JobState; created: boolean }> {
  const existing = await findByIdempotencyKey(data.requestedById, data.idempotencyKey);
  if (existing) return { ...existing, created: false };
  try {
    return await prisma().$transaction(async (tx) => {
      const row = await tx.job.create({
        data: {
          kind: data.kind,
          hostId: data.hostId,
          params: data.params as Prisma.InputJsonObject,
          target: data.target,
          requestedById: data.requestedById,
          idempotencyKey: data.idempotencyKey,
          createdAt: data.now,
          updatedAt: data.now,
        },
        select: { id: true, state: true },
      });
      await audit(tx, `user:${data.requestedById}`, `job.create.${data.kind}`, row.id, { hostId: data.hostId, ...data.auditDetails });
      await notifyHost(tx, data.hostId);
      return { ...row, created: true };
    });
  } catch (err) {
    // a concurrent request with the same key won the insert
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      const again = await findByIdempotencyKey(data.requestedById, data.idempotencyKey);
      if (again) return { ...again, created: false };
    }
    throw err;
  }
}

async function findByIdempotencyKey(requestedById: string, idempotencyKey: string) {
  return prisma().job.findUnique({
    where: { requestedById_idempotencyKey: { requestedById, idempotencyKey } },
    select: { id: true, state: true },
  });
}

export type ClaimedJob = { id: string; kind: string; params: JobJson; attempts: number; leaseExpiresAt: Date };

/**
 * Claims this host's oldest pending job: FOR UPDATE SKIP LOCKED, so two agent-API processes (or two
 * requests) racing for the same row never both get it. The claim is audited in the same statement's
 * transaction.
 */
export async function claimNextJob(hostId: string, now: Date, leaseMs: number): Promise<ClaimedJob | null> {
  const lease = new Date(now.getTime() + leaseMs);
  return prisma().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string; kind: string; params: Prisma.JsonValue; attempts: number; leaseExpiresAt: Date }[]>`
      UPDATE "Job" SET "state" = 'claimed', "claimedAt" = ${now}, "leaseExpiresAt" = ${lease},
             "attempts" = "attempts" + 1, "updatedAt" = ${now}
       WHERE "id" = (
         SELECT "id" FROM "Job"
          WHERE "hostId" = ${hostId}::uuid AND "state" = 'pending' AND NOT "cancelRequested"
          ORDER BY "createdAt", "id"
          LIMIT 1
          FOR UPDATE SKIP LOCKED)
       RETURNING "id"::text AS "id", "kind"::text AS "kind", "params", "attempts", "leaseExpiresAt"`;
    const row = rows[0];
    if (!row) return null;
    await audit(tx, `agent:${hostId}`, "job.claim", row.id, { attempts: row.attempts });
    return { ...row, params: asJson(row.params) ?? {} };
  });
}

export type JobLeaseRow = { state: JobState; cancelRequested: boolean; leaseExpiresAt: Date | null };

/** The job as its agent sees it, or null when it is not this host's. */
export async function findAgentJob(jobId: string, hostId: string) {
  return prisma().job.findFirst({
    where: { id: jobId, hostId },
    select: { id: true, kind: true, state: true, cancelRequested: true, leaseExpiresAt: true, params: true },
  });
}

/**
 * Moves a job from one of `from` to `to` (optimistic: the caller read the state and decided with the
 * domain's state machine) with the given changes and an audit row. False when the job had moved on.
 */
export async function transitionJob(opts: {
  jobId: string;
  hostId?: string;
  from: readonly JobState[];
  to: JobState;
  now: Date;
  changes?: {
    leaseExpiresAt?: Date | null;
    cancelRequested?: boolean;
    progress?: JobJson | null;
    result?: JobJson | null;
    reason?: string | null;
    startedAt?: Date;
    finishedAt?: Date;
  };
  audit: { actor: AuditActor; action: string; details?: Record<string, unknown> } | null;
  notify?: boolean;
}): Promise<boolean> {
  const c = opts.changes ?? {};
  return prisma().$transaction(async (tx) => {
    const updated = await tx.job.updateMany({
      where: { id: opts.jobId, hostId: opts.hostId, state: { in: [...opts.from] } },
      data: {
        state: opts.to,
        updatedAt: opts.now,
        leaseExpiresAt: c.leaseExpiresAt,
        cancelRequested: c.cancelRequested,
        progress: c.progress === undefined ? undefined : c.progress === null ? Prisma.DbNull : (c.progress as Prisma.InputJsonObject),
        result: c.result === undefined ? undefined : c.result === null ? Prisma.DbNull : (c.result as Prisma.InputJsonObject),
        reason: c.reason,
        startedAt: c.startedAt,
        finishedAt: c.finishedAt,
      },
    });
    if (updated.count !== 1) return false;
    if (opts.audit) await audit(tx, opts.audit.actor, opts.audit.action, opts.jobId, opts.audit.details ?? {});
    if (opts.notify) {
      const row = await tx.job.findUnique({ where: { id: opts.jobId }, select: { hostId: true } });
      if (row) await notifyHost(tx, row.hostId);
    }
    return true;
  });
}

/** Lease renewal with the latest progress (not audited: once a second). Null when the job is no longer active. */
export async function renewJobLease(jobId: string, hostId: string, progress: JobJson | null, now: Date, leaseMs: number): Promise<JobLeaseRow | null> {
  const lease = new Date(now.getTime() + leaseMs);
  const updated = await prisma().job.updateMany({
    where: { id: jobId, hostId, state: { in: ["claimed", "running"] } },
    data: { leaseExpiresAt: lease, updatedAt: now, ...(progress ? { progress: progress as Prisma.InputJsonObject } : {}) },
  });
  if (updated.count !== 1) return null;
  return prisma().job.findUnique({ where: { id: jobId }, select: { state: true, cancelRequested: true, leaseExpiresAt: true } });
}

/**
 * Fails every claimed/running job whose lease ran out (its agent is gone): never back to pending,
 * since the agent may have started it. One statement, so several agent-API processes sweeping at
 * once each fail a job at most once.
 */
export async function failExpiredLeases(now: Date, reason: string): Promise<{ id: string; hostId: string }[]> {
  return prisma().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string; hostId: string; state: string }[]>`
      UPDATE "Job" j SET "state" = 'failed', "reason" = ${reason}, "finishedAt" = ${now}, "updatedAt" = ${now}, "leaseExpiresAt" = NULL
        FROM (SELECT "id", "state" FROM "Job" WHERE "state" IN ('claimed', 'running') AND "leaseExpiresAt" < ${now} FOR UPDATE SKIP LOCKED) old
       WHERE j."id" = old."id"
       RETURNING j."id"::text AS "id", j."hostId"::text AS "hostId", old."state"::text AS "state"`;
    if (rows.length > 0) {
      await tx.auditEvent.createMany({
        data: rows.map((r) => ({ actor: "system", action: "job.lease-expired", targetType: "job", targetId: r.id, details: { was: r.state, reason } })),
      });
    }
    return rows.map(({ id, hostId }) => ({ id, hostId }));
  });
}

/** Appends an audit row about a job without changing it (e.g. an agent's report on a job that already ended). */
export async function auditJob(jobId: string, actor: AuditActor, action: string, details: Record<string, unknown>): Promise<void> {
  await prisma().$transaction((tx) => audit(tx, actor, action, jobId, details));
}

export async function findJobState(jobId: string) {
  return prisma().job.findUnique({ where: { id: jobId }, select: { id: true, hostId: true, state: true, cancelRequested: true, requestedById: true } });
}

export async function listJobs(filter: ListJobsFilter) {
  const requester = filter.requestedBy;
  const rows = await prisma().job.findMany({
    where: {
      kind: filter.kind,
      state: filter.state,
      hostId: filter.hostId,
      ...(requester ? { OR: [{ requestedById: requester }, { requestedBy: { email: { contains: requester, mode: "insensitive" } } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: filter.limit,
    select: summarySelect,
  });
  return rows.map(toSummary);
}

export async function getJob(jobId: string) {
  const row = await prisma().job.findUnique({
    where: { id: jobId },
    select: { ...summarySelect, params: true, progress: true, result: true, leaseExpiresAt: true },
  });
  if (!row) return null;
  const events = await prisma().auditEvent.findMany({
    where: { targetType: "job", targetId: jobId },
    orderBy: { id: "asc" },
    take: 500,
    select: { id: true, at: true, actor: true, action: true, details: true },
  });
  const { params, progress, result, leaseExpiresAt, ...summary } = row;
  return {
    ...toSummary(summary),
    params: asJson(params) ?? {},
    progress: asJson(progress),
    result: asJson(result),
    leaseExpiresAt,
    audit: events.map((e) => ({ ...e, id: e.id.toString(), details: (asJson(e.details) ?? {}) as Record<string, unknown> })),
  };
}

/** Finished migrations of one VM (by target label) on one host, oldest first, with their results. */
export async function listMigrationResults(hostId: string, target: string, limit = 200) {
  const rows = await prisma().job.findMany({
    where: { hostId, kind: "migrate", target, state: { in: ["succeeded", "failed", "cancelled"] }, finishedAt: { not: null } },
    orderBy: { finishedAt: "desc" },
    take: limit,
    select: { id: true, state: true, finishedAt: true, result: true },
  });
  return rows.reverse().map((r) => ({ id: r.id, state: r.state, finishedAt: r.finishedAt ?? new Date(0), result: asJson(r.result) }));
}

/** The host's latest `vms` section as stored (validated by the caller), or null when it has none. */
export async function findHostVmsSection(hostId: string): Promise<{ exists: boolean; data: unknown }> {
  const host = await prisma().host.findUnique({
    where: { id: hostId },
    select: { id: true, sections: { where: { section: "vms" }, select: { data: true, ok: true } } },
  });
  if (!host) return { exists: false, data: null };
  const section = host.sections[0];
  return { exists: true, data: section?.ok ? section.data : null };
}
