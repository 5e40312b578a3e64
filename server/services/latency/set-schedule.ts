import type { LatencySchedule } from "@/server/contract/api/latency";
import type { LatencyScheduleInput } from "@/server/contract/latency-schedule";
import { normaliseSchedule } from "@/server/domain/latency/schedule";
import { recordAudit, type AuditActor } from "@/server/repo/audit";
import { requireHost } from "@/server/repo/hosts";
import { upsertSchedule } from "@/server/repo/latency-schedules";
import { inTransaction } from "@/server/repo/transaction";
import { getSchedule } from "@/server/services/latency/get-schedule";

/** An operator sets a host's schedule (checked first); the agent receives it with its next report response. */
export async function setSchedule(opts: { hostId: string; schedule: LatencyScheduleInput; actor: AuditActor }): Promise<LatencySchedule> {
  const { hostId, actor } = opts;
  await requireHost(hostId);
  const s = normaliseSchedule(opts.schedule);
  await inTransaction(async (tx) => {
    await upsertSchedule(hostId, s, actor, tx);
    await recordAudit(actor, "latency.schedule.set", "host", hostId, { ...s }, tx);
  });
  return getSchedule({ hostId });
}
