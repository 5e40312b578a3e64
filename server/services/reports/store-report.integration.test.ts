/**
 * The one report write path: heartbeats (batched) and full reports (one transaction) agree on
 * Host.lastSequence — it only moves forward, whichever path a late report takes — and answer with the
 * same agent config.
 */
import { afterAll, describe, expect, it } from "vitest";
import { sectionHash } from "@/server/contract/canonical";
import type { ReportPayload } from "@/server/contract/report";
import { disconnectPrisma, prisma } from "@/server/db";
import { agentCaller, enrolHost, signedInCaller, uniqueHostname } from "@/server/test/callers";

afterAll(async () => {
  await disconnectPrisma();
});

const kvm = { vendorModule: null, kvmParams: {}, vendorParams: {}, enableApicv: null, preemptionTimer: null, pleGap: null, nxHugePages: null, kvmclockPeriodicSync: null, haltPollNs: null, nested: null, warnings: [] as string[] };

function payload(hostId: string, sequence: number, withSection: boolean): ReportPayload {
  const data = { ...kvm, warnings: [`seq ${sequence}`] };
  return {
    hostId,
    idempotencyKey: `${hostId}:${sequence}`,
    sequence,
    collectedAt: new Date(Date.now() - 60_000).toISOString(),
    agentVersion: "test",
    hostname: "seq-host",
    ...(withSection ? { sections: { kvm: { ok: true, available: true, durationMs: 1, hash: sectionHash("kvm", data), data } } } : {}),
  };
}

async function lastSequence(hostId: string): Promise<bigint> {
  return (await prisma().host.findUniqueOrThrow({ where: { id: hostId }, select: { lastSequence: true } })).lastSequence;
}

describe("lastSequence", () => {
  it("a late full report after a newer heartbeat does not move it back; a newer one moves it forward", async () => {
    const { hostId, hostToken } = await enrolHost(uniqueHostname("seq-host"), { note: "store-report" });
    const agent = await agentCaller(hostToken);
    await agent.agent.report(payload(hostId, 10, false));
    expect(await lastSequence(hostId)).toBe(10n);
    await agent.agent.report(payload(hostId, 5, true));
    expect(await lastSequence(hostId)).toBe(10n);
    await agent.agent.report(payload(hostId, 12, true));
    expect(await lastSequence(hostId)).toBe(12n);
    await agent.agent.report(payload(hostId, 11, false));
    expect(await lastSequence(hostId)).toBe(12n);
  });
});

describe("agent config", () => {
  it("a heartbeat and a full report answer with the same config: no schedule, then the operator's", async () => {
    const { hostId, hostToken } = await enrolHost(uniqueHostname("cfg-host"), { note: "store-report" });
    const agent = await agentCaller(hostToken);
    const operator = await signedInCaller("operator");
    const configs = async (seq: number) => [(await agent.agent.report(payload(hostId, seq, false))).config, (await agent.agent.report(payload(hostId, seq + 1, true))).config];

    expect(await configs(1)).toEqual([
      { heartbeatSeconds: 10, latencySchedule: null },
      { heartbeatSeconds: 10, latencySchedule: null },
    ]);
    await operator.latency.setSchedule({
      hostId,
      schedule: { enabled: true, cpus: "3,2", durationS: 30, intervalUs: 250, priority: 90, histogramSize: 500, everyMinutes: 7, load: "stress-ng" },
    });
    const schedule = { cpus: "2-3", durationS: 30, intervalUs: 250, priority: 90, histogramSize: 500, everyMinutes: 7, load: "stress-ng" };
    expect(await configs(3)).toEqual([
      { heartbeatSeconds: 10, latencySchedule: schedule },
      { heartbeatSeconds: 10, latencySchedule: schedule },
    ]);
  });
});
