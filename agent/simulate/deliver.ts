/**
 * Sending simulated hosts through the real agent API (agent.enroll, agent.report over tRPC), as many
 * agents would. Shared by `simulate --server` and the demo lab.
 */
import type { ReportPayload } from "@/server/contract/report";
import { AGENT_VERSION } from "@/agent/report/collect";
import { createAgentApi, type AgentApi } from "@/agent/transport/client";

export interface SimulatedAgent {
  hostname: string;
  hostId: string;
  hostToken: string;
  api: AgentApi;
}

export async function enrollSimulatedAgent(server: string, enrollmentToken: string, hostname: string): Promise<SimulatedAgent> {
  const { hostId, hostToken } = await createAgentApi({ server }).enroll({ enrollmentToken, hostname, agentVersion: AGENT_VERSION });
  return { hostname, hostId, hostToken, api: createAgentApi({ server, hostToken }) };
}

export function reconnectSimulatedAgent(server: string, a: { hostname: string; hostId: string; hostToken: string }): SimulatedAgent {
  return { ...a, api: createAgentApi({ server, hostToken: a.hostToken }) };
}

/** Sends reports one after another (an agent's spool is ordered); returns counts of what went out. */
export async function sendReports(agent: SimulatedAgent, reports: Iterable<ReportPayload>): Promise<{ reports: number; latencyRuns: number; qosSamples: number }> {
  const sent = { reports: 0, latencyRuns: 0, qosSamples: 0 };
  for (const r of reports) {
    await agent.api.report(r);
    sent.reports++;
    sent.latencyRuns += r.latencyRuns?.length ?? 0;
    sent.qosSamples += r.qosSamples?.length ?? 0;
  }
  return sent;
}

/** Runs `fn` over items with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
