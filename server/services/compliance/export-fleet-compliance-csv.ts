import { fleetComplianceCsv } from "@/server/domain/compliance/csv";
import type { FleetFilter } from "@/server/domain/compliance/fleet-filter";
import { listFleetCompliance } from "@/server/services/compliance/list-fleet-compliance";

/** The fleet compliance matrix as CSV text, named after the day it was made. */
export async function exportFleetComplianceCsv(opts: { filter?: FleetFilter; now?: Date } = {}): Promise<{ filename: string; csv: string; rows: number }> {
  const rows = await listFleetCompliance({ filter: opts.filter });
  const day = (opts.now ?? new Date()).toISOString().slice(0, 10);
  return { filename: `nfvdeck-compliance-${day}.csv`, csv: fleetComplianceCsv(rows), rows: rows.length };
}
