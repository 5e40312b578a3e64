import { operatorProcedure } from "@/server/api/trpc";
import { createJobOutput } from "@/server/contract/job";
import { createTuneJobInput } from "@/server/contract/tuning";
import { createTuneJob as createTuneJobService } from "@/server/services/tuning/create-tune-job";

export const createTuneJob = operatorProcedure
  .input(createTuneJobInput)
  .output(createJobOutput)
  .mutation(({ ctx, input }) => createTuneJobService(ctx.user, input));
