/**
 * Backfilled history of a simulated host as the agent would have sent it (pure, lazy): the static
 * sections when they change (a drift is a new phase with new sections and a new latency shape), latency
 * runs on a schedule batched into reports (the contract takes ≤ 20 runs per report), and resctrl
 * readings between them.
 */
import type { ReportPayload, ReportSections } from "@/server/contract/report";
import type { QosSample } from "@/server/contract/sections/qos";
import type { LatencyShape } from "@/agent/simulate/latency";
import type { QosSeries } from "@/agent/simulate/qos";
import type { SimulatedHost } from "@/agent/simulate/hosts";
import { buildSimulatedReport, simulatedHeartbeat, simulateHostRun, DEFAULT_RUN } from "@/agent/simulate/report";

export interface HistoryPhase {
  /** when this state began (the first phase: when history starts) */
  from: Date;
  sections: ReportSections;
  shape: LatencyShape;
}

export interface HistoryPlan {
  host: Pick<SimulatedHost, "hostname" | "profile" | "index">;
  hostId: string;
  seed: string;
  /** sorted by `from`; at least one */
  phases: readonly HistoryPhase[];
  /** history ends here (exclusive) */
  to: Date;
  runEveryMinutes: number;
  /** ≤ 20 (the contract's limit) */
  runsPerReport?: number;
  qos?: QosSeries;
  qosEveryMinutes?: number;
  /** extra readings `everySeconds` apart inside these spans (the agent's real cadence around an episode) */
  qosDense?: ReadonlyArray<{ fromMs: number; toMs: number; everySeconds: number }>;
  firstSequence: number;
  bootAt: Date;
}

const MAX_QOS_PER_REPORT = 2000;

/** Start times of the scheduled runs in [from, to): on the schedule's grid, offset per host so a lab does not run all at once. */
export function scheduledRunTimes(from: Date, to: Date, everyMinutes: number, hostIndex: number): Date[] {
  const stepMs = everyMinutes * 60_000;
  const offsetMs = ((hostIndex * 7) % Math.max(1, everyMinutes)) * 60_000;
  let t = Math.floor(from.getTime() / stepMs) * stepMs + offsetMs;
  if (t < from.getTime()) t += stepMs;
  const out: Date[] = [];
  for (; t < to.getTime(); t += stepMs) out.push(new Date(t));
  return out;
}

export function* historyReports(plan: HistoryPlan): Generator<ReportPayload> {
  if (plan.phases.length === 0) throw new Error("a history needs at least one phase");
  const perReport = Math.min(20, Math.max(1, plan.runsPerReport ?? 20));
  const qosStepMs = (plan.qosEveryMinutes ?? 15) * 60_000;
  let nextQosMs = plan.phases[0]?.from.getTime() ?? 0;
  let sequence = plan.firstSequence;
  const dense = [...new Set((plan.qosDense ?? []).flatMap((d) => Array.from({ length: Math.max(0, Math.ceil((d.toMs - d.fromMs) / (Math.max(1, d.everySeconds) * 1000))) }, (_, k) => d.fromMs + k * Math.max(1, d.everySeconds) * 1000)))].sort((a, b) => a - b);
  let di = 0;
  const qosUntil = (untilMs: number): QosSample[] => {
    const out: QosSample[] = [];
    if (!plan.qos) return out;
    for (;;) {
      while (di < dense.length && (dense[di] as number) < (plan.phases[0]?.from.getTime() ?? 0)) di++;
      const nextDense = di < dense.length ? (dense[di] as number) : Infinity;
      const t = Math.min(nextQosMs, nextDense);
      if (t > untilMs) break;
      if (t === nextDense) di++;
      if (t === nextQosMs) nextQosMs += qosStepMs;
      const readings = plan.qos.readAt(new Date(t));
      if (out.length + readings.length <= MAX_QOS_PER_REPORT) out.push(...readings);
    }
    return out;
  };

  for (let p = 0; p < plan.phases.length; p++) {
    const phase = plan.phases[p] as HistoryPhase;
    // The last run must have finished by `to`.
    const end = plan.phases[p + 1]?.from ?? new Date(plan.to.getTime() - DEFAULT_RUN.durationS * 1000);
    const times = scheduledRunTimes(phase.from, end, plan.runEveryMinutes, plan.host.index);
    // The change itself: the agent sends a section when its content hash changes, stamped when it was seen.
    yield buildSimulatedReport(plan.host, {
      hostId: plan.hostId,
      sequence: sequence++,
      collectedAt: phase.from,
      sections: phase.sections,
      qosSamples: qosUntil(phase.from.getTime()),
      heartbeat: simulatedHeartbeat(plan.host, phase.from, plan.bootAt),
    });
    for (let i = 0; i < times.length; i += perReport) {
      const batch = times.slice(i, i + perReport);
      const runs = batch.map((startedAt) => simulateHostRun(plan.host, { seed: plan.seed, startedAt, shape: phase.shape }));
      const last = batch[batch.length - 1] as Date;
      const collectedAt = new Date(last.getTime() + DEFAULT_RUN.durationS * 1000);
      yield buildSimulatedReport(plan.host, {
        hostId: plan.hostId,
        sequence: sequence++,
        collectedAt,
        latencyRuns: runs,
        qosSamples: qosUntil(collectedAt.getTime()),
        heartbeat: simulatedHeartbeat(plan.host, collectedAt, plan.bootAt),
      });
    }
  }
}
