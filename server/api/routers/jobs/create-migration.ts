import { operatorProcedure } from "@/server/api/trpc";
import { createJobOutput, createMigrationInput } from "@/server/contract/job";
import { createMigrationJob } from "@/server/services/jobs/create-migration-job";

export const createMigration = operatorProcedure
  .input(createMigrationInput)
  .output(createJobOutput)
  .mutation(({ ctx, input }) => createMigrationJob(ctx.user, input));
