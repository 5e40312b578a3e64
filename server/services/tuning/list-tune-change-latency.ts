import type { LatencyWindowSummary, TuneChangeLatency } from "@/server/contract/api/tuning";
import { tuneActionIdSchema } from "@/server/contract/tuning";
import type { HostWindowStats } from "@/server/contract/api/latency";
import { tuneLatencyWindows } from "@/server/domain/tuning/latency-windows";
import { listTuneWrites } from "@/server/repo/jobs";
import { getHostStats } from "@/server/services/latency/get-host-stats";

function summary(s: HostWindowStats, w: { from: Date; to: Date }): LatencyWindowSummary {
  return {
    from: w.from,
    to: w.to,
    runs: s.stats.runs,
    cycles: s.stats.cycles,
    overflows: s.stats.overflows,
    maxUs: s.stats.max,
    p99999Us: s.stats.percentiles["99.999"] ?? null,
    meanUs: s.stats.mean,
    slo: s.slo,
  };
}

/**
 * The host's tuning changes (succeeded applies and rollbacks), newest first, each with the merged
 * cyclictest statistics of the window before it and the window after it (server/domain/tuning/latency-windows).
 * `only` limits it to one job (the tuning result), `limit` to the newest N (the drift history).
 */
export async function listTuneChangeLatency(opts: { hostId: string; only?: string; limit?: number; now?: Date }): Promise<TuneChangeLatency[]> {
  const writes = await listTuneWrites(opts.hostId);
  const picked = writes
    .map((w, i) => ({ w, prev: writes[i - 1] ?? null, next: writes[i + 1] ?? null }))
    .filter((x) => (opts.only ? x.w.id === opts.only : true))
    .reverse()
    .slice(0, opts.limit ?? 20);
  const out: TuneChangeLatency[] = [];
  for (const { w, prev, next } of picked) {
    const action = tuneActionIdSchema.safeParse(w.action);
    if (!action.success || (w.mode !== "apply" && w.mode !== "rollback")) continue;
    const windows = tuneLatencyWindows(w, { previousFinishedAt: prev?.finishedAt ?? null, nextStartedAt: next?.startedAt ?? null });
    const [before, after] = await Promise.all([
      getHostStats({ hostId: opts.hostId, window: windows.before, now: opts.now }),
      getHostStats({ hostId: opts.hostId, window: windows.after, now: opts.now }),
    ]);
    out.push({
      jobId: w.id,
      hostId: w.hostId,
      action: action.data,
      mode: w.mode,
      startedAt: w.startedAt,
      finishedAt: w.finishedAt,
      sloTargets: after.sloTargets,
      before: summary(before, windows.before),
      after: summary(after, windows.after),
    });
  }
  return out;
}
