import { tuneJobParamsSchema, type CreateTuneJobInput } from "@/server/contract/tuning";
import { DomainError } from "@/server/errors";
import { isUniqueViolation } from "@/server/repo/db-errors";
import { requireHost } from "@/server/repo/hosts";
import { findActiveTuneWrite, insertJob } from "@/server/repo/jobs";
import { systemClock, type Clock } from "@/server/services/jobs/clock";

/**
 * A tuning job for a host's agent: plan first (touches nothing), then apply after the operator confirmed
 * the plan, verify, or roll back one apply by its ledger id. Audited with the rule it fixes.
 *
 * One apply or rollback per host at a time: a second while one is pending, claimed or running is a
 * CONFLICT naming that job. The database decides (a partial unique index), so two concurrent requests
 * — in one process or two — cannot both get through; the agent also holds a lock on its ledger.
 */
export async function createTuneJob(
  requester: { id: string },
  input: CreateTuneJobInput,
  clock: Clock = systemClock,
): Promise<{ id: string; state: "pending" | "claimed" | "running" | "succeeded" | "failed" | "cancelled"; created: boolean }> {
  const host = await requireHost(input.hostId);
  const params = tuneJobParamsSchema.parse({ mode: input.mode, action: input.action, params: input.params, ...(input.applyId ? { applyId: input.applyId } : {}) });
  try {
    return await insertJob({
      kind: "tune",
      hostId: host.id,
      params,
      target: `${input.action} (${input.mode})`,
      requestedById: requester.id,
      idempotencyKey: input.idempotencyKey,
      now: clock(),
      auditDetails: { action: input.action, mode: input.mode, params: input.params, applyId: input.applyId ?? null, ruleId: input.ruleId ?? null },
    });
  } catch (err) {
    // The idempotency key is ON CONFLICT DO NOTHING in the insert: a unique violation here is the
    // partial index "Job_one_active_tune_write_per_host" (migration 20261202110000).
    if (params.mode !== "apply" && params.mode !== "rollback") throw err;
    if (!isUniqueViolation(err)) throw err;
    const active = await findActiveTuneWrite(host.id);
    throw new DomainError(
      "CONFLICT",
      active
        ? `a tuning job is already running on ${host.hostname}: job ${active.id} (${active.target ?? "tune"}, ${active.state}); wait for it to finish or cancel it`
        : `a tuning job is already running on ${host.hostname} (it just ended: try again)`,
    );
  }
}
