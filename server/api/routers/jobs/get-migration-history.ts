import { viewerProcedure } from "@/server/api/trpc";
import { migrationHistoryInput, migrationHistoryOutput } from "@/server/contract/job";
import { getMigrationHistory as history } from "@/server/services/jobs/get-migration-history";

export const getMigrationHistory = viewerProcedure
  .input(migrationHistoryInput)
  .output(migrationHistoryOutput)
  .query(({ input }) => history(input.hostId, input.vm));
