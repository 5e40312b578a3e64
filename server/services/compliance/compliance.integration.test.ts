/**
 * Compliance end to end against real PostgreSQL: agent reports through the tRPC router → evaluation →
 * drift rows; profile clone/edit/assign by an admin; fleet filter and CSV.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { collectSections } from "@/agent/report/collect";
import type { ReportSections } from "@/server/contract/report";
import { disconnectPrisma, prisma } from "@/server/db";
import { seedBuiltinProfiles } from "@/server/services/compliance/seed-builtin-profiles";
import { formatMinute } from "@/server/domain/compliance/drift";
import { signedInCaller, type Caller } from "@/server/test/callers";
import { editKernel, newReportingAgent } from "@/server/test/reporting-agent";

const FIXTURES = path.resolve(import.meta.dirname, "../../../agent/fixtures");
/** Report times as minutes after a whole minute two hours before the run: never a fixed date (the server checks times against its clock). */
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let viewer: Caller;
let admin: Caller;

/** An enrolled host with an agent caller (bearer token), reporting sections like the real agent. */
const newAgent = (name: string) => newReportingAgent(name, "compliance test");

async function fixtureSections(name: string): Promise<ReportSections> {
  return collectSections(new HostFs(path.join(FIXTURES, name)));
}


async function expectTrpcError(p: Promise<unknown>, code: TRPCError["code"], message?: string) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  expect((err as TRPCError).code).toBe(code);
  if (message) expect((err as TRPCError).message).toContain(message);
}

beforeAll(async () => {
  viewer = await signedInCaller("viewer");
  admin = await signedInCaller("admin");
});
afterAll(async () => {
  await disconnectPrisma();
});

describe("built-in profiles", () => {
  it("seeding is idempotent", async () => {
    await seedBuiltinProfiles();
    await seedBuiltinProfiles();
    const rows = await prisma().profile.findMany({ where: { builtIn: true }, select: { id: true } });
    expect(rows.map((r) => r.id).sort()).toEqual(["kvm4nfv-guest", "kvm4nfv-host"]);
  });

  it("are read-only", async () => {
    await expectTrpcError(admin.compliance.updateProfile({ id: "kvm4nfv-host", edit: { description: "x" } }), "FORBIDDEN", "clone it first");
  });
});

describe("a changed snapshot re-evaluates and writes drift", () => {
  it("irqbalance starting on the baseline host: snapshot drift + rule status change on one timeline line", async () => {
    const a = await newAgent("baseline");
    // the baseline tree configures an irqbalance ban list; this host has none (irqbalance is meant to stay off)
    const base = editKernel(await fixtureSections("kvm4nfv-baseline"), (k) => {
      k.irqbalance = { running: false, pids: [], bannedCpus: null, bannedSource: null };
    });
    const first = await a.report(base, at(0));
    expect(first.sectionsChanged.length).toBeGreaterThan(0);

    const r1 = await viewer.compliance.getHostCompliance({ hostId: a.hostId });
    expect(r1.resolution).toMatchObject({ profileId: "kvm4nfv-host", via: "default" });
    expect(r1.result?.findings.find((f) => f.ruleId === "runtime.irqbalance")?.status).toBe("pass");
    // the first report is the baseline: no drift yet
    expect(await prisma().driftEvent.count({ where: { hostId: a.hostId } })).toBe(0);

    const changed = editKernel(base, (k) => {
      k.irqbalance = { running: true, pids: [4242], bannedCpus: null, bannedSource: null };
    });
    const second = await a.report(changed, at(62));
    expect(second.sectionsChanged).toEqual(["kernel"]);

    const r2 = await viewer.compliance.getHostCompliance({ hostId: a.hostId });
    const f = r2.result?.findings.find((x) => x.ruleId === "runtime.irqbalance");
    expect(f?.status).toBe("fail");
    expect(f?.evidence.observed).toContain("running (pid 4242)");
    expect(r2.result?.counts.fail).toBe((r1.result?.counts.fail ?? 0) + 1);

    const drift = await prisma().driftEvent.findMany({ where: { hostId: a.hostId }, orderBy: { id: "asc" } });
    expect(drift.filter((d) => d.kind === "snapshot").map((d) => [d.key, d.oldValue, d.newValue])).toEqual([["kernel.irqbalance.running", "false", "true"]]);
    expect(drift.filter((d) => d.kind === "compliance").map((d) => [d.ruleId, d.oldStatus, d.newStatus])).toEqual([["runtime.irqbalance", "pass", "fail"]]);

    const history = await viewer.compliance.getDriftHistory({ hostId: a.hostId });
    expect(history.entries[0]?.text).toBe(`${formatMinute(new Date(at(62)))} irqbalance started; rule runtime.irqbalance pass → fail`);

    // a resend of the same report is a duplicate: nothing re-evaluated, no new drift
    const count = await prisma().driftEvent.count({ where: { hostId: a.hostId } });
    await a.report(changed, at(63));
    expect(await prisma().driftEvent.count({ where: { hostId: a.hostId } })).toBe(count);
  });

  it("a VM gets the guest profile by default", async () => {
    const a = await newAgent("vm");
    await a.report(await fixtureSections("this-vm"), at(0));
    const r = await viewer.compliance.getHostCompliance({ hostId: a.hostId });
    expect(r.resolution).toMatchObject({ profileId: "kvm4nfv-guest", via: "default", reason: "default for a virtual machine" });
    expect(r.result?.findings.some((f) => f.section === "bios")).toBe(false);
  });
});

describe("admin profile editing and assignment", () => {
  it("clone, disable a rule, assign to the host: the host's result changes; the edit is audited", async () => {
    const a = await newAgent("ht");
    await a.report(await fixtureSections("ht-on-rdt"), at(0));
    const before = await viewer.compliance.getHostCompliance({ hostId: a.hostId });
    expect(before.result?.findings.find((f) => f.ruleId === "bios.hyper-threading")?.status).toBe("fail");

    const name = `HT allowed ${randomUUID().slice(0, 6)}`;
    const { id } = await admin.compliance.cloneProfile({ sourceId: "kvm4nfv-host", name });
    await admin.compliance.updateProfile({ id, edit: { rules: [{ ruleId: "bios.hyper-threading", enabled: false }] } });
    const assigned = await admin.compliance.assignProfile({ target: { hostId: a.hostId }, profileId: id });
    expect(assigned.reevaluated).toBe(1);

    const after = await viewer.compliance.getHostCompliance({ hostId: a.hostId });
    expect(after.resolution).toMatchObject({ profileId: id, via: "host" });
    expect(after.result?.findings.some((f) => f.ruleId === "bios.hyper-threading")).toBe(false);
    expect(after.result?.counts.fail).toBe((before.result?.counts.fail ?? 0) - 1);

    const history = await viewer.compliance.getDriftHistory({ hostId: a.hostId });
    expect(history.entries[0]?.text).toContain(`profile KVM4NFV host → ${name}`);
    expect(history.entries[0]?.text).toContain("rule bios.hyper-threading fail → (not evaluated)");

    // editing the assigned profile re-evaluates the host
    await admin.compliance.updateProfile({ id, edit: { rules: [{ ruleId: "runtime.irq-affinity", params: { allowNames: ["^i40e-"] } }] } });
    const edited = await viewer.compliance.getHostCompliance({ hostId: a.hostId });
    expect(edited.result?.findings.find((f) => f.ruleId === "runtime.irq-affinity")?.status).toBe("pass");

    const audit = await prisma().auditEvent.findMany({ where: { targetId: id }, select: { action: true } });
    expect(audit.map((x) => x.action).sort()).toEqual(["compliance.profile.clone", "compliance.profile.update", "compliance.profile.update"]);
  });

  it("label assignment applies below an explicit host assignment", async () => {
    const a = await newAgent("labelled");
    await prisma().host.update({ where: { id: a.hostId }, data: { labels: ["rt-lab-x"] } });
    await a.report(await fixtureSections("kvm4nfv-baseline"), at(0));
    const { id } = await admin.compliance.cloneProfile({ sourceId: "kvm4nfv-host", name: `Lab ${randomUUID().slice(0, 6)}` });
    await admin.compliance.assignProfile({ target: { label: "rt-lab-x" }, profileId: id });
    expect((await viewer.compliance.getHostCompliance({ hostId: a.hostId })).resolution).toMatchObject({ profileId: id, via: "label", label: "rt-lab-x" });
    await admin.compliance.assignProfile({ target: { hostId: a.hostId }, profileId: "kvm4nfv-host" });
    expect((await viewer.compliance.getHostCompliance({ hostId: a.hostId })).resolution.via).toBe("host");
  });

  it("invalid edits are refused with a clear message and nothing is stored", async () => {
    const { id } = await admin.compliance.cloneProfile({ sourceId: "kvm4nfv-host", name: `Bad edits ${randomUUID().slice(0, 6)}` });
    const before = await prisma().profile.findUniqueOrThrow({ where: { id }, select: { rules: true, updatedAt: true } });
    await expectTrpcError(admin.compliance.updateProfile({ id, edit: { rules: [{ ruleId: "kernel.nope", enabled: false }] } }), "BAD_REQUEST", 'unknown rule id "kernel.nope"');
    await expectTrpcError(admin.compliance.updateProfile({ id, edit: { rules: [{ ruleId: "kernel.isolcpus", params: { cpus: "4-x" } }] } }), "BAD_REQUEST", "not a cpu list");
    await expectTrpcError(admin.compliance.updateProfile({ id, edit: { rules: [{ ruleId: "kernel.isolcpus", severity: "fatal" as never }] } }), "BAD_REQUEST");
    await expectTrpcError(admin.compliance.cloneProfile({ sourceId: "kvm4nfv-host", name: "x" }), "BAD_REQUEST");
    await expectTrpcError(admin.compliance.assignProfile({ target: { hostId: randomUUID() }, profileId: id }), "NOT_FOUND");
    await expectTrpcError(admin.compliance.assignProfile({ target: { label: "lab" }, profileId: "no-such-profile" }), "NOT_FOUND");
    const after = await prisma().profile.findUniqueOrThrow({ where: { id }, select: { rules: true, updatedAt: true } });
    expect(after).toEqual(before);
  });

  it("viewers cannot edit", async () => {
    await expectTrpcError(viewer.compliance.cloneProfile({ sourceId: "kvm4nfv-host", name: "Viewer copy" }), "FORBIDDEN");
  });
});

describe("fleet view", () => {
  it("filters failing kernel rules and exports CSV", async () => {
    const good = await newAgent("fleet-good");
    await good.report(await fixtureSections("kvm4nfv-baseline"), at(0));
    const bad = await newAgent("fleet-bad");
    await bad.report(await fixtureSections("ht-on-rdt"), at(0));
    await viewer.compliance.getHostCompliance({ hostId: good.hostId });
    await viewer.compliance.getHostCompliance({ hostId: bad.hostId });

    const failingKernel = await viewer.compliance.listFleetCompliance({ section: "kernel-cmdline", status: "fail" });
    const ids = failingKernel.map((r) => r.hostId);
    expect(ids).toContain(bad.hostId);
    // the baseline fails only tsc=reliable, a kernel-cmdline rule too; runtime is clean there
    const failingRuntime = (await viewer.compliance.listFleetCompliance({ section: "runtime", status: "fail" })).map((r) => r.hostId);
    expect(failingRuntime).toContain(bad.hostId);
    expect(failingRuntime).not.toContain(good.hostId);

    const csv = await viewer.compliance.exportCsv({});
    const lines = csv.csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("host_id,hostname,labels,profile,evaluated_at,score,fail,warn,pass,na,section_bios,section_kvm,section_kernel_cmdline,section_runtime,section_isolation,section_numa,section_hugepages");
    const row = lines.find((l) => l.startsWith(bad.hostId));
    expect(row).toContain(",kvm4nfv-host,");
    expect(row?.split(",")[13]).toBe("fail");
  });
});
