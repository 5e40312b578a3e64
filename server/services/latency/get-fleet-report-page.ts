import type { FleetReportPage, FleetReportPageInput } from "@/server/contract/api/latency";
import type { FleetReportRow } from "@/server/domain/latency/csv";
import { mergeManyParts } from "@/server/domain/latency/merge-many";
import { sloVerdict } from "@/server/domain/latency/slo";
import { emptyStats, statsOfParts } from "@/server/domain/latency/stats";
import { resolveWindow, type ResolvedWindow, type WindowPreset } from "@/server/domain/latency/window";
import { summaryWindow, type SummaryWindow } from "@/server/domain/latency/window-summary";
import type { TimeRange } from "@/server/domain/latency/window-cover";
import { rankFleetLatency, type FleetRankResult } from "@/server/repo/latency-fleet-page";
import { rankFromSummaries, refreshWindowSummary } from "@/server/repo/latency-window-summary";
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

/** Hosts a page request may recompute itself before it falls back to the exact query (the refresher does the rest). */
export const LAZY_REFRESH_HOSTS = 500;

/**
 * A preset window's ranks from the precomputed summaries: current ones as they are; at most `lazyHosts`
 * pending host rows (stale after a late run, a new host) recomputed first; more than that (the hour just
 * turned and the refresher has not run yet, or it is running in another process) → the exact query over
 * the same window, so the figures are the same either way.
 */
async function rankPreset(
  input: Omit<FleetReportPageInput, "window">,
  preset: WindowPreset,
  w: SummaryWindow,
  now: Date,
  lazyHosts: number,
): Promise<{ rank: FleetRankResult; source: "summary" | "exact" }> {
  // optimistic: one query ranks from the summaries and says whether they were all current
  let { rank, status } = await rankFromSummaries(input, preset, w);
  if ((status.pending > 0 || !status.fleetCurrent) && status.pending <= lazyHosts) {
    const r = await refreshWindowSummary(preset, { now, maxHosts: lazyHosts, waitMs: 2000 });
    if (!r.skipped) ({ rank, status } = await rankFromSummaries(input, preset, w));
  }
  if (status.pending === 0 && status.fleetCurrent) return { rank, source: "summary" };
  return { rank: await rankFleetLatency(input, w), source: "exact" };
}

/**
 * One page of the fleet latency report at any fleet size: ranks, counts, SLO verdicts and the fleet's
 * merged distribution come from SQL (for a preset window from the per-host summaries, as of the last whole
 * hour); only the page's hosts are merged here, exactly.
 */
export async function getFleetReportPage(opts: { input: FleetReportPageInput; now?: Date; lazyHosts?: number }): Promise<FleetReportPage> {
  const { window, ...rest } = opts.input;
  const now = opts.now ?? new Date();
  let range: ResolvedWindow;
  let asOf: Date | null = null;
  let rank: FleetRankResult;
  let source: "summary" | "exact" = "exact";
  if ("preset" in window) {
    const w = summaryWindow(window.preset, now);
    ({ rank, source } = await rankPreset(rest, window.preset, w, now, opts.lazyHosts ?? LAZY_REFRESH_HOSTS));
    range = { from: w.from, to: w.to, label: w.label };
    asOf = w.asOf;
  } else {
    range = resolveWindow(window, now);
    rank = await rankFleetLatency(rest, range);
  }
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
    asOf,
    source,
  };
}
