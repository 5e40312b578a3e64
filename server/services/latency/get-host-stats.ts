import type { HostWindowStats } from "@/server/contract/api/latency";
import { DEFAULT_SLO, sloVerdict } from "@/server/domain/latency/slo";
import { statsOfParts } from "@/server/domain/latency/stats";
import { resolveWindow, type WindowSpec } from "@/server/domain/latency/window";
import { requireHost } from "@/server/repo/hosts";
import { loadWindowParts } from "@/server/repo/latency-window-parts";
import { resolveHostProfiles } from "@/server/services/compliance/resolve-host-profiles";

/** One host's merged statistics over a window, judged against its profile's SLO. */
export async function getHostStats(opts: { hostId: string; window: WindowSpec; now?: Date }): Promise<HostWindowStats> {
  const { hostId } = opts;
  const range = resolveWindow(opts.window, opts.now ?? new Date());
  const host = await requireHost(hostId);
  const [parts, profiles] = await Promise.all([loadWindowParts([hostId], range), resolveHostProfiles({ hostIds: [hostId] })]);
  const p = parts.get(hostId) ?? { parts: [], excludedRuns: 0, rowsRead: 0 };
  const stats = statsOfParts(p.parts);
  const sloTargets = profiles.get(hostId)?.targets ?? DEFAULT_SLO;
  return { hostId, hostname: host.hostname, window: range, stats, slo: sloVerdict(stats, sloTargets), sloTargets, excludedRuns: p.excludedRuns, rowsRead: p.rowsRead };
}
