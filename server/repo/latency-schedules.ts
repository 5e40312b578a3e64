/** Per-host cyclictest schedules: queries only. */
import { prisma } from "@/server/db";
import type { LatencyScheduleInput } from "@/server/contract/latency-schedule";
import type { Db } from "@/server/repo/profiles";

export type StoredSchedule = LatencyScheduleInput & { updatedAt: Date; updatedBy: string | null };

export async function findSchedule(hostId: string): Promise<StoredSchedule | null> {
  return prisma().latencySchedule.findUnique({
    where: { hostId },
    select: { enabled: true, cpus: true, durationS: true, intervalUs: true, priority: true, histogramSize: true, everyMinutes: true, load: true, updatedAt: true, updatedBy: true },
  });
}

export async function upsertSchedule(hostId: string, s: LatencyScheduleInput, updatedBy: string, db: Db = prisma()): Promise<void> {
  await db.latencySchedule.upsert({ where: { hostId }, create: { hostId, ...s, updatedBy }, update: { ...s, updatedBy } });
}
