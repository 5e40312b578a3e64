import { DomainError } from "@/server/errors";
import { getJob as queryJob } from "@/server/repo/jobs";

/** One job with its parameters, live progress, result and audit trail. */
export async function getJob(jobId: string) {
  const job = await queryJob(jobId);
  if (!job) throw new DomainError("NOT_FOUND", "no such job");
  return { generatedAt: new Date(), job };
}
