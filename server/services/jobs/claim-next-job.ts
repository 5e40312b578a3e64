import { JOB_LEASE_MS, JOB_RENEW_EVERY_MS } from "@/server/domain/jobs/transitions";
import type { AgentJobOffer } from "@/server/contract/job";
import { claimNextJob as claim } from "@/server/repo/jobs";
import { jobListener } from "@/server/repo/job-listener";
import { systemClock, type Clock } from "@/server/services/jobs/clock";

/** Even without a notification the queue is looked at this often (a NOTIFY lost in a reconnect). */
const RECHECK_MS = 5000;

/**
 * The agent's long-poll: claim this host's oldest pending job now, or wait (woken by the LISTEN/NOTIFY
 * listener as soon as a job for this host is inserted) until one comes or `waitMs` passes. Stops
 * without claiming when the agent hung up (`signal`): a claim nobody receives would fail the job.
 */
export async function claimNextJob(hostId: string, waitMs: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<AgentJobOffer | null> {
  const listener = jobListener();
  await listener.ensureListening();
  const deadline = Date.now() + waitMs;
  for (;;) {
    const left = deadline - Date.now();
    const wait = listener.waitFor(hostId, Math.max(0, Math.min(left, RECHECK_MS)), signal);
    if (signal?.aborted) {
      wait.cancel();
      return null;
    }
    const job = await claim(hostId, clock(), JOB_LEASE_MS);
    if (job) {
      wait.cancel();
      return { ...job, renewEveryMs: JOB_RENEW_EVERY_MS };
    }
    if (left <= 0) {
      wait.cancel();
      return null;
    }
    const why = await wait.promise;
    if (why === "aborted") return null;
  }
}
