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

// The hot paths (claim, renew, transitions) are single statements: with two agent-API processes and many
// long-polling agents, interactive transactions queued for pool connections (P2028) under load.

function jsonParam(v: JobJson | null): Prisma.Sql {
  return v === null ? Prisma.sql`NULL` : Prisma.sql`${JSON.stringify(v)}::jsonb`;
}

function auditInsert(from: string, actor: AuditActor, action: string, details: Record<string, unknown>): Prisma.Sql {
  return Prisma.sql`INSERT INTO "AuditEvent" ("actor", "action", "targetType", "targetId", "details")
    SELECT ${actor}, ${action}, 'job', "id"::text, ${JSON.stringify(details)}::jsonb FROM ${Prisma.raw(from)}`;
}

/**
 * Inserts a pending job, its audit row and a NOTIFY to the agent API in one statement (the NOTIFY is
 * delivered on commit). The same requester with the same idempotency key gets the existing job.
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
  const rows = await prisma().$queryRaw<{ id: string; state: JobState; notified: number }[]>`
    WITH ins AS (
      INSERT INTO "Job" ("id", "kind", "hostId", "params", "target", "requestedById", "idempotencyKey", "createdAt", "updatedAt")
      VALUES (gen_random_uuid(), ${data.kind}::"JobKind", ${data.hostId}::uuid, ${jsonParam(data.params)}, ${data.target},
              ${data.requestedById}, ${data.idempotencyKey}, ${data.now}, ${data.now})
      ON CONFLICT ("requestedById", "idempotencyKey") DO NOTHING
      RETURNING "id", "state", "hostId"),
    audited AS (${auditInsert("ins", `user:${data.requestedById}`, `job.create.${data.kind}`, { hostId: data.hostId, ...data.auditDetails })}),
    notified AS (SELECT pg_notify(${JOB_CHANNEL}, "hostId"::text) FROM ins)
    SELECT "id"::text AS "id", "state"::text AS "state", (SELECT count(*) FROM notified)::int AS "notified" FROM ins`;
  const row = rows[0];
  if (row) return { id: row.id, state: row.state, created: true };
  const existing = await prisma().job.findUnique({
    where: { requestedById_idempotencyKey: { requestedById: data.requestedById, idempotencyKey: data.idempotencyKey } },
    select: { id: true, state: true },
  });
  if (!existing) throw new Error("job insert conflicted but no job holds the key");
  return { ...existing, created: false };
}

/** The host's tuning apply or rollback still pending, claimed or running (at most one: a partial unique index). */
export async function findActiveTuneWrite(hostId: string): Promise<{ id: string; state: JobState; target: string | null } | null> {
  const rows = await prisma().$queryRaw<{ id: string; state: JobState; target: string | null }[]>`
    SELECT "id"::text AS "id", "state"::text AS "state", "target" FROM "Job"
     WHERE "hostId" = ${hostId}::uuid AND "kind" = 'tune' AND "state" IN ('pending', 'claimed', 'running')
       AND ("params"->>'mode') IN ('apply', 'rollback')
     ORDER BY "createdAt" LIMIT 1`;
  return rows[0] ?? null;
}

export type TuneWriteRow = { id: string; hostId: string; action: string; mode: string; startedAt: Date; finishedAt: Date };

/** The host's succeeded tuning applies and rollbacks (the changes latency is compared around), oldest first. */
export async function listTuneWrites(hostId: string, limit = 500): Promise<TuneWriteRow[]> {
  const rows = await prisma().$queryRaw<TuneWriteRow[]>`
    SELECT * FROM (
      SELECT "id"::text AS "id", "hostId"::text AS "hostId", "params"->>'action' AS "action", "params"->>'mode' AS "mode",
             COALESCE("startedAt", "claimedAt", "createdAt") AS "startedAt", "finishedAt"
        FROM "Job"
       WHERE "hostId" = ${hostId}::uuid AND "kind" = 'tune' AND "state" = 'succeeded' AND "finishedAt" IS NOT NULL
         AND ("params"->>'mode') IN ('apply', 'rollback')
       ORDER BY "finishedAt" DESC LIMIT ${limit}) recent
     ORDER BY "finishedAt", "id"`;
  return rows;
}

/** A job's host and kind (null when there is no such job). */
export async function findJobHost(jobId: string): Promise<{ hostId: string; kind: string } | null> {
  return prisma().job.findUnique({ where: { id: jobId }, select: { hostId: true, kind: true } });
}

export type ClaimedJob = { id: string; kind: string; params: JobJson; attempts: number; leaseExpiresAt: Date };

/**
 * Claims this host's oldest pending job: FOR UPDATE SKIP LOCKED, so two agent-API processes (or two
 * requests) racing for the same row never both get it. The claim is audited in the same statement.
 */
export async function claimNextJob(hostId: string, now: Date, leaseMs: number): Promise<ClaimedJob | null> {
  const lease = new Date(now.getTime() + leaseMs);
  const rows = await prisma().$queryRaw<{ id: string; kind: string; params: Prisma.JsonValue; attempts: number; leaseExpiresAt: Date }[]>`
    WITH picked AS (
      SELECT "id" FROM "Job"
       WHERE "hostId" = ${hostId}::uuid AND "state" = 'pending' AND NOT "cancelRequested"
       ORDER BY "createdAt", "id"
       LIMIT 1
       FOR UPDATE SKIP LOCKED),
    claimed AS (
      UPDATE "Job" j SET "state" = 'claimed', "claimedAt" = ${now}, "leaseExpiresAt" = ${lease},
             "attempts" = j."attempts" + 1, "updatedAt" = ${now}
        FROM picked WHERE j."id" = picked."id"
      RETURNING j."id", j."kind", j."params", j."attempts", j."leaseExpiresAt"),
    audited AS (${auditInsert("claimed", `agent:${hostId}`, "job.claim", {})})
    SELECT "id"::text AS "id", "kind"::text AS "kind", "params", "attempts", "leaseExpiresAt" FROM claimed`;
  const row = rows[0];
  if (!row) return null;
  return { ...row, params: asJson(row.params) ?? {} };
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
 * domain's state machine) with the given changes and an audit row, in one statement. False when the
 * job had moved on meanwhile.
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
  const sets: Prisma.Sql[] = [Prisma.sql`"state" = ${opts.to}::"JobState"`, Prisma.sql`"updatedAt" = ${opts.now}`];
  if (c.leaseExpiresAt !== undefined) sets.push(c.leaseExpiresAt === null ? Prisma.sql`"leaseExpiresAt" = NULL` : Prisma.sql`"leaseExpiresAt" = ${c.leaseExpiresAt}`);
  if (c.cancelRequested !== undefined) sets.push(Prisma.sql`"cancelRequested" = ${c.cancelRequested}`);
  if (c.progress !== undefined) sets.push(Prisma.sql`"progress" = ${jsonParam(c.progress)}`);
  if (c.result !== undefined) sets.push(Prisma.sql`"result" = ${jsonParam(c.result)}`);
  if (c.reason !== undefined) sets.push(Prisma.sql`"reason" = ${c.reason}::text`);
  if (c.startedAt !== undefined) sets.push(Prisma.sql`"startedAt" = ${c.startedAt}`);
  if (c.finishedAt !== undefined) sets.push(Prisma.sql`"finishedAt" = ${c.finishedAt}`);
  const hostFilter = opts.hostId ? Prisma.sql`AND "hostId" = ${opts.hostId}::uuid` : Prisma.empty;
  const auditCte = opts.audit ? Prisma.sql`, audited AS (${auditInsert("moved", opts.audit.actor, opts.audit.action, opts.audit.details ?? {})})` : Prisma.empty;
  const rows = await prisma().$queryRaw<{ moved: number; notified: number }[]>`
    WITH moved AS (
      UPDATE "Job" SET ${Prisma.join(sets, ", ")}
       WHERE "id" = ${opts.jobId}::uuid ${hostFilter} AND "state"::text IN (${Prisma.join([...opts.from])})
      RETURNING "id", "hostId")
    ${auditCte},
    notified AS (SELECT pg_notify(${JOB_CHANNEL}, "hostId"::text) FROM moved WHERE ${opts.notify ?? false})
    SELECT (SELECT count(*) FROM moved)::int AS "moved", (SELECT count(*) FROM notified)::int AS "notified"`;
  return (rows[0]?.moved ?? 0) === 1;
}

/** Lease renewal with the latest progress (not audited: once a second). Null when the job is no longer active. */
export async function renewJobLease(jobId: string, hostId: string, progress: JobJson | null, now: Date, leaseMs: number): Promise<JobLeaseRow | null> {
  const lease = new Date(now.getTime() + leaseMs);
  const progressSet = progress ? Prisma.sql`, "progress" = ${jsonParam(progress)}` : Prisma.empty;
  const rows = await prisma().$queryRaw<JobLeaseRow[]>`
    UPDATE "Job" SET "leaseExpiresAt" = ${lease}, "updatedAt" = ${now} ${progressSet}
     WHERE "id" = ${jobId}::uuid AND "hostId" = ${hostId}::uuid AND "state" IN ('claimed', 'running')
    RETURNING "state"::text AS "state", "cancelRequested", "leaseExpiresAt"`;
  return rows[0] ?? null;
}

/**
 * Fails every claimed/running job whose lease ran out (its agent is gone): never back to pending,
 * since the agent may have started it. One statement, so several agent-API processes sweeping at
 * once each fail a job at most once.
 */
export async function failExpiredLeases(now: Date, reason: string): Promise<{ id: string; hostId: string }[]> {
  return prisma().$queryRaw<{ id: string; hostId: string }[]>`
    WITH old AS (
      SELECT "id", "state" FROM "Job" WHERE "state" IN ('claimed', 'running') AND "leaseExpiresAt" < ${now} FOR UPDATE SKIP LOCKED),
    failed AS (
      UPDATE "Job" j SET "state" = 'failed', "reason" = ${reason}, "finishedAt" = ${now}, "updatedAt" = ${now}, "leaseExpiresAt" = NULL
        FROM old WHERE j."id" = old."id"
      RETURNING j."id", j."hostId", old."state"),
    audited AS (
      INSERT INTO "AuditEvent" ("actor", "action", "targetType", "targetId", "details")
      SELECT 'system', 'job.lease-expired', 'job', "id"::text, jsonb_build_object('was', "state"::text, 'reason', ${reason}::text) FROM failed)
    SELECT "id"::text AS "id", "hostId"::text AS "hostId" FROM failed`;
}

/** Appends an audit row about a job without changing it (e.g. an agent's report on a job that already ended). */
export async function auditJob(jobId: string, actor: AuditActor, action: string, details: Record<string, unknown>): Promise<void> {
  await prisma().auditEvent.create({ data: { actor, action, targetType: "job", targetId: jobId, details: details as Prisma.InputJsonObject } });
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

/** One job's kind, host, state, params and result: what createMigrationJob checks a named prediction with. */
export async function findJobOutcome(jobId: string) {
  const row = await prisma().job.findUnique({
    where: { id: jobId },
    select: { id: true, kind: true, hostId: true, state: true, params: true, result: true, finishedAt: true },
  });
  return row ? { ...row, params: asJson(row.params) ?? {}, result: asJson(row.result) } : null;
}

/** Finished migrations of one VM (by target label) on one host, oldest first, with their results. */
export async function listMigrationResults(hostId: string, target: string, limit = 200) {
  const rows = await prisma().job.findMany({
    where: { hostId, kind: "migrate", target, state: { in: ["succeeded", "failed", "cancelled"] }, finishedAt: { not: null } },
    orderBy: { finishedAt: "desc" },
    take: limit,
    select: { id: true, state: true, finishedAt: true, result: true, params: true },
  });
  return rows.reverse().map((r) => ({ id: r.id, state: r.state, finishedAt: r.finishedAt ?? new Date(0), result: asJson(r.result), params: asJson(r.params) }));
}
