import { viewerProcedure } from "@/server/api/trpc";
import { listJobsInput, listJobsOutput } from "@/server/contract/job";
import { listJobs as list } from "@/server/services/jobs/list-jobs";

export const listJobs = viewerProcedure
  .input(listJobsInput)
  .output(listJobsOutput)
  .query(({ input }) => list(input));
