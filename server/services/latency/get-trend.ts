import type { HostTrend } from "@/server/contract/api/latency";
import { driftMarkers } from "@/server/domain/latency/drift-markers";
import { DEFAULT_SLO } from "@/server/domain/latency/slo";
import { floorUtc } from "@/server/domain/latency/time-buckets";
import { chooseTrendResolution, trendPoint, type TrendResolution } from "@/server/domain/latency/trend";
import { resolveWindow, type WindowSpec } from "@/server/domain/latency/window";
import { driftEventsBetween } from "@/server/repo/drift-events";
import { requireHost } from "@/server/repo/hosts";
import { rollupPartsBetween, runPartsBetween } from "@/server/repo/latency-runs";
import { resolveHostProfiles } from "@/server/services/compliance/resolve-host-profiles";

/** p50/p99/p99.99/max per run, hour or day over a window, with drift markers and the host's SLO targets. */
export async function getTrend(opts: { hostId: string; window: WindowSpec; resolution?: TrendResolution; now?: Date }): Promise<HostTrend> {
  const { hostId } = opts;
  const range = resolveWindow(opts.window, opts.now ?? new Date());
  await requireHost(hostId);
  const res = opts.resolution ?? chooseTrendResolution(range.to.getTime() - range.from.getTime());
  const parts = res === "run" ? await runPartsBetween(hostId, range.from, range.to, 5000) : await rollupPartsBetween(hostId, res, floorUtc(range.from, res), range.to);
  const [events, profiles] = await Promise.all([driftEventsBetween(hostId, range.from, range.to, 500), resolveHostProfiles({ hostIds: [hostId] })]);
  return {
    hostId,
    window: range,
    resolution: res,
    points: parts.map((p) => trendPoint(p.at, [p.part])),
    markers: driftMarkers(events),
    sloTargets: profiles.get(hostId)?.targets ?? DEFAULT_SLO,
  };
}
