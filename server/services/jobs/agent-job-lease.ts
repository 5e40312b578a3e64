import { DomainError } from "@/server/errors";
import { applyJobEvent, JOB_LEASE_MS } from "@/server/domain/jobs/transitions";
import type { AgentJobLease, JobJson } from "@/server/contract/job";
import { findAgentJob, renewJobLease, transitionJob } from "@/server/repo/jobs";
import { systemClock, type Clock } from "@/server/services/jobs/clock";

/** What the agent learns from every start/renew: where the job stands and whether to abort. */
async function currentLease(jobId: string, hostId: string): Promise<AgentJobLease> {
  const job = await findAgentJob(jobId, hostId);
  if (!job) throw new DomainError("NOT_FOUND", "no such job for this host");
  return { state: job.state, cancelRequested: job.cancelRequested, leaseExpiresAt: job.leaseExpiresAt };
}

/** agent.jobs.start: the agent wrote "job X started" to its state dir and runs it now. */
export async function startAgentJob(hostId: string, jobId: string, clock: Clock = systemClock): Promise<AgentJobLease> {
  const job = await findAgentJob(jobId, hostId);
  if (!job) throw new DomainError("NOT_FOUND", "no such job for this host");
  const next = applyJobEvent(job, { type: "start" });
  if (!next.ok) throw new DomainError("CONFLICT", `cannot start: ${next.reason}`);
  const now = clock();
  await transitionJob({
    jobId,
    hostId,
    from: ["claimed"],
    to: "running",
    now,
    changes: { startedAt: now, leaseExpiresAt: new Date(now.getTime() + JOB_LEASE_MS) },
    audit: { actor: `agent:${hostId}`, action: "job.start", details: {} },
  });
  return currentLease(jobId, hostId);
}

/** agent.jobs.renew: extends the lease, stores the latest progress, answers with the cancel flag. */
export async function renewAgentJob(hostId: string, jobId: string, progress: JobJson | null, clock: Clock = systemClock): Promise<AgentJobLease> {
  const renewed = await renewJobLease(jobId, hostId, progress, clock(), JOB_LEASE_MS);
  return renewed ?? currentLease(jobId, hostId);
}
