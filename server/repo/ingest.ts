import type { ReportInput, ReportOutput } from "@/server/contract/report";
import { ingestReport } from "@/server/repo/reports";
import { prisma } from "@/server/db";
import { afterSnapshotChange } from "@/server/repo/snapshot-hooks";
import { HeartbeatBatcher } from "@/server/repo/heartbeat-batcher";
import { DomainError } from "@/server/errors";

type AgentConfig = ReportOutput["config"];

const batcher = new HeartbeatBatcher();

// Per-host agent config changes rarely (an operator edits a schedule); agents pick it up within the TTL.
const CONFIG_TTL_MS = 15_000;
const configCache = new Map<string, { at: number; config: AgentConfig }>();

async function agentConfig(hostId: string): Promise<AgentConfig> {
  const hit = configCache.get(hostId);
  if (hit && Date.now() - hit.at < CONFIG_TTL_MS) return hit.config;
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
  const config: AgentConfig = {
    heartbeatSeconds: host?.heartbeatSeconds ?? 10,
    latencySchedule:
      s && s.enabled
        ? { cpus: s.cpus, durationS: s.durationS, intervalUs: s.intervalUs, priority: s.priority, histogramSize: s.histogramSize, everyMinutes: s.everyMinutes, load: s.load }
        : null,
  };
  if (configCache.size > 100_000) configCache.clear();
  configCache.set(hostId, { at: Date.now(), config });
  return config;
}

/** Drops a host's cached agent config (after a schedule edit in this process). */
export function forgetAgentConfig(hostId: string): void {
  configCache.delete(hostId);
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
    const s = config.schedule;
    return {
      stored: !duplicate,
      duplicate,
      sectionsChanged: [],
      config: {
        heartbeatSeconds: config.heartbeatSeconds,
        latencySchedule:
          s && s.enabled
            ? { cpus: s.cpus, durationS: s.durationS, intervalUs: s.intervalUs, priority: s.priority, histogramSize: s.histogramSize, everyMinutes: s.everyMinutes, load: s.load }
            : null,
      },
    };
  }
  const stored = await ingestReport(hostId, input);
  if (stored.sectionsChanged.length > 0) await afterSnapshotChange(hostId, stored.sectionsChanged);
  return { ...stored, config: await agentConfig(hostId) };
}
