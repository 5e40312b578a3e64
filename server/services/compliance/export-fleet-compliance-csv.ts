import { fleetComplianceCsv } from "@/server/domain/compliance/csv";
import type { FleetFilter } from "@/server/domain/compliance/fleet-filter";
import { fleetComplianceBatches } from "@/server/repo/fleet-compliance-page";

/** The fleet compliance matrix as CSV text (every matching host, read in batches), named after the day it was made. */
export async function exportFleetComplianceCsv(opts: { filter?: FleetFilter; now?: Date } = {}): Promise<{ filename: string; csv: string; rows: number }> {
  const chunks: string[] = [fleetComplianceCsv([])];
  let rows = 0;
  for await (const batch of fleetComplianceBatches(opts.filter ?? {})) {
    rows += batch.length;
    // fleetComplianceCsv always starts with its header line: keep the rows only
    const text = fleetComplianceCsv(batch);
    chunks.push(text.slice(text.indexOf("\r\n") + 2));
  }
  const day = (opts.now ?? new Date()).toISOString().slice(0, 10);
  return { filename: `nfvdeck-compliance-${day}.csv`, csv: chunks.join(""), rows };
}
