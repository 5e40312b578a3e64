import type { FleetReportPage, FleetReportPageInput } from "@/server/contract/api/latency";
import type { FleetReportRow } from "@/server/domain/latency/csv";
import { mergeManyParts } from "@/server/domain/latency/merge-many";
import { sloVerdict } from "@/server/domain/latency/slo";
import { emptyStats, statsOfParts } from "@/server/domain/latency/stats";
import { resolveWindow } from "@/server/domain/latency/window";
import type { TimeRange } from "@/server/domain/latency/window-cover";
import { rankFleetLatency } from "@/server/repo/latency-fleet-page";
import { loadWindowParts } from "@/server/repo/latency-window-parts";
import { resolveHostProfiles } from "@/server/services/compliance/resolve-host-profiles";

/** The report rows of some hosts (in the given order), computed exactly by the domain code. */
export async function reportRowsOf(hostIds: readonly string[], range: TimeRange): Promise<FleetReportRow[]> {
  if (hostIds.length === 0) return [];
  const [parts, profiles] = await Promise.all([loadWindowParts(hostIds, range), resolveHostProfiles({ hostIds })]);
  return hostIds.flatMap((hostId) => {
    const h = profiles.get(hostId);
    if (!h) return []; // deleted between the reads
    const p = parts.get(hostId);
    const merged = p && p.parts.length > 0 ? mergeManyParts(p.parts) : null;
    const stats = merged ? statsOfParts([merged]) : emptyStats();
    return [{ hostId, hostname: h.hostname, stats, slo: sloVerdict(stats, h.targets) }];
  });
}

/**
 * One page of the fleet latency report at any fleet size: ranks, counts, SLO verdicts and the fleet's
 * merged distribution come from SQL; only the page's hosts are merged here.
 */
export async function getFleetReportPage(opts: { input: FleetReportPageInput; now?: Date }): Promise<FleetReportPage> {
  const { window, ...rest } = opts.input;
  const range = resolveWindow(window, opts.now ?? new Date());
  const rank = await rankFleetLatency(rest, range);
  const rows = await reportRowsOf(rank.ids, range);
  return {
    window: range,
    hosts: rank.hosts,
    hostsWithData: rank.hostsWithData,
    failing: rank.failing,
    matching: rank.matching,
    page: rank.page,
    pageSize: rest.pageSize,
    fleet: rank.fleet ? statsOfParts([rank.fleet]) : emptyStats(),
    rows,
  };
}
