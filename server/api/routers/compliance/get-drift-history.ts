import { viewerProcedure } from "@/server/api/trpc";
import { driftHistoryInput, driftHistorySchema } from "@/server/contract/api/compliance";
import { getDriftHistory as getDriftHistoryService } from "@/server/services/compliance/get-drift-history";

/** A host's drift timeline: what changed and how its compliance changed with it, newest first. */
export const getDriftHistory = viewerProcedure
  .input(driftHistoryInput)
  .output(driftHistorySchema)
  .query(({ input }) => getDriftHistoryService(input));
