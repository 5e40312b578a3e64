"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/client";
import { TERMINAL_JOB_STATES, type JobState } from "@/server/contract/job";

const TERMINAL: readonly string[] = TERMINAL_JOB_STATES;

export function isTerminalJobState(state: JobState | string): boolean {
  return TERMINAL.includes(state);
}

/**
 * One job, live: `jobs.get` polled every second while the job is pending, claimed or running (progress
 * arrives with the agent's lease renewals, about once a second). Once it ends, polling stops, or slows to
 * `afterEndMs` where the page wants late audit rows (the job detail page). Returns the query and `done`.
 */
export function useLiveJob(jobId: string, options: { everyMs?: number; afterEndMs?: number | false } = {}) {
  const trpc = useTRPC();
  const everyMs = options.everyMs ?? 1000;
  const afterEndMs = options.afterEndMs ?? false;
  const query = useQuery({
    ...trpc.jobs.get.queryOptions({ id: jobId }),
    refetchInterval: (q) => (q.state.data && isTerminalJobState(q.state.data.job.state) ? afterEndMs : everyMs),
  });
  const job = query.data?.job ?? null;
  return { query, job, done: job !== null && isTerminalJobState(job.state) };
}
