import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { hostIdInput, runDetailOutput } from "@/server/contract/api/latency";
import { getRun as getRunService } from "@/server/services/latency/get-run";

/** One run with per-thread histograms; `{ hostId }` = that host's latest run (null if none). */
export const getRun = viewerProcedure
  .input(z.union([z.object({ runId: z.string().uuid() }).strict(), z.object({ hostId: hostIdInput }).strict()]))
  .output(runDetailOutput.nullable())
  .query(({ input }) => getRunService(input));
