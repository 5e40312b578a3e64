/**
 * Cache QoS end to end against real PostgreSQL: an agent report carrying the ht-on-rdt fixture's
 * resctrl section and CMT/MBM samples (read by the agent's own collector from the fixture tree) goes
 * in through agent.report; qos.getHostQos reads it back as CAT data and bandwidth series.
 */
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { readQosSamples } from "@/agent/collectors/resctrl";
import { buildLocalReport } from "@/agent/report/collect";
import type { QosSample } from "@/server/contract/sections/qos";
import { disconnectPrisma } from "@/server/db";
import { agentCaller, enrolHost, signedInCaller, uniqueHostname, type Caller } from "@/server/test/callers";

const FIXTURES = path.resolve(import.meta.dirname, "../../agent/fixtures");
const MIN = 60_000;

let viewer: Caller;
const now = new Date();

async function ingest(fixture: string, qosSamples: QosSample[]) {
  const hostname = uniqueHostname(`qos-${fixture}`);
  const { hostId, hostToken } = await enrolHost(hostname, { note: "qos test" });
  const local = await buildLocalReport(new HostFs(path.join(FIXTURES, fixture)), { now });
  const agent = await agentCaller(hostToken);
  await agent.agent.report({
    hostId,
    idempotencyKey: `${hostId}:1`,
    sequence: 1,
    collectedAt: now.toISOString(),
    agentVersion: local.agentVersion,
    hostname,
    sections: local.sections,
    qosSamples,
  });
  return hostId;
}

/**
 * Readings k = 0..3, one minute apart, ending 10 min ago: every counter grows 60 GB a minute (1 GB/s),
 * except rt-vnf on mon_L3_00, whose counters restart at reading 2 (a reset). Plus one reading 3 days ago.
 */
async function rdtSamples(): Promise<QosSample[]> {
  const fs = new HostFs(path.join(FIXTURES, "ht-on-rdt"));
  const t0 = now.getTime() - 10 * MIN - 3 * MIN;
  const base = await readQosSamples(fs, new Date(t0));
  expect(base.length).toBe(8); // 4 monitoring groups × 2 L3 domains
  const out: QosSample[] = [];
  for (let k = 0; k < 4; k++) {
    for (const s of base) {
      const resetting = s.group === "rt-vnf" && s.domain === "mon_L3_00";
      const grow = (v: string | null) => {
        if (v === null) return null;
        if (resetting && k >= 2) return String(1000n + BigInt(k - 2) * 60_000_000_000n);
        return String(BigInt(v) + BigInt(k) * 60_000_000_000n);
      };
      out.push({ ...s, at: new Date(t0 + k * MIN).toISOString(), mbmTotalBytes: grow(s.mbmTotalBytes), mbmLocalBytes: grow(s.mbmLocalBytes) });
    }
  }
  const first = base[0];
  if (first) out.push({ ...first, at: new Date(now.getTime() - 3 * 86_400_000).toISOString() });
  return out;
}

let rdtHost: string;
let vmHost: string;

beforeAll(async () => {
  viewer = await signedInCaller("viewer");
  rdtHost = await ingest("ht-on-rdt", await rdtSamples());
  vmHost = await ingest("this-vm", []);
});

afterAll(async () => {
  await disconnectPrisma();
});

describe("qos.getHostQos", () => {
  it("returns the resctrl section of an RDT host: control groups with schemata, info", async () => {
    const q = await viewer.qos.getHostQos({ hostId: rdtHost, window: "24h" });
    expect(q.resctrl.status).toBe("available");
    if (q.resctrl.status !== "available") return;
    const s = q.resctrl.section;
    expect(s.info?.l3?.cbmMask).toBe("7ff");
    expect(s.info?.l3Mon?.monFeatures).toContain("mbm_total_bytes");
    expect(s.controlGroups.map((g) => g.path).sort()).toEqual(["/", "rt-vnf"]);
    const rt = s.controlGroups.find((g) => g.path === "rt-vnf");
    expect(rt?.schemata.find((l) => l.resource === "L3")?.domains).toEqual([
      { id: 0, value: "600" },
      { id: 1, value: "7ff" },
    ]);
    expect(rt?.cpusList).toBe("4-7,44-47");
    expect(rt?.taskCount).toBe(3);
    expect(q.resctrl.collectedAt).toBeInstanceOf(Date);
  });

  it("builds occupancy and bandwidth series per group and domain; a reset is a gap and counted", async () => {
    const q = await viewer.qos.getHostQos({ hostId: rdtHost, window: "24h" });
    expect(q.readings).toBe(32);
    expect(q.series.map((s) => `${s.group}@${s.domain}`)).toEqual([
      "/@mon_L3_00",
      "/@mon_L3_01",
      "mon_groups/vnf-a@mon_L3_00",
      "mon_groups/vnf-a@mon_L3_01",
      "rt-vnf@mon_L3_00",
      "rt-vnf@mon_L3_01",
      "rt-vnf/mon_groups/vnf-rt-0@mon_L3_00",
      "rt-vnf/mon_groups/vnf-rt-0@mon_L3_01",
    ]);
    const root = q.series[0];
    expect(root?.points.map((p) => p.mbmTotalBps)).toEqual([null, 1e9, 1e9, 1e9]);
    expect(root?.points.every((p) => p.occupancyBytes !== null && p.occupancyBytes > 0)).toBe(true);
    const reset = q.series.find((s) => s.group === "rt-vnf" && s.domain === "mon_L3_00");
    expect(reset?.points.map((p) => p.mbmTotalBps)).toEqual([null, 1e9, null, 1e9]);
    expect(reset?.points.map((p) => p.mbmLocalBps)).toEqual([null, 1e9, null, 1e9]);
    expect(reset?.resets).toEqual({ total: 1, local: 1 });
    expect(q.resets).toBe(2);
  });

  it("the 7-day window also covers the older reading", async () => {
    const q = await viewer.qos.getHostQos({ hostId: rdtHost, window: "7d" });
    expect(q.readings).toBe(33);
    expect(q.window.to.getTime() - q.window.from.getTime()).toBe(7 * 86_400_000);
  });

  it("a VM has no resctrl: not available, with the reason, and no series", async () => {
    const q = await viewer.qos.getHostQos({ hostId: vmHost, window: "24h" });
    expect(q.resctrl.status).toBe("not-available");
    expect(q.resctrl.status === "not-available" ? q.resctrl.reason : "").toMatch(/virtual machine/);
    expect(q.series).toEqual([]);
  });

  it.each([
    { name: "unknown host", input: () => ({ hostId: "00000000-0000-4000-8000-000000000000", window: "24h" }), code: "NOT_FOUND" },
    { name: "not a uuid", input: () => ({ hostId: "nope", window: "24h" }), code: "BAD_REQUEST" },
    { name: "unknown window", input: () => ({ hostId: rdtHost, window: "30d" }), code: "BAD_REQUEST" },
  ])("$name → $code", async ({ input, code }) => {
    const err = await viewer.qos.getHostQos(input() as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe(code);
  });
});
