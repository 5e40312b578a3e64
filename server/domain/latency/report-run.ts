/** An agent-reported run (contract shape, already validated by zod) as the run data the repo stores. */
import type { LatencyRunReport } from "@/server/contract/sections/latency";
import type { LatencyRunData } from "./run";

export function runFromReport(r: LatencyRunReport): LatencyRunData {
  return {
    startedAt: new Date(r.startedAt),
    durationS: r.durationS,
    toolVersion: r.toolVersion,
    cmdline: r.cmdline,
    priority: r.priority,
    intervalUs: r.intervalUs,
    load: r.load,
    unit: r.unit,
    histogramSize: r.histogramSize,
    threads: r.threads.map((t) => ({ ...t, histogram: { ...t.histogram } })),
  };
}

/** Per-run idempotency key: the agent's run key, so a run resent inside a later report is stored once. */
export function agentRunIdempotencyKey(r: LatencyRunReport): string {
  return `agent:${r.runKey}`;
}
