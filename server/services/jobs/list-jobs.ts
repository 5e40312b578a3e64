import type { ListJobsFilter } from "@/server/contract/job";
import { listJobs as queryJobs } from "@/server/repo/jobs";

export async function listJobs(filter: ListJobsFilter) {
  return { generatedAt: new Date(), jobs: await queryJobs(filter) };
}
