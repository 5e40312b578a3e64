/**
 * A VNF's Cache QoS and a mask proposal for its class, against real PostgreSQL: the ht-on-rdt fixture's
 * report (read by the agent's collector) with the agent's per-VNF groups added, simulated CMT/MBM series
 * with a noisy-neighbour episode, and cyclictest runs feeding the detector; through the tRPC callers.
 */
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { buildLocalReport, type LocalReport } from "@/agent/report/collect";
import { qosGroupsFromResctrl, simulateQosSamples, type NoisyEpisode } from "@/agent/simulate/qos";
import { sectionsWithVnfGroups } from "@/agent/simulate/vnf-groups";
import { disconnectPrisma, prisma } from "@/server/db";
import { agentCaller, enrolHost, signedInCaller, uniqueHostname, type Caller } from "@/server/test/callers";

const FIXTURES = path.resolve(import.meta.dirname, "../../../agent/fixtures");
const now = new Date();
const suffix = Math.random().toString(36).slice(2, 8);
const DPI = `dpi-${suffix}`;
const RT = `rt-${suffix}`;
const DPI_GROUP = `mon_groups/nfvdeck-${DPI}`;
const RT_GROUP = `rt-vnf/mon_groups/nfvdeck-${RT}`;
/** on a minute boundary: the detector compares 60 s windows */
const EPISODE_AT = Math.floor((now.getTime() - 2 * 3_600_000) / 60_000) * 60_000;

let viewer: Caller;
let operator: Caller;

async function ingest(opts: { vnfs: Array<{ vnf: string; vnfClass?: string }>; episode: NoisyEpisode }): Promise<string> {
  const hostname = uniqueHostname("vnf-qos");
  const { hostId, hostToken } = await enrolHost(hostname, { note: "vnf qos test" });
  const collected = await buildLocalReport(new HostFs(path.join(FIXTURES, "ht-on-rdt")), { now });
  const local: LocalReport = { ...collected, sections: sectionsWithVnfGroups(collected.sections, opts.vnfs.map((v) => ({ ...v, tasks: 3 }))) };
  expect(local.sections.resctrl?.data).not.toEqual(collected.sections.resctrl?.data);
  const qosSamples = simulateQosSamples({
    groups: qosGroupsFromResctrl(local.sections.resctrl?.data),
    seed: hostname,
    from: new Date(EPISODE_AT - 600_000),
    samples: 80,
    everySeconds: 15,
    episodes: [opts.episode],
  });
  const agent = await agentCaller(hostToken);
  await agent.agent.report({ hostId, idempotencyKey: `${hostId}:1`, sequence: 1, collectedAt: now.toISOString(), agentVersion: local.agentVersion, hostname, sections: local.sections, qosSamples });
  return hostId;
}

async function vnfId(name: string, cacheWays: number | null): Promise<string> {
  const v = await operator.vnfs.create({ name, vcpus: 2, memoryMib: 1024, pageSize: "2M", threadPolicy: "prefer", emulatorThreads: "share", cacheWays });
  return v.id;
}

async function latencyRun(hostId: string, startedAt: Date, maxUs: number) {
  await prisma().latencyRun.create({ data: { hostId, startedAt, durationS: 60, histogramSize: 1000, source: "simulated", cycles: 60_000n, overflows: 0n, min: 5, max: maxUs, avg: 9, histogram: { "9": 60000 } } });
}

beforeAll(async () => {
  viewer = await signedInCaller("viewer");
  operator = await signedInCaller("operator");
});
afterAll(async () => {
  await disconnectPrisma();
});

describe("qos.getVnfQos", () => {
  let hostId: string;
  let dpiId: string;
  let rtId: string;
  beforeAll(async () => {
    hostId = await ingest({
      vnfs: [{ vnf: DPI }, { vnf: RT, vnfClass: "rt-vnf" }],
      episode: { aggressor: DPI_GROUP, victim: RT_GROUP, domain: "mon_L3_00", fromMs: EPISODE_AT, toMs: EPISODE_AT + 300_000 },
    });
    dpiId = await vnfId(DPI, null);
    rtId = await vnfId(RT, 2);
  });

  it("the noisy VNF (unplaced, found by its group's name): its series per L3 domain, the default class's mask, the event as aggressor", async () => {
    const q = await viewer.qos.getVnfQos({ vnfId: dpiId, window: "24h" });
    expect(q.host?.id).toBe(hostId);
    expect(q.group).toMatchObject({ vnf: DPI, path: DPI_GROUP, status: "monitored" });
    expect(q.series.map((s) => [s.group, s.domain])).toEqual([
      [DPI_GROUP, "mon_L3_00"],
      [DPI_GROUP, "mon_L3_01"],
    ]);
    expect(q.series[0]!.readings).toBe(80);
    expect(q.classMask).toMatchObject({ vnfClass: "/", ways: 11, cbmMask: "7ff" });
    expect(q.classMask!.rows.map((r) => [r.resource, r.domain, r.mask, r.bits])).toEqual([
      ["L3", 0, "7ff", 11],
      ["L3", 1, "7ff", 11],
    ]);
    expect(q.noisyNeighbours.map((n) => [n.role, n.event.aggressor, n.event.victim, n.event.domain, n.event.fromMs])).toEqual([["aggressor", DPI_GROUP, RT_GROUP, "mon_L3_00", EPISODE_AT - 60_000]]);
  });

  it("the victim VNF: its class rt-vnf's masks and the same event as victim", async () => {
    const q = await viewer.qos.getVnfQos({ vnfId: rtId, window: "24h" });
    expect(q.classMask).toMatchObject({ vnfClass: "rt-vnf", mode: "shareable" });
    expect(q.classMask!.rows.map((r) => [r.domain, r.mask, r.bits])).toEqual([
      [0, "600", 2],
      [1, "7ff", 11],
    ]);
    expect(q.noisyNeighbours.map((n) => [n.role, n.event.aggressor])).toEqual([["victim", DPI_GROUP]]);
    const e = q.noisyNeighbours[0]!.event;
    expect(e.victimOccupancyAfter!).toBeLessThan(e.victimOccupancyBefore! * 0.5);
  });

  it("a VNF no agent reports: not available, and an unknown id is NOT_FOUND", async () => {
    const lonely = await vnfId(`lonely-${suffix}`, null);
    const q = await viewer.qos.getVnfQos({ vnfId: lonely, window: "24h" });
    expect(q.host).toBeNull();
    expect(q.resctrl.status).toBe("not-available");
    await expect(viewer.qos.getVnfQos({ vnfId: "00000000-0000-4000-8000-0000000000aa", window: "24h" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("proposing a mask: invalid masks are refused on the server, a valid one becomes a tune.cat plan job for the class", async () => {
    const refuse = async (mask: string, re: RegExp) => {
      const err = await operator.qos.proposeVnfMask({ vnfId: rtId, mask, mode: "plan", idempotencyKey: `k-${suffix}-${mask}` }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TRPCError);
      expect((err as TRPCError).code).toBe("BAD_REQUEST");
      expect((err as TRPCError).message).toMatch(re);
    };
    await refuse("5", /not contiguous/);
    await refuse("800", /outside cbm_mask 7ff/);
    await refuse("0", /at least 1/);
    const ok = await operator.qos.proposeVnfMask({ vnfId: rtId, mask: "0x1E0", mode: "plan", idempotencyKey: `k-${suffix}-ok` });
    expect(ok.vnfClass).toBe("rt-vnf");
    expect(ok.findings.every((f) => f.severity === "warning")).toBe(true);
    expect(ok.findings.map((f) => f.message).join(" ")).toMatch(/overlaps the default class/);
    const job = await prisma().job.findUniqueOrThrow({ where: { id: ok.job.id }, select: { kind: true, hostId: true, params: true } });
    expect(job).toMatchObject({ kind: "tune", hostId, params: { mode: "plan", action: "tune.cat", params: { group: "rt-vnf", mask: "1e0", resource: "L3" } } });
    // a VNF in the default class has no class of its own to change
    await expect(operator.qos.proposeVnfMask({ vnfId: dpiId, mask: "3", mode: "plan", idempotencyKey: `k-${suffix}-dpi` })).rejects.toMatchObject({ message: expect.stringMatching(/default class/) });
    await expect(viewer.qos.proposeVnfMask({ vnfId: rtId, mask: "600", mode: "plan", idempotencyKey: `k-${suffix}-v` })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("latency feeds the detector (qos.getHostQos)", () => {
  it("a jump with no same-L3 occupancy victim is flagged when the host's cyclictest max worsens across it, and not without the runs", async () => {
    const episode: NoisyEpisode = { aggressor: DPI_GROUP, victim: "/", domain: "mon_L3_00", fromMs: EPISODE_AT, toMs: EPISODE_AT + 300_000, victimOccupancyFactor: 1 };
    const hostId = await ingest({ vnfs: [{ vnf: DPI }], episode });
    expect((await viewer.qos.getHostQos({ hostId, window: "24h" })).noisyNeighbours).toEqual([]);
    // runs of 60 s: 40 and 20 min before (18 µs, 21 µs), one ending 3 min into the streaming (160 µs)
    await latencyRun(hostId, new Date(EPISODE_AT - 40 * 60_000), 18);
    await latencyRun(hostId, new Date(EPISODE_AT - 20 * 60_000), 21);
    await latencyRun(hostId, new Date(EPISODE_AT + 2 * 60_000), 160);
    const events = (await viewer.qos.getHostQos({ hostId, window: "24h" })).noisyNeighbours;
    expect(events.map((e) => [e.aggressor, e.victim, e.latencyBeforeUs, e.latencyAfterUs])).toEqual([[DPI_GROUP, null, 21, 160]]);
  });
});
