import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { fleetReportOutput, windowInput } from "@/server/contract/api/latency";
import { getFleetReport as getFleetReportService } from "@/server/services/latency/get-fleet-report";

/** Every host's merged statistics over a window, with SLO pass/fail. */
export const getFleetReport = viewerProcedure
  .input(z.object({ window: windowInput }).strict())
  .output(fleetReportOutput)
  .query(({ input }) => getFleetReportService(input));
