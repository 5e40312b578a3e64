import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { compareHosts as compareHostsRepo } from "@/server/repo/latency";
import { driftMarkerOutput, histogramPairs, hostIdInput, sloVerdictOutput, statsOutput, trendPointOutput, windowInput, windowOutput } from "./io-schemas";

/** 2–4 hosts' merged histograms and trends over one window. */
export const compareHosts = viewerProcedure
  .input(z.object({ hostIds: z.array(hostIdInput).min(2).max(4), window: windowInput }).strict())
  .output(
    z.object({
      window: windowOutput,
      resolution: z.enum(["run", "hour", "day"]),
      hosts: z.array(
        z.object({
          hostId: z.string(),
          hostname: z.string(),
          stats: statsOutput,
          slo: sloVerdictOutput,
          histogram: histogramPairs,
          trend: z.array(trendPointOutput),
          markers: z.array(driftMarkerOutput),
        }),
      ),
    }),
  )
  .query(({ input }) => compareHostsRepo(input.hostIds, input.window));
