import { AGENT_LOST_REASON } from "@/server/domain/jobs/transitions";
import { failExpiredLeases } from "@/server/repo/jobs";
import { systemClock, type Clock } from "@/server/services/jobs/clock";

/** Fails (never re-queues) every job whose agent stopped renewing its lease. Safe to run in several processes at once. */
export async function expireJobLeases(clock: Clock = systemClock): Promise<{ id: string; hostId: string }[]> {
  return failExpiredLeases(clock(), AGENT_LOST_REASON);
}

/** Runs the sweep every `everyMs` in this process; returns the stop function. */
export function startLeaseSweeper(everyMs = 2000, clock: Clock = systemClock): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void expireJobLeases(clock)
      .catch(() => undefined)
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
