import { operatorProcedure } from "@/server/api/trpc";
import { createJobOutput, createMigrationPredictionInput } from "@/server/contract/job";
import { createMigrationPredictionJob } from "@/server/services/jobs/create-migration-prediction-job";

export const createMigrationPrediction = operatorProcedure
  .input(createMigrationPredictionInput)
  .output(createJobOutput)
  .mutation(({ ctx, input }) => createMigrationPredictionJob(ctx.user, input));
