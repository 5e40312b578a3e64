import type http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIngestServer } from "@/server/ingest-server";
import { prisma } from "@/server/db";
import { deriveHostStatus } from "@/server/domain/hosts/status";
import { runDemoLabHeartbeats, seedDemoLab, type SeedDemoLabResult } from "@/server/cli/demo-lab";
import { getHostQos } from "@/server/repo/qos";
import { getVnfQos } from "@/server/services/qos/get-vnf-qos";

let server: http.Server;
let ingestUrl: string;
let lab: SeedDemoLabResult;
const now = new Date();

beforeAll(async () => {
  server = createIngestServer({ maxBodyBytes: 8 * 1024 * 1024 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  ingestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  lab = await seedDemoLab({ ingestUrl, hosts: 14, days: 1, now });
}, 90_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const byName = (name: string) => {
  const h = lab.hosts.find((x) => x.hostname === name);
  if (!h) throw new Error(`${name} not in the lab`);
  return h;
};

describe("seedDemoLab (real agent.enroll / agent.report)", () => {
  it("enrols 14 labelled hosts with every static section stored", async () => {
    expect(lab.hosts).toHaveLength(14);
    const ids = lab.hosts.map((h) => h.hostId);
    const rows = await prisma().host.findMany({ where: { id: { in: ids } }, select: { id: true, hostname: true, labels: true, cpus: true } });
    expect(rows).toHaveLength(14);
    const c01 = rows.find((r) => r.hostname === "nfvi-bj-c01");
    expect(c01?.labels).toEqual(["site=bj", "rack=r12", "role=compute-rt"]);
    expect(c01?.cpus).toBe(36);
    expect(rows.find((r) => r.hostname === "nfvi-bj-c02")?.cpus).toBe(72);
    const sections = await prisma().hostSection.count({ where: { hostId: { in: ids } } });
    // every section of the contract: the eight of the first release plus vms (issue 10)
    expect(sections).toBe(14 * 9);
    const enrolAudits = await prisma().auditEvent.count({ where: { action: "host.enroll", targetId: { in: ids } } });
    expect(enrolAudits).toBe(14);
  });

  it("stores the latency history it sent, and it follows each host's tuning", async () => {
    const ids = lab.hosts.map((h) => h.hostId);
    expect(await prisma().latencyRun.count({ where: { hostId: { in: ids } } })).toBe(lab.latencyRuns);
    // a day of hourly runs for online hosts, half a day for the offline one
    expect(lab.latencyRuns).toBeGreaterThan(13 * 22 + 10);
    const worst = async (hostname: string) =>
      (await prisma().latencyRun.aggregate({ where: { hostId: byName(hostname).hostId }, _max: { max: true }, _sum: { overflows: true } }));
    const tuned = await worst("nfvi-bj-c01");
    const vm = await worst("nfvi-bj-vm01");
    expect(tuned._max.max as number).toBeLessThan(40);
    expect(Number(tuned._sum.overflows)).toBe(0);
    expect(vm._max.max as number).toBeGreaterThan(1000);
    expect(Number(vm._sum.overflows)).toBeGreaterThan(0);
    expect(await prisma().qosSample.count({ where: { hostId: byName("nfvi-sh-c01").hostId } })).toBe(lab.qosSamples);
    expect(lab.qosSamples).toBeGreaterThan(0);
  });

  it("tells the drift story: irqbalance started, IRQ section changed, tail got worse after it", async () => {
    const h = byName("nfvi-bj-c04");
    const history = await prisma().hostSectionHistory.findMany({ where: { hostId: h.hostId, section: "irq" }, orderBy: { changedAt: "asc" }, select: { changedAt: true } });
    expect(history).toHaveLength(2);
    const driftAt = history[1]!.changedAt;
    expect(driftAt.getTime()).toBeLessThan(now.getTime());
    const kernel = await prisma().hostSectionHistory.count({ where: { hostId: h.hostId, section: "kernel" } });
    expect(kernel).toBe(2);
    const before = await prisma().latencyRun.aggregate({ where: { hostId: h.hostId, startedAt: { lt: driftAt } }, _max: { max: true } });
    const after = await prisma().latencyRun.aggregate({ where: { hostId: h.hostId, startedAt: { gte: driftAt } }, _max: { max: true } });
    expect(after._max.max as number).toBeGreaterThan(3 * (before._max.max as number));
  });

  it("leaves one host offline and one stale", async () => {
    const rows = await prisma().host.findMany({ where: { id: { in: lab.hosts.map((h) => h.hostId) } }, select: { hostname: true, lastSeenAt: true, heartbeatSeconds: true } });
    const status = new Map(rows.map((r) => [r.hostname, deriveHostStatus(r.lastSeenAt, new Date(), r.heartbeatSeconds)]));
    expect(status.get("nfvi-bj-c07")).toBe("offline");
    expect(status.get("nfvi-bj-c08")).toBe("stale");
    expect(status.get("nfvi-bj-c01")).toBe("online");
    const offline = rows.find((r) => r.hostname === "nfvi-bj-c07");
    expect(now.getTime() - (offline?.lastSeenAt?.getTime() ?? now.getTime())).toBeGreaterThan(6 * 3600_000);
  });

  it("heartbeats keep online hosts reporting and offline hosts silent until stopped", async () => {
    const offline = byName("nfvi-bj-c07");
    const online = byName("nfvi-sh-c01");
    const lastSeen = async (id: string) => (await prisma().host.findUniqueOrThrow({ where: { id }, select: { lastSeenAt: true } })).lastSeenAt?.getTime() ?? 0;
    const offlineBefore = await lastSeen(offline.hostId);
    const sequence = async (id: string) => (await prisma().host.findUniqueOrThrow({ where: { id }, select: { lastSequence: true } })).lastSequence;
    const sequenceBefore = await sequence(online.hostId);
    const started = Date.now();
    const beats = runDemoLabHeartbeats({ ingestUrl, hosts: lab.hosts, everySeconds: 1, latencyEveryMinutes: 60 });
    await new Promise((r) => setTimeout(r, 3500));
    await beats.stop();
    expect(await lastSeen(online.hostId)).toBeGreaterThanOrEqual(started);
    expect(await sequence(online.hostId)).toBeGreaterThan(sequenceBefore);
    expect(await lastSeen(offline.hostId)).toBe(offlineBefore);
    // the RDT host's first live tick carries fresh resctrl readings
    expect(await prisma().qosSample.count({ where: { hostId: online.hostId } })).toBeGreaterThan(lab.qosSamples);
  });

  it("the RDT host shows its noisy-neighbour episode: the unplaced DPI VNF, found by its group's name, evicts rt-vnf's lines (issue 13)", async () => {
    const rdt = byName("nfvi-sh-c01");
    const qos = await getHostQos(rdt.hostId, "24h", now);
    expect(qos.resctrl.status === "available" && qos.resctrl.section.vnfGroups?.map((g) => [g.vnf, g.path, g.status])).toEqual([["dpi-bj-01", "mon_groups/nfvdeck-dpi-bj-01", "monitored"]]);
    const events = qos.noisyNeighbours.map((e) => [e.aggressor, e.victim, e.domain, e.toMs - e.fromMs]);
    expect(events).toEqual([["mon_groups/nfvdeck-dpi-bj-01", "rt-vnf/mon_groups/vnf-rt-0", "mon_L3_00", 120_000]]);
    const dpi = await prisma().vnf.findUniqueOrThrow({ where: { name: "dpi-bj-01" }, select: { id: true } });
    const page = await getVnfQos({ vnfId: dpi.id, window: "24h" }, () => now);
    expect(page.host?.hostname).toBe("nfvi-sh-c01");
    expect(page.noisyNeighbours.map((n) => n.role)).toEqual(["aggressor"]);
  });
});
