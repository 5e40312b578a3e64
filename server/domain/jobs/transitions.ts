import type { JobState } from "@/server/contract/job";

/**
 * The job state machine, pure. pending → claimed → running → succeeded | failed | cancelled.
 * A claimed or running job is never put back to pending: an agent that vanished may have started
 * it, so the only way out is a terminal state ("never twice").
 */
export type JobEvent =
  | { type: "claim" }
  | { type: "start" }
  | { type: "finish"; outcome: "succeeded" | "failed" | "cancelled" | "refused" }
  | { type: "cancel" }
  | { type: "lease-expired" }
  | { type: "agent-restarted" };

export type JobSnapshot = { state: JobState; cancelRequested: boolean };

export type TransitionResult =
  | { ok: true; state: JobState; cancelRequested: boolean; finished: boolean }
  | { ok: false; reason: string };

export function isTerminal(state: JobState): boolean {
  return state === "succeeded" || state === "failed" || state === "cancelled";
}

/** What happens to a job in `job` when `event` arrives. */
export function applyJobEvent(job: JobSnapshot, event: JobEvent): TransitionResult {
  const refuse = (reason: string): TransitionResult => ({ ok: false, reason });
  const to = (state: JobState, cancelRequested = job.cancelRequested): TransitionResult => ({
    ok: true,
    state,
    cancelRequested,
    finished: isTerminal(state),
  });
  if (isTerminal(job.state)) return refuse(`the job is already ${job.state}`);
  switch (event.type) {
    case "claim":
      if (job.state !== "pending") return refuse(`only a pending job can be claimed (it is ${job.state})`);
      if (job.cancelRequested) return refuse("the job was cancelled");
      return to("claimed");
    case "start":
      if (job.state !== "claimed") return refuse(`only a claimed job can start (it is ${job.state})`);
      return to("running");
    case "finish":
      if (job.state === "pending") return refuse("a pending job has no agent to finish it");
      // refused by the agent (unknown action, bad parameter): it never ran
      if (event.outcome === "refused") return to("failed");
      if (event.outcome === "succeeded" && job.state !== "running") return refuse("a job that never started cannot succeed");
      return to(event.outcome);
    case "cancel":
      // pending: nobody has it, cancel at once; claimed/running: the agent aborts when it sees the flag
      if (job.state === "pending") return to("cancelled", true);
      return to(job.state, true);
    case "lease-expired":
    case "agent-restarted":
      if (job.state === "pending") return refuse("a pending job holds no lease");
      return to("failed");
  }
}

/** How often the agent renews its lease (and streams progress), and how long a lease lasts without renewal. */
export const JOB_RENEW_EVERY_MS = 1000;
export const JOB_LEASE_MS = 10_000;

/** The reasons recorded when the server, not the agent, ends a job. */
export const AGENT_LOST_REASON = "agent lost during job (its lease expired); not re-run";
