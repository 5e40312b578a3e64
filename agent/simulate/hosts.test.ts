import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportInput, SECTION_NAMES } from "@/server/contract/report";
import { snapshotFromSections } from "@/server/domain/compliance/snapshot";
import { evaluateProfile } from "@/server/domain/compliance/evaluate";
import { builtinProfiles, GUEST_PROFILE_ID, HOST_PROFILE_ID } from "@/server/domain/compliance/builtin-profiles";
import { HOST_KINDS, hostSections, simulateHost, type HostKind } from "@/agent/simulate/hosts";
import { historyReports } from "@/agent/simulate/history";
import { QosSeries } from "@/agent/simulate/qos";
import { simulatedHostId } from "@/agent/simulate/report";
import { IRQ_NOISY_SHAPE } from "@/agent/simulate/hosts";
import { TUNED_RT_SHAPE } from "@/agent/simulate/latency";
import { reportsOf } from "@/agent/commands/simulate";
import { MemoryHostFs } from "@/agent/simulate/memory-hostfs";
import { setContractClock } from "@/server/contract/common";

// timestamps are checked against the server's clock: pin it to the fixture's day, so no run depends on today
beforeAll(() => setContractClock(() => Date.parse("2026-11-22T12:00:00Z")));
afterAll(() => setContractClock(null));

const profiles = new Map(builtinProfiles().map((p) => [p.id, p]));

/** The rules each variant exists to break (the story the demo tells), beyond what every host of its platform shares. */
const EXPECTED_FAILS: Record<HostKind, string[]> = {
  compliant: [],
  "ht-on": ["bios.hyper-threading", "isolation.smt-siblings"],
  "no-nohz-full": ["kernel.nohz-full", "kernel.isolcpus-equal-sets"],
  "irq-on-isolated": ["runtime.irq-affinity", "runtime.irqbalance"],
  "rt-throttling": ["runtime.sched-rt-runtime"],
  "cstates-turbo": ["bios.c-states", "bios.turbo", "runtime.cpufreq-governor"],
  "amd-epyc": ["kernel.isolcpus", "runtime.irqbalance"],
  "vm-guest": ["kernel.isolcpus", "kernel.idle-poll"],
  rdt: ["kernel.nohz-full", "runtime.irq-affinity", "bios.hyper-threading"],
};

describe("simulated hosts", () => {
  it.each(HOST_KINDS)("%s: every section collected without error, and the compliance story holds", async (kind) => {
    const host = await simulateHost({ index: 3, seed: "t", kind });
    for (const name of SECTION_NAMES) expect(host.sections[name]?.ok, `${kind} ${name}: ${host.sections[name]?.error}`).toBe(true);
    const profile = profiles.get(kind === "vm-guest" ? GUEST_PROFILE_ID : HOST_PROFILE_ID);
    if (!profile) throw new Error("builtin profile missing");
    const evaluation = evaluateProfile(snapshotFromSections(host.sections), profile);
    const failed = evaluation.findings.filter((f) => f.status === "fail").map((f) => f.ruleId);
    if (kind === "compliant") expect(failed).toEqual([]);
    for (const rule of EXPECTED_FAILS[kind]) expect(failed).toContain(rule);
    // only baseline-derived problem hosts: nothing but their own story fails
    if (["ht-on", "no-nohz-full", "irq-on-isolated", "rt-throttling"].includes(kind)) expect(failed.sort()).toEqual([...EXPECTED_FAILS[kind]].sort());
  });

  it("HT on doubles the baseline's CPUs; the RDT host carries resctrl groups for QoS", async () => {
    const ht = await simulateHost({ index: 0, seed: "t", kind: "ht-on" });
    expect((ht.sections.topology?.data as { cpuCount: number }).cpuCount).toBe(72);
    expect((await simulateHost({ index: 0, seed: "t", kind: "compliant" })).qosGroups).toEqual([]);
    expect((await simulateHost({ index: 0, seed: "t", kind: "rdt" })).qosGroups.length).toBeGreaterThan(0);
  });

  it("reports are deterministic for a seed and every one validates against the agent.report contract", async () => {
    const now = new Date("2026-11-22T12:00:00Z");
    for (let i = 0; i < 16; i++) {
      const host = await simulateHost({ index: i, seed: "det" });
      const a = [...reportsOf(host, { hostId: simulatedHostId("det", i), seed: "det", now, days: 0, runs: 3 })];
      const b = [...reportsOf(await simulateHost({ index: i, seed: "det" }), { hostId: simulatedHostId("det", i), seed: "det", now, days: 0, runs: 3 })];
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      expect(a[0]?.sections).toBeDefined();
      for (const r of a) {
        const parsed = reportInput.safeParse(r);
        expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
        expect(new Date(r.collectedAt).getTime()).toBeLessThanOrEqual(now.getTime());
      }
      expect(a.reduce((n, r) => n + (r.latencyRuns?.length ?? 0), 0)).toBeGreaterThanOrEqual(2);
    }
    expect(simulatedHostId("det", 1)).not.toBe(simulatedHostId("det", 2));
  });
});

describe("historyReports", () => {
  it("backfills hourly runs in batches of ≤ 20, ordered, with a section change at the drift", async () => {
    const host = await simulateHost({ index: 4, seed: "h", kind: "irq-on-isolated" });
    const before = await hostSections("irq-on-isolated", host.tweak, { irqbalanceStarted: false });
    expect(before.irq?.hash).not.toBe(host.sections.irq?.hash);
    expect(before.kernel?.hash).not.toBe(host.sections.kernel?.hash);
    const to = new Date("2026-11-22T12:00:00Z");
    const from = new Date(to.getTime() - 3 * 86400_000);
    const driftAt = new Date(to.getTime() - 2 * 86400_000);
    const rdt = await simulateHost({ index: 5, seed: "h", kind: "rdt" });
    const reports = [
      ...historyReports({
        host,
        hostId: simulatedHostId("h", 4),
        seed: "h",
        phases: [
          { from, sections: before, shape: TUNED_RT_SHAPE },
          { from: driftAt, sections: host.sections, shape: IRQ_NOISY_SHAPE },
        ],
        to,
        runEveryMinutes: 60,
        qos: new QosSeries({ groups: rdt.qosGroups, seed: "h" }),
        firstSequence: 1,
        bootAt: new Date(from.getTime() - 86400_000),
      }),
    ];
    const runs = reports.flatMap((r) => r.latencyRuns ?? []);
    expect(runs.length).toBeGreaterThanOrEqual(71);
    expect(runs.length).toBeLessThanOrEqual(72);
    for (const r of reports) expect(r.latencyRuns?.length ?? 0).toBeLessThanOrEqual(20);
    const withSections = reports.filter((r) => r.sections && Object.keys(r.sections).length > 0);
    expect(withSections.map((r) => r.collectedAt)).toEqual([from.toISOString(), driftAt.toISOString()]);
    reports.forEach((r, i) => {
      expect(r.sequence).toBe(i + 1);
      if (i > 0) expect(Date.parse(r.collectedAt)).toBeGreaterThanOrEqual(Date.parse(reports[i - 1]!.collectedAt));
    });
    const maxOf = (rs: typeof runs) => Math.max(...rs.flatMap((r) => r.threads.map((t) => t.max ?? 0)));
    const beforeRuns = runs.filter((r) => Date.parse(r.startedAt) < driftAt.getTime());
    const afterRuns = runs.filter((r) => Date.parse(r.startedAt) >= driftAt.getTime());
    expect(maxOf(afterRuns)).toBeGreaterThan(3 * maxOf(beforeRuns));
    expect(reports.reduce((n, r) => n + (r.qosSamples?.length ?? 0), 0)).toBeGreaterThan(0);
  });
});

describe("MemoryHostFs", () => {
  const fs = new MemoryHostFs(new Map([["proc/cmdline", "ro quiet\n"], ["sys/devices/system/cpu/cpu0/online", "1\n"]]));
  it("reads files and lists directories implied by the paths", async () => {
    expect(await fs.readText("proc/cmdline")).toBe("ro quiet\n");
    expect(await fs.readText("proc/missing")).toBeNull();
    expect(await fs.listDir("sys/devices/system/cpu")).toEqual(["cpu0"]);
    expect(await fs.listDir("nope")).toBeNull();
    expect(await fs.exists("sys/devices")).toBe(true);
    expect((await fs.readBytes("proc/cmdline"))?.toString()).toBe("ro quiet\n");
  });
  it("refuses absolute and escaping paths like HostFs", async () => {
    await expect(fs.readText("/proc/cmdline")).rejects.toThrow(/relative/);
    await expect(fs.readText("../etc/passwd")).rejects.toThrow(/escapes/);
  });
});
