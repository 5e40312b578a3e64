import { tuneJobParamsSchema, type CreateTuneJobInput } from "@/server/contract/tuning";
import { requireHost } from "@/server/repo/hosts";
import { insertJob } from "@/server/repo/jobs";
import { systemClock, type Clock } from "@/server/services/jobs/clock";

/**
 * A tuning job for a host's agent: plan first (touches nothing), then apply after the operator confirmed
 * the plan, verify, or roll back one apply by its ledger id. Audited with the rule it fixes.
 */
export async function createTuneJob(
  requester: { id: string },
  input: CreateTuneJobInput,
  clock: Clock = systemClock,
): Promise<{ id: string; state: "pending" | "claimed" | "running" | "succeeded" | "failed" | "cancelled"; created: boolean }> {
  const host = await requireHost(input.hostId);
  const params = tuneJobParamsSchema.parse({ mode: input.mode, action: input.action, params: input.params, ...(input.applyId ? { applyId: input.applyId } : {}) });
  return insertJob({
    kind: "tune",
    hostId: host.id,
    params,
    target: `${input.action} (${input.mode})`,
    requestedById: requester.id,
    idempotencyKey: input.idempotencyKey,
    now: clock(),
    auditDetails: { action: input.action, mode: input.mode, params: input.params, applyId: input.applyId ?? null, ruleId: input.ruleId ?? null },
  });
}
