import { migrateParamsSchema, predictMigrationParamsSchema, predictMigrationResultSchema, type MigrationPreflight } from "@/server/contract/migration";
import { PREDICTION_MAX_AGE_MS, type CreateMigrationInput } from "@/server/contract/job";
import { DomainError } from "@/server/errors";
import { findJobOutcome, insertJob } from "@/server/repo/jobs";
import { systemClock, type Clock } from "@/server/services/jobs/clock";
import { resolveHostVm } from "@/server/services/jobs/resolve-host-vm";

/** The router's input; callers other than the console (bench, tests) may leave the prediction out. */
export type MigrationRequest = Omit<CreateMigrationInput, "predictionJobId"> & { predictionJobId?: string | null };

/**
 * An operator asks a host's agent to live-migrate one VM. The VM is picked from the host's `vms`
 * section (its QMP socket comes from there, never from the browser) or, when the host reports no
 * `vms` section, given as a socket path. The job is inserted pending; the NOTIFY in the same
 * transaction wakes the agent's long-poll.
 *
 * With `predictionJobId` (the console's confirm step) the migration carries the pre-flight prediction
 * the operator saw: it must be this host's succeeded predict_migration job for the same VM, downtime
 * limit and bandwidth, and not older than PREDICTION_MAX_AGE_MS. A "will not converge" prediction may
 * still be confirmed; a stale or mismatched one may not.
 */
export async function createMigrationJob(
  requester: { id: string },
  input: MigrationRequest,
  clock: Clock = systemClock,
): Promise<{ id: string; state: "pending" | "claimed" | "running" | "succeeded" | "failed" | "cancelled"; created: boolean }> {
  const { qmpSocket, target } = await resolveHostVm(input.hostId, input.vm);
  const now = clock();
  const preflight = input.predictionJobId == null ? null : await loadPreflight(input, input.predictionJobId, qmpSocket, now);
  const params = migrateParamsSchema.parse({
    qmpSocket,
    uri: input.uri,
    destQmpSocket: input.destQmpSocket,
    downtimeLimitMs: input.downtimeLimitMs,
    maxBandwidthBytesPerS: input.maxBandwidthBytesPerS,
    capabilities: input.capabilities,
    onNoConvergence: input.onNoConvergence,
    timeoutS: input.timeoutS,
    preflight,
  });
  return insertJob({
    kind: "migrate",
    hostId: input.hostId,
    params,
    target,
    requestedById: requester.id,
    idempotencyKey: input.idempotencyKey,
    now,
    auditDetails: {
      vm: target,
      uri: params.uri,
      downtimeLimitMs: params.downtimeLimitMs,
      maxBandwidthBytesPerS: params.maxBandwidthBytesPerS,
      policy: params.onNoConvergence,
      predictionJobId: preflight?.jobId ?? null,
      predicted: preflight === null ? null : (preflight.prediction?.message ?? `no prediction: ${preflight.reason ?? "unknown"}`),
    },
  });
}

async function loadPreflight(input: MigrationRequest, predictionJobId: string, qmpSocket: string, now: Date): Promise<MigrationPreflight> {
  const bad = (why: string) => new DomainError("INVALID", `predictionJobId: ${why}`);
  const job = await findJobOutcome(predictionJobId);
  if (!job || job.hostId !== input.hostId || job.kind !== "predict_migration") throw bad("no prediction job of this host with that id");
  if (job.state !== "succeeded" || job.finishedAt === null) throw bad(`the prediction has not succeeded (state ${job.state})`);
  if (now.getTime() - job.finishedAt.getTime() > PREDICTION_MAX_AGE_MS) throw bad(`the prediction is older than ${PREDICTION_MAX_AGE_MS / 60_000} min; predict again`);
  const asked = predictMigrationParamsSchema.safeParse(job.params);
  const result = predictMigrationResultSchema.safeParse(job.result);
  if (!asked.success || !result.success) throw bad("the prediction job's params or result are not a prediction");
  const same = asked.data.qmpSocket === qmpSocket && asked.data.downtimeLimitMs === input.downtimeLimitMs && asked.data.maxBandwidthBytesPerS === input.maxBandwidthBytesPerS;
  if (!same) throw bad("the prediction was made for another VM, downtime limit or bandwidth; predict again");
  return { jobId: job.id, predictedAt: job.finishedAt.toISOString(), prediction: result.data.prediction, reason: result.data.reason };
}
