/**
 * VNF placement end to end against real PostgreSQL through the real tRPC API (createCaller): an agent
 * reports a fixture host, operators define VNFs, preview, place, race, unassign.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { collectSections } from "@/agent/report/collect";
import { sectionHash } from "@/server/contract/canonical";
import type { ReportSections } from "@/server/contract/report";
import type { VmsSection } from "@/server/contract/sections/vms";
import { disconnectPrisma, prisma } from "@/server/db";
import { agentCaller, enrolHost, signedInCaller, uniqueHostname, type Caller } from "@/server/test/callers";

const FIXTURES = path.resolve(import.meta.dirname, "../../../agent/fixtures");
const recent = () => new Date(Date.now() - 60_000).toISOString();
let viewer: Caller;
let operator: Caller;

async function reportedHost(fixture: string, edit?: (s: ReportSections) => void) {
  const hostname = uniqueHostname(fixture);
  const host = await enrolHost(hostname, { note: "placement test" });
  const agent = await agentCaller(host.hostToken);
  const sections = await collectSections(new HostFs(path.join(FIXTURES, fixture)));
  edit?.(sections);
  await agent.agent.report({ hostId: host.hostId, idempotencyKey: `${host.hostId}:0`, sequence: 0, collectedAt: recent(), agentVersion: "0.0.0-test", hostname, sections });
  return { hostId: host.hostId, hostname, agent, sections };
}

function withVms(sections: ReportSections, vms: VmsSection): void {
  sections.vms = { ok: true, available: true, durationMs: 0, hash: sectionHash("vms", vms), data: vms };
}

async function errorOf(p: Promise<unknown>): Promise<TRPCError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

const vnfInput = (name: string, over: Record<string, unknown> = {}) => ({
  name,
  vcpus: 2,
  memoryMib: 2048,
  pageSize: "4K" as const,
  threadPolicy: "prefer" as const,
  emulatorThreads: "share" as const,
  ...over,
});
const uniq = (p: string) => `${p}-${randomUUID().slice(0, 8)}`;

async function createVnfs(n: number, prefix: string, over: Record<string, unknown> = {}) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await operator.vnfs.create(vnfInput(uniq(`${prefix}${i}`), over)));
  return out;
}

beforeAll(async () => {
  viewer = await signedInCaller("viewer");
  operator = await signedInCaller("operator");
});
afterAll(async () => {
  await disconnectPrisma();
});

describe("VNFs", () => {
  it("create, list, get, update, delete — audited; names unique; bad input names the field; viewers read only", async () => {
    const name = uniq("vnf-crud");
    const vnf = await operator.vnfs.create(vnfInput(name, { labels: { tier: "edge" }, description: "firewall" }));
    expect(vnf).toMatchObject({ name, vcpus: 2, owner: expect.stringContaining("@example.test"), labels: { tier: "edge" }, placement: null });
    expect((await viewer.vnfs.list()).map((v) => v.name)).toContain(name);
    expect(await viewer.vnfs.get({ id: vnf.id })).toMatchObject({ name, description: "firewall" });

    const dup = await errorOf(operator.vnfs.create(vnfInput(name)));
    expect(dup.code).toBe("CONFLICT");
    expect(dup.message).toContain(`a VNF named ${name} already exists`);
    const bad = await errorOf(operator.vnfs.create(vnfInput("has space")));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toContain("name");
    const badVcpus = await errorOf(operator.vnfs.create(vnfInput(uniq("v"), { vcpus: 0 })));
    expect(badVcpus.code).toBe("BAD_REQUEST");
    expect(badVcpus.message).toContain("vcpus");

    expect((await errorOf(viewer.vnfs.create(vnfInput(uniq("viewer"))))).code).toBe("FORBIDDEN");
    expect((await errorOf(viewer.vnfs.delete({ id: vnf.id }))).code).toBe("FORBIDDEN");

    const updated = await operator.vnfs.update({ id: vnf.id, vcpus: 4, description: "bigger" });
    expect(updated).toMatchObject({ vcpus: 4, description: "bigger" });
    await operator.vnfs.delete({ id: vnf.id });
    expect((await errorOf(viewer.vnfs.get({ id: vnf.id }))).code).toBe("NOT_FOUND");
    const actions = await prisma().auditEvent.findMany({ where: { targetType: "vnf", targetId: vnf.id }, orderBy: { id: "asc" }, select: { action: true } });
    expect(actions.map((a) => a.action)).toEqual(["vnf.create", "vnf.update", "vnf.delete"]);
  });
});

describe("placement on the ht-on-rdt fixture (2 × 20 cores × 2 threads, isolcpus 4-19,44-59 on node 0)", () => {
  it("preview → place → CPU map → outputs → unassign; a placed VNF's shape is frozen", async () => {
    const host = await reportedHost("ht-on-rdt");
    const vnf = await operator.vnfs.create(vnfInput(uniq("vnf-flow"), { vcpus: 3, pageSize: "1G", threadPolicy: "isolate", emulatorThreads: "isolate" }));
    const preview = await viewer.placement.preview({ vnfId: vnf.id, hostId: host.hostId });
    expect(preview.result.ok).toBe(true);
    if (!preview.result.ok) return;
    expect(preview.result.numaNode).toBe(0);
    expect(preview.result.vcpuPins).toHaveLength(3);
    // isolate: each vCPU's sibling is reserved; the emulator has its own isolated CPU
    expect(preview.result.reservedCpus.length).toBeGreaterThanOrEqual(3);
    expect(preview.result.emulatorCpus).toHaveLength(1);
    // rcu_nocbs without nohz_full on this fixture: the preview says so before anything is saved
    expect(preview.result.warnings.length).toBeGreaterThan(0);
    expect(preview.outputs?.libvirtXml).toContain("<vcpupin");
    expect(preview.outputs?.novaExtraSpecs["hw:cpu_thread_policy"]).toBe("isolate");
    expect(await prisma().cpuAssignment.count({ where: { hostId: host.hostId } })).toBe(0);

    expect((await errorOf(viewer.placement.place({ vnfId: vnf.id, hostId: host.hostId }))).code).toBe("FORBIDDEN");
    const expected = { numaNode: preview.result.numaNode, vcpuPins: preview.result.vcpuPins, emulatorCpus: preview.result.emulatorCpus, reservedCpus: preview.result.reservedCpus };
    const placed = await operator.placement.place({ vnfId: vnf.id, hostId: host.hostId, expected });
    expect(placed.vnf.placement).toMatchObject({ hostId: host.hostId, numaNode: 0, pageSize: "1G", pages: 2 });
    const held = placed.vnf.placement!.cpus;
    expect(held.filter((c) => c.role.kind === "vcpu")).toHaveLength(3);
    expect(held.filter((c) => c.role.kind === "emulator").map((c) => c.cpu)).toEqual(preview.result.emulatorCpus);
    expect(placed.outputs.cputuneXml).toContain("<emulatorpin");

    // placing re-evaluates compliance: numa.vnf-locality now judges this VNF
    const compliance = await viewer.compliance.getHostCompliance({ hostId: host.hostId });
    expect(compliance.result?.findings.find((f) => f.ruleId === "numa.vnf-locality")).toMatchObject({ status: "pass" });

    const map = await viewer.placement.hostCpuMap({ hostId: host.hostId });
    expect(map.cpus).toHaveLength(80);
    for (const pin of preview.result.vcpuPins) expect(map.cpus[pin.cpu]).toMatchObject({ state: "vcpu", vnf: { id: vnf.id, vcpu: pin.vcpu } });
    for (const cpu of preview.result.reservedCpus) expect(map.cpus[cpu]!.state).toBe("reserved-sibling");
    expect(map.cpus[0]!.state).toBe("housekeeping");
    expect(map.cpus.filter((c) => c.state === "isolated-free").length).toBe(32 - held.length);
    expect(map.vnfs).toEqual([expect.objectContaining({ id: vnf.id, pinning: "not-running" })]);
    // the VNF does not run: the kernel still counts its pages free, the map says they are no longer left
    expect(map.hugepages.find((h) => h.node === 0 && h.pageSize === "1G")).toEqual({ node: 0, pageSize: "1G", free: 8, placed: 2, left: 6 });

    // a second preview on the same host never offers a CPU the first holds
    const other = await operator.vnfs.create(vnfInput(uniq("vnf-other"), { vcpus: 4 }));
    const second = await viewer.placement.preview({ vnfId: other.id, hostId: host.hostId });
    expect(second.result.ok && second.result.vcpuPins.some((p) => held.some((h) => h.cpu === p.cpu))).toBe(false);

    expect(await viewer.vnfs.outputs({ vnfId: vnf.id })).toMatchObject({ libvirtXml: expect.stringContaining("<domain") });
    const frozen = await errorOf(operator.vnfs.update({ id: vnf.id, vcpus: 8 }));
    expect(frozen.code).toBe("CONFLICT");
    expect(frozen.message).toContain("unassign it before changing its shape");
    expect((await operator.vnfs.update({ id: vnf.id, description: "ok while placed" })).description).toBe("ok while placed");
    expect((await errorOf(operator.placement.place({ vnfId: vnf.id, hostId: host.hostId }))).message).toContain("already placed");

    const freed = await operator.placement.unassign({ vnfId: vnf.id });
    expect(freed.freedCpus.sort((a, b) => a - b)).toEqual(held.map((c) => c.cpu).sort((a, b) => a - b));
    expect(await prisma().cpuAssignment.count({ where: { hostId: host.hostId } })).toBe(0);
    const actions = await prisma().auditEvent.findMany({ where: { targetType: "vnf", targetId: vnf.id }, orderBy: { id: "asc" }, select: { action: true } });
    expect(actions.map((a) => a.action)).toEqual(["vnf.create", "vnf.place", "vnf.update", "vnf.unassign"]);
  });

  it("a host that does not fit is told why, per node; nothing is stored", async () => {
    const host = await reportedHost("amd-epyc");
    const vnf = await operator.vnfs.create(vnfInput(uniq("vnf-nofit")));
    const preview = await viewer.placement.preview({ vnfId: vnf.id, hostId: host.hostId });
    expect(preview.result).toMatchObject({ ok: false, reason: "no isolated CPUs on this host: isolcpus is not set" });
    const err = await errorOf(operator.placement.place({ vnfId: vnf.id, hostId: host.hostId }));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toContain("isolcpus is not set");
    expect(await prisma().vnfPlacement.count({ where: { vnfId: vnf.id } })).toBe(0);
  });

  it("real pinning vs assigned: a VM pinned elsewhere differs, a VM nobody placed is flagged", async () => {
    const name = uniq("vnf-pin");
    const host = await reportedHost("ht-on-rdt");
    const vnf = await operator.vnfs.create(vnfInput(name, { vcpus: 2 }));
    const placed = await operator.placement.place({ vnfId: vnf.id, hostId: host.hostId });
    const pins = placed.vnf.placement!.cpus.filter((c) => c.role.kind === "vcpu").map((c) => c.cpu);
    const emulatorCpus = placed.vnf.placement!.emulatorCpus;
    const thread = (tid: number, vcpu: number | null, cpus: number[]) => ({ tid, comm: vcpu === null ? "qemu-system-x86" : `CPU ${vcpu}/KVM`, vcpu, cpusAllowed: cpus });
    const vm = (pid: number, vmName: string, vcpuCpus: number[][]) => ({
      pid, binary: "qemu-system-x86_64", name: vmName, uuid: null, accel: "kvm", smpCpus: vcpuCpus.length, monitors: [], threadsNamed: true,
      vcpuThreads: vcpuCpus.map((c, i) => thread(pid + 1 + i, i, c)), emulatorThreads: [thread(pid, null, emulatorCpus)], emulatorCpus,
    });
    const vms: VmsSection = { vms: [vm(5000, name, [[pins[0]!], [pins[0]!]]), vm(6000, "stranger", [[4]])], warnings: [] };
    const sections = structuredClone(host.sections);
    withVms(sections, vms);
    await host.agent.agent.report({ hostId: host.hostId, idempotencyKey: `${host.hostId}:1`, sequence: 1, collectedAt: recent(), agentVersion: "0.0.0-test", hostname: host.hostname, sections });
    const map = await viewer.placement.hostCpuMap({ hostId: host.hostId });
    expect(map.vmsState).toBe("ok");
    const mine = map.vnfs.find((v) => v.id === vnf.id)!;
    expect(mine.pinning).toBe("differs");
    expect(mine.differences).toEqual([`vCPU 1 runs on ${pins[0]}, assigned ${pins[1]}`]);
    expect(map.unknownVms).toEqual([{ pid: 6000, name: "stranger", cpus: [...new Set([...emulatorCpus, 4])].sort((a, b) => a - b) }]);
    expect(map.cpus[4]!.vmThreads).toContainEqual({ vm: "stranger", pid: 6000, thread: "CPU 0/KVM" });

    // pinned as assigned: matches
    withVms(sections, { vms: [vm(5000, name, [[pins[0]!], [pins[1]!]])], warnings: [] });
    await host.agent.agent.report({ hostId: host.hostId, idempotencyKey: `${host.hostId}:2`, sequence: 2, collectedAt: recent(), agentVersion: "0.0.0-test", hostname: host.hostname, sections });
    const again = await viewer.placement.hostCpuMap({ hostId: host.hostId });
    expect(again.vnfs.find((v) => v.id === vnf.id)).toMatchObject({ pinning: "matches", differences: [] });
    expect(again.unknownVms).toEqual([]);
  });
});

describe("the 50-way race", () => {
  it("50 operators confirm the same preview at once: one wins, 49 are told which CPU and who took it", async () => {
    const host = await reportedHost("ht-on-rdt");
    const vnfs = await createVnfs(50, "race-a");
    const previews = await Promise.all(vnfs.map((v) => viewer.placement.preview({ vnfId: v.id, hostId: host.hostId })));
    const callers = await Promise.all(Array.from({ length: 5 }, () => signedInCaller("operator")));
    const outcomes = await Promise.allSettled(
      vnfs.map((v, i) => {
        const r = previews[i]!.result;
        if (!r.ok) throw new Error("preview did not fit");
        return callers[i % 5]!.placement.place({ vnfId: v.id, hostId: host.hostId, expected: { numaNode: r.numaNode, vcpuPins: r.vcpuPins, emulatorCpus: r.emulatorCpus, reservedCpus: r.reservedCpus } });
      }),
    );
    const won = outcomes.flatMap((o, i) => (o.status === "fulfilled" ? [vnfs[i]!] : []));
    const lost = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as TRPCError] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    const firstCpu = Math.min(...(previews[0]!.result.ok ? previews[0]!.result.vcpuPins.map((p) => p.cpu) : []));
    for (const e of lost) {
      expect(e.code).toBe("CONFLICT");
      expect(e.message).toBe(`CPU ${firstCpu} on ${host.hostname} was just taken by ${won[0]!.name}`);
    }
    const rows = await prisma().cpuAssignment.findMany({ where: { hostId: host.hostId }, select: { cpu: true, vnfId: true } });
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.vnfId))).toEqual(new Set([won[0]!.id]));
    expect(await prisma().vnfPlacement.count({ where: { hostId: host.hostId } })).toBe(1);
  });

  it("50 placements at once without a preview: no CPU twice, nothing half-written, every loser told why", async () => {
    const host = await reportedHost("ht-on-rdt");
    const vnfs = await createVnfs(50, "race-b");
    const callers = await Promise.all(Array.from({ length: 5 }, () => signedInCaller("operator")));
    const started = performance.now();
    const outcomes = await Promise.allSettled(vnfs.map((v, i) => callers[i % 5]!.placement.place({ vnfId: v.id, hostId: host.hostId })));
    const ms = performance.now() - started;
    const won = vnfs.filter((_, i) => outcomes[i]!.status === "fulfilled");
    const reasons = outcomes.flatMap((o) => (o.status === "rejected" ? [(o.reason as TRPCError).message] : []));
    const rows = await prisma().cpuAssignment.findMany({ where: { hostId: host.hostId }, select: { cpu: true, vnfId: true } });
    // 16 isolated cores on node 0, one core per 2-vCPU VNF: at most 16 can win
    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(won.length).toBeLessThanOrEqual(16);
    expect(new Set(rows.map((r) => r.cpu)).size).toBe(rows.length);
    expect(rows).toHaveLength(2 * won.length);
    for (const v of won) expect(rows.filter((r) => r.vnfId === v.id)).toHaveLength(2);
    for (const r of reasons) expect(r).toMatch(new RegExp(`^(CPU \\d+ on ${host.hostname} was just taken by race-b\\d+-[0-9a-f]{8}|race-b\\d+-[0-9a-f]{8} does not fit on ${host.hostname}: .+)$`));
    expect(won.length + reasons.length).toBe(50);
    console.log(`race without preview: ${won.length} placed, ${reasons.filter((r) => r.includes("was just taken")).length} lost a CPU race, ${reasons.filter((r) => r.includes("does not fit")).length} did not fit; ${ms.toFixed(0)} ms`);
  });

  it("hugepages per node are never over-committed by concurrent placements", async () => {
    // node 0 has 8 free 1G pages; each VNF needs 2 (2048 MiB): at most 4 of 10 fit
    const host = await reportedHost("ht-on-rdt");
    const vnfs = await createVnfs(10, "race-hp", { vcpus: 1, pageSize: "1G" });
    // each admin retries while someone else took their CPU (as one would: preview again), never on hugepages
    const placeRetrying = async (vnfId: string): Promise<string> => {
      for (let attempt = 0; attempt < 30; attempt++) {
        try {
          await operator.placement.place({ vnfId, hostId: host.hostId });
          return "placed";
        } catch (e) {
          const message = (e as TRPCError).message;
          if (!message.includes("was just taken")) return message;
        }
      }
      return "gave up";
    };
    const outcomes = await Promise.all(vnfs.map((v) => placeRetrying(v.id)));
    const won = outcomes.filter((o) => o === "placed").length;
    const pages = await prisma().vnfPlacement.aggregate({ where: { hostId: host.hostId, numaNode: 0, pageSize: "1G" }, _sum: { pages: true } });
    expect(won).toBe(4);
    expect(pages._sum.pages).toBe(8);
    for (const o of outcomes.filter((x) => x !== "placed")) expect(o).toMatch(/1G hugepages/);
  });
});
