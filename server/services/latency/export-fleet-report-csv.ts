import { fleetReportCsv } from "@/server/domain/latency/csv";
import type { WindowSpec } from "@/server/domain/latency/window";
import { getFleetReport } from "@/server/services/latency/get-fleet-report";

/** The fleet latency report as CSV, named after its window. */
export async function exportFleetReportCsv(opts: { window: WindowSpec; now?: Date }): Promise<{ filename: string; csv: string }> {
  const report = await getFleetReport(opts);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { filename: `latency-report-${day(report.window.from)}-${day(report.window.to)}.csv`, csv: fleetReportCsv(report.rows, report.window) };
}
