import { fleetReportCsv } from "@/server/domain/latency/csv";
import { resolveWindow, type WindowSpec } from "@/server/domain/latency/window";
import { hostIdBatches } from "@/server/repo/latency-fleet-page";
import { reportRowsOf } from "@/server/services/latency/get-fleet-report-page";

/** The fleet latency report as CSV (every host, merged a batch of hosts at a time), named after its window. */
export async function exportFleetReportCsv(opts: { window: WindowSpec; now?: Date }): Promise<{ filename: string; csv: string }> {
  const range = resolveWindow(opts.window, opts.now ?? new Date());
  const chunks: string[] = [fleetReportCsv([], range)];
  for await (const ids of hostIdBatches(500)) {
    // fleetReportCsv always starts with its header line: keep the rows only
    const text = fleetReportCsv(await reportRowsOf(ids, range), range);
    chunks.push(text.slice(text.indexOf("\r\n") + 2));
  }
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { filename: `latency-report-${day(range.from)}-${day(range.to)}.csv`, csv: chunks.join("") };
}
