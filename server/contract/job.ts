import { z } from "zod";
import { boundedRecord, shortText } from "./common";

/**
 * Jobs: what the server asks an agent to do, and what the agent reports back.
 * Job params are validated BY THE AGENT with the action's own schema, whatever the server sent:
 *   migrate → migrateParamsSchema (server/contract/migration.ts)
 *   tune    → tuneJobParamsSchema (server/contract/tuning.ts)
 *   predict_migration → predictMigrationParamsSchema (server/contract/migration.ts)
 * so here they are an opaque JSON object.
 */
export const jobKindSchema = z.enum(["migrate", "tune", "predict_migration"]);
export type JobKind = z.infer<typeof jobKindSchema>;

export const jobStateSchema = z.enum(["pending", "claimed", "running", "succeeded", "failed", "cancelled"]);
export type JobState = z.infer<typeof jobStateSchema>;

export const TERMINAL_JOB_STATES = ["succeeded", "failed", "cancelled"] as const satisfies readonly JobState[];

export const jobIdSchema = z.string().uuid();

/** A JSON object as stored in jsonb (params, progress, result); depth and keys are bounded by the input guard. */
export const jobJsonSchema = boundedRecord(z.unknown(), 256);
export type JobJson = z.infer<typeof jobJsonSchema>;

/** Why a job ended failed/cancelled, in words for the operator. */
export const jobReasonSchema = z.string().max(2000);

// ---------------------------------------------------------------- agent port (agent.jobs.*)

/** agent.jobs.next: long-poll; returns at once when a job is pending for this host, else waits up to waitMs. */
export const agentNextJobInput = z
  .object({
    waitMs: z.number().int().min(0).max(30_000).default(25_000),
  })
  .strict();

export const agentJobOfferSchema = z
  .object({
    id: jobIdSchema,
    kind: z.string().max(64), // a string, not the enum: the agent itself refuses kinds outside its catalogue
    params: jobJsonSchema,
    attempts: z.number().int().min(0),
    leaseExpiresAt: z.date(),
    /** how often the agent must renew (ms); the lease lasts about three of these */
    renewEveryMs: z.number().int().min(100),
  })
  .strict();
export type AgentJobOffer = z.infer<typeof agentJobOfferSchema>;

export const agentNextJobOutput = z.object({ job: agentJobOfferSchema.nullable() }).strict();

/** agent.jobs.start: the agent has persisted "job X started" locally and is about to run it. */
export const agentStartJobInput = z.object({ jobId: jobIdSchema }).strict();

/** agent.jobs.renew: lease renewal with the latest progress; the answer tells the agent whether to abort. */
export const agentRenewJobInput = z
  .object({
    jobId: jobIdSchema,
    progress: jobJsonSchema.nullable().default(null),
  })
  .strict();

export const agentJobLeaseOutput = z
  .object({
    state: jobStateSchema,
    cancelRequested: z.boolean(),
    leaseExpiresAt: z.date().nullable(),
  })
  .strict();
export type AgentJobLease = z.infer<typeof agentJobLeaseOutput>;

/** agent.jobs.finish: the outcome. `refused` = the agent would not run it (unknown action, bad params). */
export const agentFinishJobInput = z
  .object({
    jobId: jobIdSchema,
    outcome: z.enum(["succeeded", "failed", "cancelled", "refused"]),
    reason: jobReasonSchema.nullable().default(null),
    result: jobJsonSchema.nullable().default(null),
  })
  .strict();
export type AgentFinishJob = z.infer<typeof agentFinishJobInput>;

export const agentFinishJobOutput = z.object({ state: jobStateSchema }).strict();

// ---------------------------------------------------------------- console (jobs.*)

export const jobRequesterSchema = z
  .object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() })
  .strict();

export const jobSummarySchema = z
  .object({
    id: jobIdSchema,
    kind: jobKindSchema,
    state: jobStateSchema,
    hostId: z.string().uuid(),
    hostName: z.string(),
    /** a short label of the target: the VM name for a migration, the action for a tuning job */
    target: shortText.nullable(),
    requestedBy: jobRequesterSchema,
    attempts: z.number().int(),
    cancelRequested: z.boolean(),
    reason: jobReasonSchema.nullable(),
    createdAt: z.date(),
    claimedAt: z.date().nullable(),
    startedAt: z.date().nullable(),
    finishedAt: z.date().nullable(),
    updatedAt: z.date(),
  })
  .strict();
export type JobSummary = z.infer<typeof jobSummarySchema>;

export const jobAuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.date(),
    actor: z.string(),
    action: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .strict();

export const jobDetailSchema = jobSummarySchema
  .extend({
    params: jobJsonSchema,
    progress: jobJsonSchema.nullable(),
    result: jobJsonSchema.nullable(),
    leaseExpiresAt: z.date().nullable(),
    audit: z.array(jobAuditEntrySchema),
  })
  .strict();
export type JobDetail = z.infer<typeof jobDetailSchema>;

export const listJobsInput = z
  .object({
    kind: jobKindSchema.optional(),
    state: jobStateSchema.optional(),
    hostId: z.string().uuid().optional(),
    requestedBy: z.string().max(256).optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();
export type ListJobsFilter = z.infer<typeof listJobsInput>;

export const listJobsOutput = z.object({ generatedAt: z.date(), jobs: z.array(jobSummarySchema) }).strict();

export const getJobInput = z.object({ id: jobIdSchema }).strict();
export const getJobOutput = z.object({ generatedAt: z.date(), job: jobDetailSchema }).strict();

export const cancelJobInput = z.object({ id: jobIdSchema }).strict();
export const cancelJobOutput = z.object({ id: jobIdSchema, state: jobStateSchema, cancelRequested: z.boolean() }).strict();

/** An idempotency key chosen by the client (the form generates one per submission). */
export const idempotencyKeySchema = z.string().min(8).max(128).regex(/^[A-Za-z0-9._:-]+$/, { message: "letters, digits, . _ : - only" });

/**
 * jobs.createMigration. The VM is named by pid from the host's `vms` section (its QMP socket is taken
 * from there), or by a QMP socket path directly when the host reports no `vms` section.
 * The numeric limits repeat migrateParamsSchema's so a bad value is a 400 here, before any job exists;
 * the agent checks them again with its own schema.
 */
export const createMigrationInput = z
  .object({
    hostId: z.string().uuid(),
    vm: z.discriminatedUnion("by", [
      z.object({ by: z.literal("pid"), pid: z.number().int().min(1).max(4_194_304) }).strict(),
      z.object({ by: z.literal("socket"), qmpSocket: z.string().min(1).max(4096).regex(/^\//, { message: "an absolute path" }), name: shortText.nullable().default(null) }).strict(),
    ]),
    uri: z.string().min(1).max(512).regex(/^(tcp|unix|exec|rdma|fd|file):/, { message: "a QEMU migration URI (tcp:HOST:PORT, unix:PATH …)" }),
    destQmpSocket: z.string().min(1).max(4096).nullable().default(null),
    downtimeLimitMs: z.number().int().min(1).max(60_000).default(10),
    maxBandwidthBytesPerS: z.number().int().min(1).nullable().default(null),
    capabilities: z.array(z.enum(["postcopy-ram", "auto-converge", "multifd", "xbzrle"])).max(4).default([]),
    onNoConvergence: z.enum(["cancel", "postcopy", "raise"]).default("cancel"),
    timeoutS: z.number().int().min(1).max(3600).default(120),
    /** the succeeded predict_migration job the operator saw before confirming (same VM and limits) */
    predictionJobId: jobIdSchema.nullable().default(null),
    idempotencyKey: idempotencyKeySchema,
  })
  .strict();
export type CreateMigrationInput = z.infer<typeof createMigrationInput>;

/**
 * jobs.createMigrationPrediction: the read-only pre-flight the operator runs before confirming a
 * migration. Same VM choice and limits as createMigrationInput; the agent samples the live dirty rate.
 */
export const createMigrationPredictionInput = createMigrationInput
  .pick({ hostId: true, vm: true, downtimeLimitMs: true, maxBandwidthBytesPerS: true, idempotencyKey: true })
  .strict();
export type CreateMigrationPredictionInput = z.infer<typeof createMigrationPredictionInput>;

/** How old a prediction may be when the operator confirms: the guest's dirty rate changes. */
export const PREDICTION_MAX_AGE_MS = 15 * 60_000;

export const createJobOutput = z.object({ id: jobIdSchema, state: jobStateSchema, created: z.boolean() }).strict();

/** One finished migration of a VM, for the per-VM history chart. */
export const migrationHistoryPointSchema = z
  .object({
    jobId: jobIdSchema,
    finishedAt: z.date(),
    state: jobStateSchema,
    totalTimeMs: z.number().nullable(),
    downtimeMs: z.number().nullable(),
    verdict: z.enum(["pass", "fail"]).nullable(),
    /** the pre-flight prediction the operator confirmed (null: migrated without one) */
    predicted: z
      .object({ converges: z.boolean(), totalTimeMs: z.number().nullable(), downtimeMs: z.number().nullable(), message: z.string() })
      .strict()
      .nullable(),
  })
  .strict();

export const migrationHistoryInput = z.object({ hostId: z.string().uuid(), vm: shortText }).strict();
export const migrationHistoryOutput = z.object({ points: z.array(migrationHistoryPointSchema) }).strict();

/** The 2 s / 10 ms requirement and the guide's published figures (seed 004: baseline and after its optimisations). */
export const MIGRATION_REQUIREMENT = { totalTimeMs: 2000, downtimeMs: 10 } as const;
export const MIGRATION_GUIDE_FIGURES = [
  { label: "guide baseline", totalTimeMs: 2271, downtimeMs: 26 },
  { label: "guide optimised", totalTimeMs: 654, downtimeMs: 5 },
] as const;

/** The VMs an operator can pick for a migration: from the host's `vms` section, with their QMP unix socket. */
export const listHostVmsInput = z.object({ hostId: z.string().uuid() }).strict();
export const listHostVmsOutput = z
  .object({
    /** false: the host reports no `vms` section, the form asks for a socket path instead */
    sectionPresent: z.boolean(),
    vms: z.array(z.object({ pid: z.number().int(), name: z.string().nullable(), qmpSocket: z.string().nullable() }).strict()),
  })
  .strict();

/** What an admin gives a new agent besides its enrolment token: the agent port's CA fingerprint to pin. */
export const agentCaOutput = z.object({ caFingerprint: z.string().nullable() }).strict();
