import { operatorProcedure } from "@/server/api/trpc";
import { cancelJobInput, cancelJobOutput } from "@/server/contract/job";
import { cancelJob as cancel } from "@/server/services/jobs/cancel-job";

export const cancelJob = operatorProcedure
  .input(cancelJobInput)
  .output(cancelJobOutput)
  .mutation(({ ctx, input }) => cancel(ctx.user, input.id));
