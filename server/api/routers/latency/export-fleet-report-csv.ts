import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { fleetReportCsv } from "@/server/domain/latency/csv";
import { fleetReport } from "@/server/repo/latency";
import { windowInput } from "./io-schemas";

/** The fleet latency report as CSV (served as a download by app/api/latency/report.csv). */
export const exportFleetReportCsv = viewerProcedure
  .input(z.object({ window: windowInput }).strict())
  .output(z.object({ filename: z.string(), csv: z.string() }))
  .query(async ({ input }) => {
    const report = await fleetReport(input.window);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    return { filename: `latency-report-${day(report.window.from)}-${day(report.window.to)}.csv`, csv: fleetReportCsv(report.rows, report.window) };
  });
