/**
 * Findings stored compactly (rule texts once per rule set, the host's outcomes per host): what the host's
 * compliance read shows is exactly what the evaluation found, a stored result keeps the texts it was
 * evaluated with after a profile edit, a result stored in the full form (before 20261203122000) stays
 * readable and is the base of the next evaluation's drift, and an evaluation that finds the same rewrites no
 * findings. Real PostgreSQL, reports through the agent router.
 */
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { collectSections } from "@/agent/report/collect";
import { disconnectPrisma, pgPool, prisma } from "@/server/db";
import { snapshotFromSections } from "@/server/domain/compliance/snapshot";
import { evaluateProfile } from "@/server/domain/compliance/evaluate";
import { findingSchema } from "@/server/domain/compliance/types";
import { findProfile, updateProfileRow } from "@/server/repo/profiles";
import { evaluateHosts } from "@/server/services/compliance/evaluate-host";
import { getHostCompliance } from "@/server/services/compliance/get-host-compliance";
import { signedInCaller, type Caller } from "@/server/test/callers";
import { editKernel, newReportingAgent } from "@/server/test/reporting-agent";

const FIXTURES = path.resolve(import.meta.dirname, "../../../agent/fixtures");
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const newAgent = (name: string) => newReportingAgent(name, "stored findings test");
const baseline = async () =>
  editKernel(await collectSections(new HostFs(path.join(FIXTURES, "kvm4nfv-baseline"))), (k) => {
    k.irqbalance = { running: false, pids: [], bannedCpus: null, bannedSource: null };
  });
const row = (hostId: string) => prisma().complianceResult.findUniqueOrThrow({ where: { hostId } });

let admin: Caller;
beforeAll(async () => {
  admin = await signedInCaller("admin");
});
afterAll(async () => {
  await disconnectPrisma();
});

describe("compact stored findings", () => {
  it("the host's read shows exactly what evaluating its sections gives, from a row without the rule texts", async () => {
    const a = await newAgent("compact-read");
    const sections = await baseline();
    await a.report(sections, at(0));
    const stored = await row(a.hostId);
    expect(stored.ruleSetHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored.findings)).not.toContain("remediation");
    const expected = evaluateProfile(snapshotFromSections(sections), await findProfile("kvm4nfv-host"));
    const read = await getHostCompliance({ hostId: a.hostId });
    // the full form was read back through jsonb and the finding schema: the same keys in the same order
    expect(JSON.stringify(read.result?.findings)).toBe(JSON.stringify(findingSchema.array().parse(JSON.parse(JSON.stringify(expected.findings)))));
    expect(read.result?.score).toBe(expected.score);
  });

  it("a profile edited but not yet re-evaluated leaves the stored result with the texts it was evaluated with", async () => {
    const a = await newAgent("compact-edit");
    const { id } = await admin.compliance.cloneProfile({ sourceId: "kvm4nfv-host", name: `Texts ${randomUUID().slice(0, 6)}` });
    await admin.compliance.assignProfile({ target: { hostId: a.hostId }, profileId: id });
    await a.report(await baseline(), at(0));
    const before = await getHostCompliance({ hostId: a.hostId });
    const rule = (r: typeof before) => r.result?.findings.find((f) => f.ruleId === "hugepages.isolated-nodes");
    expect(rule(before)?.severity).not.toBe("info");
    const setBefore = (await row(a.hostId)).ruleSetHash;

    // the edit's own write, without the re-evaluation that follows it (a crash or a read in between)
    const current = await findProfile(id);
    const rules = current.rules.map((r) => (r.ruleId === "hugepages.isolated-nodes" ? { ...r, severity: "info" as const, params: { ...r.params, minPages: 4 } } : r));
    await updateProfileRow(id, { rules });
    const between = await getHostCompliance({ hostId: a.hostId });
    expect(between.result?.findings).toEqual(before.result?.findings);

    await evaluateHosts({ hosts: [{ hostId: a.hostId }] });
    const after = await getHostCompliance({ hostId: a.hostId });
    expect(rule(after)?.severity).toBe("info");
    expect(rule(after)?.expected).not.toBe(rule(before)?.expected);
    expect((await row(a.hostId)).ruleSetHash).not.toBe(setBefore);
    // the edit made a new rule set; the one the earlier result showed is still stored
    expect(await prisma().complianceRuleSet.count({ where: { hash: setBefore ?? "" } })).toBe(1);
  });

  it("a result in the full form stays readable, and the next evaluation diffs against it and stores the compact form", async () => {
    const a = await newAgent("legacy-form");
    const sections = await baseline();
    await a.report(sections, at(0));
    const compact = await getHostCompliance({ hostId: a.hostId });
    const findings = compact.result?.findings ?? [];
    // the row as it was written before 20261203122000: the full findings, no rule set
    await pgPool().query(`update "ComplianceResult" set findings = $2::jsonb, "ruleSetHash" = null, statuses = null, "findingsHash" = null where "hostId" = $1`, [a.hostId, JSON.stringify(findings)]);
    const legacy = await getHostCompliance({ hostId: a.hostId });
    expect(legacy.result?.findings).toEqual(findings);

    await a.report(editKernel(sections, (k) => (k.irqbalance = { running: true, pids: [777], bannedCpus: null, bannedSource: null })), at(10));
    const drift = await prisma().driftEvent.findMany({ where: { hostId: a.hostId, kind: "compliance" }, select: { ruleId: true, oldStatus: true, newStatus: true } });
    expect(drift).toEqual([{ ruleId: "runtime.irqbalance", oldStatus: "pass", newStatus: "fail" }]);
    const stored = await row(a.hostId);
    expect(stored.ruleSetHash).not.toBeNull();
    expect((await getHostCompliance({ hostId: a.hostId })).result?.findings.find((f) => f.ruleId === "runtime.irqbalance")?.status).toBe("fail");
  });

  it("an evaluation that finds the same moves the evaluation stamp and input hash only; drift from the rule set's statuses", async () => {
    const a = await newAgent("same-findings");
    const sections = await baseline();
    await a.report(sections, at(0));
    const first = await row(a.hostId);
    // a kvm value no rule looks at: new input, same findings
    const kvm = sections.kvm!;
    const { sectionHash } = await import("@/server/contract/canonical");
    const data = { ...(kvm.data as Record<string, unknown>), haltPollNs: 123_456 };
    await a.report({ ...sections, kvm: { ...kvm, data: data as typeof kvm.data, hash: sectionHash("kvm", data as typeof kvm.data) } }, at(10));
    const second = await row(a.hostId);
    expect(second.inputHash).not.toBe(first.inputHash);
    expect(second.evaluatedAt.getTime()).toBe(Date.parse(at(10)));
    expect({ ...second, evaluatedAt: null, inputHash: null }).toEqual({ ...first, evaluatedAt: null, inputHash: null });
    expect(await prisma().driftEvent.count({ where: { hostId: a.hostId, kind: "compliance" } })).toBe(0);
    expect((await getHostCompliance({ hostId: a.hostId })).result?.evaluatedAt.getTime()).toBe(Date.parse(at(10)));
  });

  it("a rule set this process saw stored but that is gone is sent again (the result is stored, not refused)", async () => {
    // a profile of its own (a hugepage count no other test uses): the rule set is this test's alone
    const { id } = await admin.compliance.cloneProfile({ sourceId: "kvm4nfv-host", name: `Gone ${randomUUID().slice(0, 6)}` });
    await admin.compliance.updateProfile({ id, edit: { rules: [{ ruleId: "hugepages.isolated-nodes", params: { minPages: 1000 + Math.floor(Math.random() * 900_000) } }] } });
    const a = await newAgent("rule-set-gone-a");
    const b = await newAgent("rule-set-gone-b");
    for (const h of [a, b]) await admin.compliance.assignProfile({ target: { hostId: h.hostId }, profileId: id });
    const sections = await baseline();
    await a.report(sections, at(0));
    const hash = (await row(a.hostId)).ruleSetHash ?? "";
    // no result references it any more, so it can go (as after a restore): this process still thinks it stored
    // (the assignment evaluated b already, with no sections: the same rule set)
    await prisma().complianceResult.deleteMany({ where: { hostId: { in: [a.hostId, b.hostId] } } });
    await prisma().complianceRuleSet.delete({ where: { hash } });
    await b.report(sections, at(0));
    expect((await row(b.hostId)).ruleSetHash).toBe(hash);
    expect(await prisma().complianceRuleSet.count({ where: { hash } })).toBe(1);
    expect((await getHostCompliance({ hostId: b.hostId })).result?.findings.length).toBeGreaterThan(0);
  });
});
