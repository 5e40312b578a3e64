import type { ReportInput, ReportOutput } from "@/server/contract/report";
import { ingestReport } from "@/server/repo/reports";
import { prisma } from "@/server/db";
import { afterSnapshotChange } from "@/server/repo/snapshot-hooks";

/** Stores the report, runs post-change hooks (compliance), and returns the agent's current config. */
export async function ingestReportAndConfigure(hostId: string, input: ReportInput): Promise<ReportOutput> {
  const stored = await ingestReport(hostId, input);
  if (stored.sectionsChanged.length > 0) await afterSnapshotChange(hostId, stored.sectionsChanged);
  const host = await prisma().host.findUnique({
    where: { id: hostId },
    select: {
      heartbeatSeconds: true,
      latencySchedule: {
        select: { enabled: true, cpus: true, durationS: true, intervalUs: true, priority: true, histogramSize: true, everyMinutes: true, load: true },
      },
    },
  });
  const s = host?.latencySchedule;
  return {
    ...stored,
    config: {
      heartbeatSeconds: host?.heartbeatSeconds ?? 10,
      latencySchedule:
        s && s.enabled
          ? { cpus: s.cpus, durationS: s.durationS, intervalUs: s.intervalUs, priority: s.priority, histogramSize: s.histogramSize, everyMinutes: s.everyMinutes, load: s.load }
          : null,
    },
  };
}
