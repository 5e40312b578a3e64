import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { hostTrend } from "@/server/repo/latency";
import { driftMarkerOutput, hostIdInput, sloTargetsOutput, trendPointOutput, windowInput, windowOutput } from "./io-schemas";

/** p50/p99/p99.99/max per run, hour or day, with drift markers and the host's SLO targets. */
export const getTrend = viewerProcedure
  .input(z.object({ hostId: hostIdInput, window: windowInput, resolution: z.enum(["run", "hour", "day"]).optional() }).strict())
  .output(
    z.object({
      hostId: z.string(),
      window: windowOutput,
      resolution: z.enum(["run", "hour", "day"]),
      points: z.array(trendPointOutput),
      markers: z.array(driftMarkerOutput),
      sloTargets: sloTargetsOutput,
    }),
  )
  .query(({ input }) => hostTrend(input.hostId, input.window, input.resolution));
