import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { hostIdInput, hostStatsOutput, windowInput } from "@/server/contract/api/latency";
import { getHostStats as getHostStatsService } from "@/server/services/latency/get-host-stats";

/** One host's merged statistics over a window. */
export const getHostStats = viewerProcedure
  .input(z.object({ hostId: hostIdInput, window: windowInput }).strict())
  .output(hostStatsOutput)
  .query(({ input }) => getHostStatsService(input));
