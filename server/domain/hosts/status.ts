export const HOST_STATUSES = ["online", "stale", "offline"] as const;
export type HostStatus = (typeof HOST_STATUSES)[number];

/**
 * Status from the heartbeat: online within 3 missed heartbeats, stale up to 5 minutes
 * (or 30 heartbeats for slow schedules), offline after that or when never seen.
 */
export function deriveHostStatus(lastSeenAt: Date | null, now: Date, heartbeatSeconds: number): HostStatus {
  if (!lastSeenAt) return "offline";
  const ageS = (now.getTime() - lastSeenAt.getTime()) / 1000;
  if (ageS <= heartbeatSeconds * 3) return "online";
  if (ageS <= Math.max(300, heartbeatSeconds * 30)) return "stale";
  return "offline";
}
