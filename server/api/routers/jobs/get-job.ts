import { viewerProcedure } from "@/server/api/trpc";
import { getJobInput, getJobOutput } from "@/server/contract/job";
import { getJob as get } from "@/server/services/jobs/get-job";

export const getJob = viewerProcedure
  .input(getJobInput)
  .output(getJobOutput)
  .query(({ input }) => get(input.id));
