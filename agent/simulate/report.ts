/**
 * Reports of simulated hosts, shaped exactly as the agent sends them to agent.report (pure).
 */
import type { ReportPayload, ReportSections } from "@/server/contract/report";
import type { LatencyRunReport } from "@/server/contract/sections/latency";
import type { QosSample } from "@/server/contract/sections/qos";
import { AGENT_VERSION } from "@/agent/report/collect";
import { simulateLatencyRun, type LatencyLoad, type LatencyShape } from "@/agent/simulate/latency";
import { createRandom, hashSeed } from "@/agent/simulate/random";
import type { SimulatedHost } from "@/agent/simulate/hosts";

/** A stable, RFC-4122-shaped (version 4) id for host `index` of a seed, for offline reports. */
export function simulatedHostId(seed: string, index: number): string {
  const hex = [0, 1, 2, 3].map((k) => hashSeed(`${seed}/host-id/${index}/${k}`).toString(16).padStart(8, "0")).join("");
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const DEFAULT_RUN = { durationS: 300, intervalUs: 200, priority: 95 } as const;

/** One cyclictest run of a host starting at `startedAt` (idle mostly, now and then under stress-ng). */
export function simulateHostRun(
  host: Pick<SimulatedHost, "hostname" | "profile">,
  opts: { seed: string; startedAt: Date; shape?: LatencyShape; durationS?: number; load?: LatencyLoad; sampleKey?: string },
): LatencyRunReport {
  // sampleKey: the samples' seed when it must not depend on the wall clock (a run after a change)
  const key = `${opts.seed}/${host.hostname}/${opts.sampleKey ?? opts.startedAt.toISOString()}`;
  const load = opts.load ?? (createRandom(`${key}/load`).chance(0.15) ? "stress-ng cpu" : "idle");
  return simulateLatencyRun({
    runKey: `sim-${host.hostname}-${opts.startedAt.toISOString().replace(/[-:.]/g, "")}`,
    startedAt: opts.startedAt,
    durationS: opts.durationS ?? DEFAULT_RUN.durationS,
    intervalUs: DEFAULT_RUN.intervalUs,
    priority: DEFAULT_RUN.priority,
    histogramSize: host.profile.histogramSize,
    cpus: host.profile.latencyCpus,
    mainAffinity: host.profile.mainAffinity,
    load,
    shape: opts.shape ?? host.profile.shape,
    seed: key,
  });
}

/** A plausible heartbeat: uptime since a boot some days before `bootAt`, load from the host's role. */
export function simulatedHeartbeat(host: Pick<SimulatedHost, "hostname" | "profile">, at: Date, bootAt: Date): NonNullable<ReportPayload["heartbeat"]> {
  const rng = createRandom(`${host.hostname}/hb/${at.getTime()}`);
  const base = host.profile.role === "vnf-guest" ? 0.6 : host.profile.role === "compute-rt" ? 10.2 : 6.5;
  const l1 = Math.max(0, base * (1 + 0.1 * rng.normal()));
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    uptimeS: Math.max(0, Math.round((at.getTime() - bootAt.getTime()) / 1000)),
    loadavg: [round(l1), round(base * (1 + 0.05 * rng.normal())), round(base)],
    agentRssBytes: 18_000_000 + Math.floor(rng.next() * 2_000_000),
  };
}

export interface SimulatedReportOptions {
  hostId: string;
  sequence: number;
  collectedAt: Date;
  /** the host's sections (omit: unchanged since the last report) */
  sections?: ReportSections;
  latencyRuns?: LatencyRunReport[];
  qosSamples?: QosSample[];
  heartbeat?: ReportPayload["heartbeat"];
}

export function buildSimulatedReport(host: Pick<SimulatedHost, "hostname">, opts: SimulatedReportOptions): ReportPayload {
  return {
    hostId: opts.hostId,
    idempotencyKey: `${opts.hostId}:${opts.sequence}`,
    sequence: opts.sequence,
    collectedAt: opts.collectedAt.toISOString(),
    agentVersion: AGENT_VERSION,
    hostname: host.hostname,
    ...(opts.heartbeat ? { heartbeat: opts.heartbeat } : {}),
    sections: opts.sections ?? {},
    latencyRuns: opts.latencyRuns ?? [],
    qosSamples: opts.qosSamples ?? [],
  };
}
