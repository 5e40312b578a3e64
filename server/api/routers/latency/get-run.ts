import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { getRun as getRunRepo } from "@/server/repo/latency";
import { histogramPairs, hostIdInput, runSummaryOutput, statsOutput } from "./io-schemas";

/** One run with per-thread histograms; `{ hostId }` = that host's latest run (null if none). */
export const getRun = viewerProcedure
  .input(z.union([z.object({ runId: z.string().uuid() }).strict(), z.object({ hostId: hostIdInput }).strict()]))
  .output(
    runSummaryOutput
      .extend({
        hostname: z.string(),
        cmdline: z.string().nullable(),
        threads: z.array(z.object({ thread: z.number(), cpu: z.number().nullable(), stats: statsOutput, histogram: histogramPairs })),
      })
      .nullable(),
  )
  .query(({ input }) => getRunRepo(input));
