import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { hostWindowStats } from "@/server/repo/latency";
import { hostIdInput, sloTargetsOutput, sloVerdictOutput, statsOutput, windowInput, windowOutput } from "./io-schemas";

/** One host's merged statistics over a window. */
export const getHostStats = viewerProcedure
  .input(z.object({ hostId: hostIdInput, window: windowInput }).strict())
  .output(
    z.object({
      hostId: z.string(),
      hostname: z.string(),
      window: windowOutput,
      stats: statsOutput,
      slo: sloVerdictOutput,
      sloTargets: sloTargetsOutput,
      excludedRuns: z.number(),
      rowsRead: z.number(),
    }),
  )
  .query(({ input }) => hostWindowStats(input.hostId, input.window));
