import { viewerProcedure } from "@/server/api/trpc";
import { tuneChangeLatency, tuneLatencyInput } from "@/server/contract/api/tuning";
import { getTuneLatency as getTuneLatencyService } from "@/server/services/tuning/get-tune-latency";

/** Latency of the window before a tuning change next to the window after it (null until the job succeeded). */
export const getTuneLatency = viewerProcedure
  .input(tuneLatencyInput)
  .output(tuneChangeLatency.nullable())
  .query(({ input }) => getTuneLatencyService(input));
