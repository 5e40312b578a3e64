import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { fleetReport } from "@/server/repo/latency";
import { sloVerdictOutput, statsOutput, windowInput, windowOutput } from "./io-schemas";

/** Every host's merged statistics over a window, with SLO pass/fail. */
export const getFleetReport = viewerProcedure
  .input(z.object({ window: windowInput }).strict())
  .output(
    z.object({
      window: windowOutput,
      rows: z.array(z.object({ hostId: z.string(), hostname: z.string(), stats: statsOutput, slo: sloVerdictOutput })),
      fleet: statsOutput,
      hostsWithData: z.number(),
      rowsRead: z.number(),
    }),
  )
  .query(({ input }) => fleetReport(input.window));
