import type { LatencySchedule } from "@/server/contract/api/latency";
import { DEFAULT_SCHEDULE } from "@/server/contract/latency-schedule";
import { requireHost } from "@/server/repo/hosts";
import { findSchedule } from "@/server/repo/latency-schedules";

/** The host's cyclictest schedule (the defaults, disabled, when none was ever set). */
export async function getSchedule(opts: { hostId: string }): Promise<LatencySchedule> {
  await requireHost(opts.hostId);
  const s = await findSchedule(opts.hostId);
  return s ? { hostId: opts.hostId, ...s } : { hostId: opts.hostId, ...DEFAULT_SCHEDULE, updatedAt: null, updatedBy: null };
}
