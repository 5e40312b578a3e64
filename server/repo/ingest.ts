import type { ReportInput, ReportOutput } from "@/server/contract/report";
import { ingestReport } from "@/server/repo/reports";
import { prisma } from "@/server/db";
import { afterSnapshotChange } from "@/server/repo/snapshot-hooks";
import { HeartbeatBatcher } from "@/server/repo/heartbeat-batcher";
import { DomainError } from "@/server/errors";
import type { LatencyScheduleInput } from "@/server/domain/latency/schedule";

type AgentConfig = ReportOutput["config"];

const batcher = new HeartbeatBatcher();

/** What the agent is told in every report response: its heartbeat and, if enabled, its latency schedule. */
function toAgentConfig(heartbeatSeconds: number, s: LatencyScheduleInput | null | undefined): AgentConfig {
  return {
    heartbeatSeconds,
    latencySchedule:
      s && s.enabled
        ? { cpus: s.cpus, durationS: s.durationS, intervalUs: s.intervalUs, priority: s.priority, histogramSize: s.histogramSize, everyMinutes: s.everyMinutes, load: s.load }
        : null,
  };
}

/** The config for the (rare) full-report path; heartbeats get it from the batch statement itself. */
async function agentConfig(hostId: string): Promise<AgentConfig> {
  const host = await prisma().host.findUnique({
    where: { id: hostId },
    select: {
      heartbeatSeconds: true,
      latencySchedule: {
        select: { enabled: true, cpus: true, durationS: true, intervalUs: true, priority: true, histogramSize: true, everyMinutes: true, load: true },
      },
    },
  });
  return toAgentConfig(host?.heartbeatSeconds ?? 10, host?.latencySchedule);
}

function isHeartbeatOnly(input: ReportInput): boolean {
  return Object.keys(input.sections).length === 0 && input.latencyRuns.length === 0 && input.qosSamples.length === 0;
}

/** Stores the report, runs post-change hooks (compliance), and returns the agent's current config. */
export async function ingestReportAndConfigure(hostId: string, input: ReportInput): Promise<ReportOutput> {
  if (input.hostId !== hostId) {
    throw new DomainError("FORBIDDEN", "this host token may only report for its own host id");
  }
  if (isHeartbeatOnly(input)) {
    const { duplicate, config } = await batcher.submit({
      hostId,
      idempotencyKey: input.idempotencyKey,
      sequence: input.sequence,
      collectedAt: new Date(input.collectedAt),
      agentVersion: input.agentVersion,
      hostname: input.hostname,
    });
    if (!config) throw new DomainError("NOT_FOUND", "host not found");
    return { stored: !duplicate, duplicate, sectionsChanged: [], config: toAgentConfig(config.heartbeatSeconds, config.schedule) };
  }
  const stored = await ingestReport(hostId, input);
  if (stored.sectionsChanged.length > 0) await afterSnapshotChange(hostId, stored.sectionsChanged);
  return { ...stored, config: await agentConfig(hostId) };
}
