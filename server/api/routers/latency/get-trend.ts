import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { hostIdInput, hostTrendOutput, resolutionOutput, windowInput } from "@/server/contract/api/latency";
import { getTrend as getTrendService } from "@/server/services/latency/get-trend";

/** p50/p99/p99.99/max per run, hour or day, with drift markers and the host's SLO targets. */
export const getTrend = viewerProcedure
  .input(z.object({ hostId: hostIdInput, window: windowInput, resolution: resolutionOutput.optional() }).strict())
  .output(hostTrendOutput)
  .query(({ input }) => getTrendService(input));
