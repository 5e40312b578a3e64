import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { listRuns as listRunsRepo } from "@/server/repo/latency";
import { hostIdInput, runSummaryOutput } from "./io-schemas";

export const listRuns = viewerProcedure
  .input(z.object({ hostId: hostIdInput, limit: z.number().int().min(1).max(500).default(50), before: z.coerce.date().optional() }).strict())
  .output(z.array(runSummaryOutput))
  .query(({ input }) => listRunsRepo(input.hostId, { limit: input.limit, ...(input.before ? { before: input.before } : {}) }));
