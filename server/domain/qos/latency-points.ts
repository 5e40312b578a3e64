/**
 * The host's cyclictest runs as detector input (pure): one point per run, at the run's end, with its
 * worst latency in µs (a run taken with -N reports ns).
 */
import type { LatencyPoint } from "@/server/domain/qos/noisy-neighbour";

export interface LatencyRunSummary {
  startedAt: Date;
  durationS: number;
  /** merged max over the run's threads; null when the run recorded none */
  max: number | null;
  /** "us" or "ns" */
  unit: string;
}

export function latencyPointsOfRuns(runs: readonly LatencyRunSummary[]): LatencyPoint[] {
  const out: LatencyPoint[] = [];
  for (const r of runs) {
    if (r.max === null || !Number.isFinite(r.max) || !Number.isFinite(r.durationS)) continue;
    out.push({ atMs: r.startedAt.getTime() + Math.max(0, r.durationS) * 1000, maxUs: r.unit === "ns" ? r.max / 1000 : r.max });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}
