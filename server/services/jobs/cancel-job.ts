import { DomainError } from "@/server/errors";
import { applyJobEvent } from "@/server/domain/jobs/transitions";
import type { JobState } from "@/server/contract/job";
import { findJobState, transitionJob } from "@/server/repo/jobs";
import { systemClock, type Clock } from "@/server/services/jobs/clock";

/**
 * Cancel: a pending job ends cancelled at once (no agent has it); a claimed or running one is
 * flagged and its agent aborts when its next lease renewal (≤ 1 s) says so.
 */
export async function cancelJob(user: { id: string }, jobId: string, clock: Clock = systemClock): Promise<{ id: string; state: JobState; cancelRequested: boolean }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const job = await findJobState(jobId);
    if (!job) throw new DomainError("NOT_FOUND", "no such job");
    const next = applyJobEvent(job, { type: "cancel" });
    if (!next.ok) throw new DomainError("CONFLICT", `cannot cancel: ${next.reason}`);
    const now = clock();
    const moved = await transitionJob({
      jobId,
      from: [job.state],
      to: next.state,
      now,
      changes: { cancelRequested: true, ...(next.finished ? { finishedAt: now, reason: "cancelled before an agent took it", leaseExpiresAt: null } : {}) },
      audit: { actor: `user:${user.id}`, action: next.finished ? "job.cancel" : "job.cancel-requested", details: { was: job.state } },
      notify: true,
    });
    if (moved) return { id: jobId, state: next.state, cancelRequested: true };
  }
  throw new DomainError("CONFLICT", "the job changed state while cancelling; try again");
}
