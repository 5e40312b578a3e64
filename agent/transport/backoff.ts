/**
 * Exponential backoff with "full jitter" (AWS architecture blog): the delay before retry n (0-based)
 * is uniform in [0, min(cap, base · 2^n)). Full jitter spreads a fleet of agents that lost the server
 * at the same moment, so they do not all come back in lock-step when it returns. Pure: the random
 * source is a parameter.
 */
export interface BackoffPolicy {
  /** first window, ms */
  baseMs: number;
  /** largest window, ms */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 60_000 };

/** Upper bound of the jitter window for retry `attempt` (0-based): min(max, base·2^attempt). */
export function backoffCeilingMs(policy: BackoffPolicy, attempt: number): number {
  if (!Number.isFinite(attempt) || attempt < 0) return Math.min(policy.maxMs, policy.baseMs);
  // 2^attempt overflows to Infinity past ~1023; min() keeps it at the cap.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.floor(attempt));
}

/** Delay before retry `attempt`: uniform in [0, ceiling). `random` returns [0, 1) like Math.random. */
export function fullJitterDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0;
  return Math.floor(unit * backoffCeilingMs(policy, attempt));
}
