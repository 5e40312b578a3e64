/**
 * Live migration over QEMU QMP: the shapes shared by the agent action (agent/actions/migrate.ts), the CLI
 * (`npm run agent -- migrate`), the pure domain (server/domain/migration/) and the jobs helper's job runner
 * and UI. Agreed in /work/coord/JOBS-INTERFACE.md; change only together with that file.
 */
import { z } from "zod";

export const migrationCapabilitySchema = z.enum(["postcopy-ram", "auto-converge", "multifd", "xbzrle"]);
export type MigrationCapability = z.infer<typeof migrationCapabilitySchema>;

export const noConvergencePolicySchema = z.enum(["cancel", "postcopy", "raise"]);
export type NoConvergencePolicy = z.infer<typeof noConvergencePolicySchema>;

/** Pre-flight prediction from a sampled dirty rate and the bandwidth the migration will get. */
export const migrationPredictionSchema = z.object({
  dirtyBytesPerS: z.number().min(0),
  bandwidthBytesPerS: z.number().min(0),
  downtimeLimitMs: z.number().min(0),
  converges: z.boolean(),
  /** Rough duration of the whole migration; null when it does not converge. */
  predictedTotalMs: z.number().min(0).nullable(),
  /** Downtime of the final stop-and-copy if it converges; otherwise what one pass of dirty data would cost. */
  predictedDowntimeMs: z.number().min(0).nullable(),
  /** e.g. "dirty rate 96 MB/s vs 32 MiB/s: will not converge at 10 ms". */
  message: z.string(),
});
export type MigrationPrediction = z.infer<typeof migrationPredictionSchema>;

/**
 * The `predict_migration` job: sample the VM's dirty rate (read-only) and predict against these limits.
 * The same limits as a migration's, so the confirmed migration can be checked to match its prediction.
 */
export const predictMigrationParamsSchema = z.object({
  qmpSocket: z.string(),
  downtimeLimitMs: z.number().int().min(1).max(60_000).default(10),
  maxBandwidthBytesPerS: z.number().int().min(1).nullable().default(null),
});
export type PredictMigrationParams = z.infer<typeof predictMigrationParamsSchema>;

/** What the predict job reports: the prediction, or null with the reason none could be made. */
export const predictMigrationResultSchema = z.object({
  type: z.literal("prediction"),
  prediction: migrationPredictionSchema.nullable(),
  /** why there is no prediction (this QEMU cannot sample, no bandwidth known …) */
  reason: z.string().nullable(),
  /** how long sampling took on the agent (calc-dirty-rate's window plus polling) */
  sampledMs: z.number().min(0),
});
export type PredictMigrationResult = z.infer<typeof predictMigrationResultSchema>;

/**
 * The prediction the operator saw and confirmed (the predict job's result), carried in the migrate job's
 * params so the result view can put it beside QEMU's figures. The agent does not act on it.
 */
export const migrationPreflightSchema = z
  .object({
    jobId: z.string().uuid(),
    predictedAt: z.string().datetime(),
    prediction: migrationPredictionSchema.nullable(),
    reason: z.string().max(2000).nullable(),
  })
  .strict();
export type MigrationPreflight = z.infer<typeof migrationPreflightSchema>;

export const migrateParamsSchema = z.object({
  qmpSocket: z.string(),
  uri: z.string(), // e.g. tcp:127.0.0.1:4444
  destQmpSocket: z.string().nullable().default(null),
  downtimeLimitMs: z.number().int().min(1).max(60_000).default(10),
  maxBandwidthBytesPerS: z.number().int().min(1).nullable().default(null),
  capabilities: z.array(migrationCapabilitySchema).default([]),
  onNoConvergence: noConvergencePolicySchema.default("cancel"),
  timeoutS: z.number().int().min(1).max(3600).default(120),
  /** the pre-flight prediction the operator confirmed (null from the CLI or an older console) */
  preflight: migrationPreflightSchema.nullable().default(null),
});
export type MigrateParams = z.infer<typeof migrateParamsSchema>;
export type MigrateParamsInput = z.input<typeof migrateParamsSchema>;

export const migrateProgressSchema = z.object({
  type: z.literal("progress"),
  status: z.string(),
  elapsedMs: z.number(),
  remainingBytes: z.number().nullable(),
  transferredBytes: z.number().nullable(),
  totalBytes: z.number().nullable(),
  mbps: z.number().nullable(), // megabits/s, as QEMU reports it
  dirtyPagesRate: z.number().nullable(), // pages/s, as QEMU reports it
  dirtyBytesPerS: z.number().nullable(),
  expectedDowntimeMs: z.number().nullable(),
  pass: z.number().nullable(),
});
export type MigrateProgress = z.infer<typeof migrateProgressSchema>;

export const migrateResultSchema = z.object({
  type: z.literal("result"),
  status: z.enum(["completed", "failed", "cancelled"]),
  totalTimeMs: z.number().nullable(), // exactly QEMU's total-time
  downtimeMs: z.number().nullable(), // exactly QEMU's downtime (only on completion)
  setupTimeMs: z.number().nullable(),
  transferredBytes: z.number().nullable(), // exactly QEMU's ram.transferred
  passes: z.number().nullable(),
  verdict: z.enum(["pass", "fail"]),
  reason: z.string().nullable(),
  policySteps: z.array(z.string()),
  sourceRunning: z.boolean().nullable(),
  prediction: migrationPredictionSchema.nullable(),
});
export type MigrateResult = z.infer<typeof migrateResultSchema>;
