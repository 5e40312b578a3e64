import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { windowInput } from "@/server/contract/api/latency";
import { exportFleetReportCsv as exportFleetReportCsvService } from "@/server/services/latency/export-fleet-report-csv";

/** The fleet latency report as CSV (served as a download by app/api/latency/report.csv). */
export const exportFleetReportCsv = viewerProcedure
  .input(z.object({ window: windowInput }).strict())
  .output(z.object({ filename: z.string(), csv: z.string() }))
  .query(({ input }) => exportFleetReportCsvService(input));
