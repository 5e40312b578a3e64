import type { FleetReport } from "@/server/contract/api/latency";
import type { FleetReportRow } from "@/server/domain/latency/csv";
import type { HistogramPart } from "@/server/domain/latency/histogram";
import { mergeManyParts } from "@/server/domain/latency/merge-many";
import { sloVerdict } from "@/server/domain/latency/slo";
import { emptyStats, statsOfParts } from "@/server/domain/latency/stats";
import { resolveWindow, type WindowSpec } from "@/server/domain/latency/window";
import { loadWindowParts } from "@/server/repo/latency-window-parts";
import { resolveHostProfiles } from "@/server/services/compliance/resolve-host-profiles";

/** Every host's merged statistics over a window with its SLO verdict, and the fleet as one distribution. */
export async function getFleetReport(opts: { window: WindowSpec; now?: Date }): Promise<FleetReport> {
  const range = resolveWindow(opts.window, opts.now ?? new Date());
  const [partsByHost, hosts] = await Promise.all([loadWindowParts(null, range), resolveHostProfiles({ hostIds: null })]);
  const rows: FleetReportRow[] = [];
  const fleetParts: HistogramPart[] = [];
  let rowsRead = 0;
  let hostsWithData = 0;
  for (const [hostId, h] of hosts) {
    const p = partsByHost.get(hostId);
    rowsRead += p?.rowsRead ?? 0;
    const merged = p && p.parts.length > 0 ? mergeManyParts(p.parts) : null;
    if (merged) {
      hostsWithData++;
      fleetParts.push(merged);
    }
    const stats = merged ? statsOfParts([merged]) : emptyStats();
    rows.push({ hostId, hostname: h.hostname, stats, slo: sloVerdict(stats, h.targets) });
  }
  return { window: range, rows, fleet: statsOfParts(fleetParts), hostsWithData, rowsRead };
}
