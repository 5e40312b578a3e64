import { predictMigrationParamsSchema } from "@/server/contract/migration";
import type { CreateMigrationPredictionInput, JobState } from "@/server/contract/job";
import { insertJob } from "@/server/repo/jobs";
import { systemClock, type Clock } from "@/server/services/jobs/clock";
import { resolveHostVm } from "@/server/services/jobs/resolve-host-vm";

/**
 * An operator asks for the pre-flight prediction of a migration before confirming it: the host's agent
 * samples the VM's dirty rate (calc-dirty-rate, page-sampling: read-only) and predicts convergence at the
 * given downtime limit and bandwidth. A job like any other (queued, dispatched by NOTIFY, audited), so the
 * prediction comes from the live VM and the later migration can name it (createMigrationJob checks it).
 */
export async function createMigrationPredictionJob(
  requester: { id: string },
  input: CreateMigrationPredictionInput,
  clock: Clock = systemClock,
): Promise<{ id: string; state: JobState; created: boolean }> {
  const vm = await resolveHostVm(input.hostId, input.vm);
  const params = predictMigrationParamsSchema.parse({
    qmpSocket: vm.qmpSocket,
    downtimeLimitMs: input.downtimeLimitMs,
    maxBandwidthBytesPerS: input.maxBandwidthBytesPerS,
  });
  return insertJob({
    kind: "predict_migration",
    hostId: input.hostId,
    params,
    target: vm.target,
    requestedById: requester.id,
    idempotencyKey: input.idempotencyKey,
    now: clock(),
    auditDetails: { vm: vm.target, downtimeLimitMs: params.downtimeLimitMs, maxBandwidthBytesPerS: params.maxBandwidthBytesPerS },
  });
}
