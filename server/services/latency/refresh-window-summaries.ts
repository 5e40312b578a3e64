/**
 * The refresher of the precomputed latency window summaries (server/repo/latency-window-summary.ts):
 * every agent-API process runs it on a short timer (the summary windows move at every whole hour, and a
 * late run makes its host's rows stale); a per-preset advisory lock lets one process work at a time.
 * Housekeeping runs the same pass.
 */
import { summaryExpiresAt } from "@/server/domain/latency/window-summary";
import { refreshWindowSummaries, type RefreshResult } from "@/server/repo/latency-window-summary";

export async function refreshLatencyWindowSummaries(opts: { now?: Date; log?: (line: string) => void } = {}): Promise<RefreshResult[]> {
  const results = await refreshWindowSummaries({ now: opts.now ?? new Date() });
  const log = opts.log ?? ((line: string) => console.log(`latency summaries: ${line}`));
  for (const r of results) {
    if (r.hosts > 0 || r.fleet) log(`${r.preset}: ${r.hosts} host row(s) in ${r.batches} batch(es)${r.fleet ? ", fleet row" : ""}, ${r.ms} ms`);
  }
  return results;
}

/** Runs the refresh every `everyMs` (first after `firstAfterMs`) in this process. Returns the stop function. */
export function startWindowSummaryRefresher(opts: { everyMs: number; firstAfterMs?: number; clock?: () => Date; log?: (line: string) => void }): () => void {
  let running = false;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = true;
    void refreshLatencyWindowSummaries({ now: opts.clock?.() ?? new Date(), ...(opts.log ? { log: opts.log } : {}) })
      .catch((err: unknown) => console.error("latency summaries: refresh failed:", err instanceof Error ? err.message : err))
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(tick, opts.firstAfterMs ?? 3_000);
  first.unref();
  const timer = setInterval(tick, opts.everyMs);
  timer.unref();
  // and just after every whole hour, when every window moves (pages use the exact query until this is done)
  let hourly: NodeJS.Timeout | null = null;
  const atHour = () => {
    const now = opts.clock?.() ?? new Date();
    hourly = setTimeout(() => {
      tick();
      if (!stopped) atHour();
    }, summaryExpiresAt(now).getTime() - now.getTime() + 1_000);
    hourly.unref();
  };
  atHour();
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    if (hourly) clearTimeout(hourly);
  };
}
