import type { FleetComplianceRow } from "@/server/domain/compliance/csv";
import type { FleetFilter } from "@/server/domain/compliance/fleet-filter";
import { listFleetResults } from "@/server/repo/compliance-results";

/** Compliance per host for the fleet matrix (and its CSV), hosts without a result included (as empty rows). */
export async function listFleetCompliance(opts: { filter?: FleetFilter } = {}): Promise<FleetComplianceRow[]> {
  const rows = await listFleetResults(opts.filter ?? {});
  return rows.map((h) => ({
    hostId: h.hostId,
    hostname: h.hostname,
    labels: h.labels,
    profileId: h.result?.profileId ?? null,
    evaluatedAt: h.result?.evaluatedAt ?? null,
    score: h.result?.score ?? null,
    counts: h.result?.counts ?? null,
    sections: h.result?.sections ?? {},
  }));
}
