import { DomainError } from "@/server/errors";
import { applyJobEvent } from "@/server/domain/jobs/transitions";
import type { AgentFinishJob, JobState } from "@/server/contract/job";
import { auditJob, findAgentJob, transitionJob } from "@/server/repo/jobs";
import { systemClock, type Clock } from "@/server/services/jobs/clock";

/**
 * agent.jobs.finish: the agent's outcome (or its refusal: unknown action, bad parameter). When the job
 * already ended (its lease expired while the agent was gone and it comes back to say what it found),
 * the report is kept in the audit trail and the state stays.
 */
export async function finishAgentJob(hostId: string, input: AgentFinishJob, clock: Clock = systemClock): Promise<{ state: JobState }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const job = await findAgentJob(input.jobId, hostId);
    if (!job) throw new DomainError("NOT_FOUND", "no such job for this host");
    const next = applyJobEvent(job, { type: "finish", outcome: input.outcome });
    if (!next.ok) {
      await auditJob(input.jobId, `agent:${hostId}`, "job.late-report", { outcome: input.outcome, reason: input.reason, result: input.result, state: job.state });
      return { state: job.state };
    }
    const now = clock();
    const reason = input.outcome === "refused" ? `refused by the agent: ${input.reason ?? "no reason given"}` : input.reason;
    const moved = await transitionJob({
      jobId: input.jobId,
      hostId,
      from: [job.state],
      to: next.state,
      now,
      changes: { result: input.result, reason, finishedAt: now, leaseExpiresAt: null },
      audit: { actor: `agent:${hostId}`, action: input.outcome === "refused" ? "job.refused" : `job.${next.state}`, details: { reason, result: input.result } },
    });
    if (moved) return { state: next.state };
  }
  throw new DomainError("CONFLICT", "the job changed state while finishing");
}
