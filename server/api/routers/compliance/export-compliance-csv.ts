import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { fleetFilterSchema } from "@/server/domain/compliance/fleet-filter";
import { exportFleetComplianceCsv } from "@/server/repo/compliance";

/** The fleet compliance matrix as CSV text (the page offers it as a download). */
export const exportComplianceCsv = viewerProcedure
  .input(fleetFilterSchema.default({}))
  .output(z.object({ filename: z.string(), csv: z.string(), rows: z.number().int() }))
  .query(({ input }) => exportFleetComplianceCsv(input));
