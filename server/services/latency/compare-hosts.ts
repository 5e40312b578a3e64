import type { CompareHosts } from "@/server/contract/api/latency";
import { histogramEntries, mergeHistograms } from "@/server/domain/latency/histogram";
import { DEFAULT_SLO, sloVerdict } from "@/server/domain/latency/slo";
import { statsOfParts } from "@/server/domain/latency/stats";
import { chooseTrendResolution } from "@/server/domain/latency/trend";
import { resolveWindow, type WindowSpec } from "@/server/domain/latency/window";
import { DomainError } from "@/server/errors";
import { hostnames } from "@/server/repo/hosts";
import { loadWindowParts } from "@/server/repo/latency-window-parts";
import { resolveHostProfiles } from "@/server/services/compliance/resolve-host-profiles";
import { getTrend } from "@/server/services/latency/get-trend";

/** 2–4 hosts' merged histograms and trends over one window (trends by hour at least). */
export async function compareHosts(opts: { hostIds: readonly string[]; window: WindowSpec; now?: Date }): Promise<CompareHosts> {
  const now = opts.now ?? new Date();
  const range = resolveWindow(opts.window, now);
  const unique = [...new Set(opts.hostIds)];
  if (unique.length < 2 || unique.length > 4) throw new DomainError("INVALID", "compare 2 to 4 different hosts");
  const names = await hostnames(unique);
  if (names.size !== unique.length) throw new DomainError("NOT_FOUND", "no such host");
  const chosen = chooseTrendResolution(range.to.getTime() - range.from.getTime());
  const resolution = chosen === "run" ? "hour" : chosen;
  const [partsByHost, profiles, trends] = await Promise.all([
    loadWindowParts(unique, range),
    resolveHostProfiles({ hostIds: unique }),
    Promise.all(unique.map((hostId) => getTrend({ hostId, window: range, resolution, now }))),
  ]);
  const hosts = unique.map((id, i) => {
    const parts = partsByHost.get(id)?.parts ?? [];
    const merged = parts.length > 0 ? mergeHistograms(parts) : null;
    const stats = statsOfParts(parts);
    const trend = trends[i];
    return {
      hostId: id,
      hostname: names.get(id) ?? id,
      stats,
      slo: sloVerdict(stats, profiles.get(id)?.targets ?? DEFAULT_SLO),
      histogram: merged ? histogramEntries(merged.histogram) : [],
      trend: trend?.points ?? [],
      markers: trend?.markers ?? [],
    };
  });
  return { window: range, resolution, hosts };
}
