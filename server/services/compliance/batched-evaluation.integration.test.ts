/**
 * Compliance work after full reports is batched (one batch of reads and writes for many hosts): the
 * result and the drift each host gets must be exactly what the same reports give one at a time, a
 * host's reports stay in order, and one host that cannot be evaluated never costs another its result.
 * Real PostgreSQL, reports through the agent router as the agent sends them.
 */
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { collectSections } from "@/agent/report/collect";
import type { ReportSections } from "@/server/contract/report";
import { disconnectPrisma, prisma } from "@/server/db";
import { evaluateHosts } from "@/server/services/compliance/evaluate-host";
import { newReportingAgent, editKernel } from "@/server/test/reporting-agent";

const FIXTURES = path.resolve(import.meta.dirname, "../../../agent/fixtures");
/** Report times as minutes after a whole minute two hours before the run (the server checks times against its clock). */
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

afterAll(async () => {
  await disconnectPrisma();
});

const newAgent = (name: string) => newReportingAgent(name, "batched evaluation test");


/** What a host ended up with, without its id: comparable between two hosts that got the same reports. */
async function outcome(hostId: string) {
  const result = await prisma().complianceResult.findUniqueOrThrow({
    where: { hostId },
    select: { profileId: true, evaluatedAt: true, score: true, pass: true, fail: true, warn: true, na: true, sections: true, findings: true, inputHash: true },
  });
  const drift = await prisma().driftEvent.findMany({
    where: { hostId },
    orderBy: [{ at: "asc" }, { kind: "asc" }, { section: "asc" }, { key: "asc" }],
    select: { at: true, kind: true, section: true, key: true, oldValue: true, newValue: true, ruleId: true, oldStatus: true, newStatus: true },
  });
  return { result, drift };
}

/** Per host i: a baseline, then irqbalance starts, then a cmdline parameter goes (each host its own variant). */
function scriptFor(base: ReportSections, i: number): ReportSections[] {
  const started = editKernel(base, (k) => {
    k.irqbalance = { running: true, pids: [4000 + i], bannedCpus: null, bannedSource: null };
  });
  const cmdlineEdited = editKernel(started, (k) => {
    if (k.cmdline) k.cmdline.params = k.cmdline.params.filter((_, j) => j !== i % Math.max(1, k.cmdline?.params.length ?? 1));
  });
  return [base, started, cmdlineEdited];
}

describe("batched compliance evaluation after full reports", () => {
  it("12 hosts reporting at once get exactly the result and drift that the same reports give one host at a time", async () => {
    const base = editKernel(await collectSections(new HostFs(path.join(FIXTURES, "kvm4nfv-baseline"))), (k) => {
      k.irqbalance = { running: false, pids: [], bannedCpus: null, bannedSource: null };
    });
    const n = 12;
    const scripts = Array.from({ length: n }, (_, i) => scriptFor(base, i));

    // one at a time: each report awaited before the next host starts
    const alone: string[] = [];
    for (let i = 0; i < n; i++) {
      const a = await newAgent(`batch-alone-${i}`);
      for (const [step, sections] of scripts[i]!.entries()) await a.report(sections, at(step * 10));
      alone.push(a.hostId);
    }
    // all at once: every host's agent sends its reports in order, concurrently with the others
    const agents = await Promise.all(Array.from({ length: n }, (_, i) => newAgent(`batch-together-${i}`)));
    await Promise.all(
      agents.map(async (a, i) => {
        for (const [step, sections] of scripts[i]!.entries()) await a.report(sections, at(step * 10));
      }),
    );

    for (let i = 0; i < n; i++) {
      const expected = await outcome(alone[i]!);
      const got = await outcome(agents[i]!.hostId);
      expect(got).toEqual(expected);
      // and the script really produced drift of both kinds on this host
      expect(got.drift.some((d) => d.kind === "snapshot" && d.key === "kernel.irqbalance.running")).toBe(true);
      expect(got.drift.some((d) => d.kind === "compliance" && d.ruleId === "runtime.irqbalance" && d.newStatus === "fail")).toBe(true);
    }
  });

  it("a batch with a host that no longer exists evaluates every other host and leaves the gone one out", async () => {
    const a = await newAgent("batch-survivor-a");
    const b = await newAgent("batch-survivor-b");
    const gone = await newAgent("batch-gone");
    const sections = await collectSections(new HostFs(path.join(FIXTURES, "amd-epyc")));
    await Promise.all([a.report(sections, at(0)), b.report(sections, at(0)), gone.report(sections, at(0))]);
    await prisma().complianceResult.deleteMany({ where: { hostId: { in: [a.hostId, b.hostId] } } });
    await prisma().host.delete({ where: { id: gone.hostId } });

    const results = await evaluateHosts({ hosts: [{ hostId: a.hostId }, { hostId: gone.hostId }, { hostId: b.hostId }, { hostId: a.hostId }] });
    expect([...results.keys()].sort()).toEqual([a.hostId, b.hostId].sort());
    expect(results.get(a.hostId)?.changed).toBe(true);
    const stored = await prisma().complianceResult.findMany({ where: { hostId: { in: [a.hostId, b.hostId, gone.hostId] } }, select: { hostId: true, score: true } });
    expect(stored.map((r) => r.hostId).sort()).toEqual([a.hostId, b.hostId].sort());
    expect(stored.every((r) => r.score === results.get(r.hostId)?.score)).toBe(true);
  });

  it("evaluates from the report's own validated sections only while they are the stored version", async () => {
    const base = editKernel(await collectSections(new HostFs(path.join(FIXTURES, "kvm4nfv-baseline"))), (k) => {
      k.irqbalance = { running: false, pids: [], bannedCpus: null, bannedSource: null };
    });
    const started = editKernel(base, (k) => {
      k.irqbalance = { running: true, pids: [4242], bannedCpus: null, bannedSource: null };
    });
    const a = await newAgent("known-sections");
    await a.report(base, at(0));
    await a.report(started, at(10));
    const kernelOf = (s: ReportSections) => ({ hash: s.kernel!.hash, data: s.kernel!.data });
    /** a fresh evaluation (the stored result removed first, so it is computed, not reused) */
    const evaluate = async (known?: { kernel: { hash: string; data: unknown } }) => {
      await prisma().complianceResult.deleteMany({ where: { hostId: a.hostId } });
      const r = (await evaluateHosts({ hosts: [{ hostId: a.hostId, known }] })).get(a.hostId);
      if (!r?.changed) throw new Error("host not evaluated");
      return { profileId: r.profileId, score: r.score, counts: r.counts, findings: r.findings };
    };
    const irqbalance = (r: Awaited<ReturnType<typeof evaluate>>) => r.findings.find((f) => f.ruleId === "runtime.irqbalance")?.status;

    const fromStorage = await evaluate();
    expect(irqbalance(fromStorage)).toBe("fail");
    // the copy of the stored version gives exactly what reading it back gives
    expect(await evaluate({ kernel: kernelOf(started) })).toEqual(fromStorage);
    // a copy of an older version (a newer report was stored meanwhile) is not used: the stored one is read
    expect(await evaluate({ kernel: kernelOf(base) })).toEqual(fromStorage);
    // and the copy really is what gets evaluated when its hash is the stored one (it is not read back)
    const copyWithStoredHash = { hash: started.kernel!.hash, data: base.kernel!.data };
    expect(irqbalance(await evaluate({ kernel: copyWithStoredHash }))).toBe("pass");
  });
});
