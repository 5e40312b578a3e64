import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { hostIdInput, runSummaryOutput } from "@/server/contract/api/latency";
import { listRuns as listRunsService } from "@/server/services/latency/list-runs";

export const listRuns = viewerProcedure
  .input(z.object({ hostId: hostIdInput, limit: z.number().int().min(1).max(500).default(50), before: z.coerce.date().optional() }).strict())
  .output(z.array(runSummaryOutput))
  .query(({ input }) => listRunsService({ hostId: input.hostId, limit: input.limit, ...(input.before ? { before: input.before } : {}) }));
