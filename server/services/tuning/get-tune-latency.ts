import type { TuneChangeLatency } from "@/server/contract/api/tuning";
import { DomainError } from "@/server/errors";
import { findJobHost } from "@/server/repo/jobs";
import { listTuneChangeLatency } from "@/server/services/tuning/list-tune-change-latency";

/**
 * The tuning result's "latency before and after": the merged cyclictest statistics of the window before
 * the job next to the window since it. Null while the job has not succeeded (or is a plan/verify).
 */
export async function getTuneLatency(opts: { jobId: string; now?: Date }): Promise<TuneChangeLatency | null> {
  const job = await findJobHost(opts.jobId);
  if (!job) throw new DomainError("NOT_FOUND", "no such job");
  if (job.kind !== "tune") throw new DomainError("INVALID", "not a tuning job");
  const [change] = await listTuneChangeLatency({ hostId: job.hostId, only: opts.jobId, limit: 1, now: opts.now });
  return change ?? null;
}
