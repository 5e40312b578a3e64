import { describe, expect, it } from "vitest";
import { evaluateProfile, summarise, summaryLine } from "@/server/domain/compliance/evaluate";
import { buildTimeline, describeSnapshotChange, diffResults, diffSection, flattenSection, formatMinute } from "@/server/domain/compliance/drift";
import { emptySnapshot } from "@/server/domain/compliance/snapshot";
import type { Finding } from "@/server/domain/compliance/types";

function finding(ruleId: string, status: Finding["status"], severity: Finding["severity"] = "major", section: Finding["section"] = "runtime"): Finding {
  return { ruleId, title: ruleId, section, severity, status, message: "", evidence: { observed: "", expected: "", source: "" }, expected: "", remediation: "", tuningActionId: null };
}

describe("summarise: score, counts, worst status per section", () => {
  it.each([
    [[], 100],
    [[finding("a", "na")], 100],
    [[finding("a", "pass")], 100],
    [[finding("a", "fail")], 0],
    [[finding("a", "pass", "critical"), finding("b", "fail", "info")], 90.9],
    [[finding("a", "warn", "major"), finding("b", "pass", "major")], 75],
  ])("%#: score %d", (findings, score) => {
    expect(summarise("p", findings).score).toBe(score);
  });

  it("counts and section summary", () => {
    const e = summarise("p", [finding("a", "pass", "major", "bios"), finding("b", "fail", "minor", "bios"), finding("c", "na", "minor", "kvm")]);
    expect(e.counts).toEqual({ pass: 1, fail: 1, warn: 0, na: 1 });
    expect(e.sections.bios).toEqual({ status: "fail", counts: { pass: 1, fail: 1, warn: 0, na: 0 } });
    expect(e.sections.kvm?.status).toBe("na");
    expect(summaryLine(e)).toBe("1 failing, 0 warning, 1 passing, 1 n/a — score 71.4");
  });
});

describe("evaluateProfile", () => {
  it("disabled rules are not evaluated; a rule without data is n/a", () => {
    const s = emptySnapshot();
    const e = evaluateProfile(s, {
      id: "p",
      rules: [
        { ruleId: "kernel.isolcpus", enabled: false, severity: "critical", params: {} },
        { ruleId: "numa.vnf-locality", enabled: true, severity: "major", params: {} },
      ],
    });
    expect(e.findings.map((f) => [f.ruleId, f.status])).toEqual([["numa.vnf-locality", "na"]]);
    expect(e.score).toBe(100);
  });
});

describe("drift", () => {
  it("kernel cmdline changes are per parameter", () => {
    const before = { cmdline: { raw: "a", params: [{ key: "isolcpus", value: "2-5" }, { key: "quiet", value: null }] }, irqbalance: { running: false, pids: [] } };
    const after = { cmdline: { raw: "b", params: [{ key: "isolcpus", value: "2-5" }, { key: "nohz_full", value: "2-5" }] }, irqbalance: { running: true, pids: [1234] } };
    const changes = diffSection("kernel", before, after);
    expect(changes).toEqual([
      { section: "kernel", key: "kernel.cmdline.nohz_full", oldValue: null, newValue: "2-5" },
      { section: "kernel", key: "kernel.cmdline.quiet", oldValue: "(flag)", newValue: null },
      { section: "kernel", key: "kernel.irqbalance.running", oldValue: "false", newValue: "true" },
    ]);
    expect(changes.map(describeSnapshotChange)).toEqual(["kernel cmdline: nohz_full=2-5 added", "kernel cmdline: quiet removed", "irqbalance started"]);
  });

  it("IRQs are keyed by number, cpu sets shown as lists, counters ignored", () => {
    const irq = (aff: number[], total: number) => ({ irqs: [{ irq: 123, name: "i40e", total, cpusWithCounts: [1], effectiveAffinity: aff }], other: [{ name: "LOC", total }] });
    expect(diffSection("irq", irq([0, 1, 2, 3], 5), irq([0, 1, 2, 3], 900))).toEqual([]);
    const c = diffSection("irq", irq([0], 5), irq([4, 5, 6], 900));
    expect(c).toEqual([{ section: "irq", key: "irq.irqs.123.effectiveAffinity", oldValue: "0", newValue: "4-6" }]);
    expect(describeSnapshotChange(c[0]!)).toBe("IRQ 123 effective affinity 0 → 4-6");
  });

  it("a section appearing flattens to new keys", () => {
    expect(flattenSection("kvm", { enableApicv: true, vendorParams: { ple_gap: "0" } })).toEqual(new Map([["kvm.enableApicv", "true"], ["kvm.vendorParams.ple_gap", "0"]]));
  });

  it("a large change is capped with a summary entry", () => {
    const many = (v: number) => ({ cpus: Array.from({ length: 300 }, (_, i) => ({ cpu: i, node: v })) });
    const c = diffSection("topology", many(0), many(1));
    expect(c).toHaveLength(100);
    expect(c[99]?.newValue).toBe("… and 201 more changes");
  });

  it("diffResults reports status changes, new and removed rules", () => {
    const changes = diffResults([finding("a", "pass"), finding("b", "fail"), finding("c", "na")], [finding("a", "fail"), finding("b", "fail"), finding("d", "pass")]);
    expect(changes).toEqual([
      { ruleId: "a", section: "runtime", oldStatus: "pass", newStatus: "fail" },
      { ruleId: "d", section: "runtime", oldStatus: null, newStatus: "pass" },
      { ruleId: "c", section: "runtime", oldStatus: "na", newStatus: null },
    ]);
  });

  it("the timeline groups one instant into one line", () => {
    const at = new Date("2026-11-20T14:02:31Z");
    const rows = [
      { at, kind: "snapshot", section: "kernel", key: "kernel.irqbalance.running", oldValue: "false", newValue: "true", ruleId: null, oldStatus: null, newStatus: null },
      { at, kind: "compliance", section: "runtime", key: "runtime.irqbalance", oldValue: null, newValue: null, ruleId: "runtime.irqbalance", oldStatus: "pass", newStatus: "fail" },
      { at: new Date("2026-11-19T08:00:00Z"), kind: "compliance", section: "profile", key: "profileId", oldValue: "kvm4nfv-host", newValue: "lab", ruleId: null, oldStatus: null, newStatus: null },
    ];
    const t = buildTimeline(rows);
    expect(t.map((e) => e.text)).toEqual(["2026-11-20 14:02 irqbalance started; rule runtime.irqbalance pass → fail", "2026-11-19 08:00 profile kvm4nfv-host → lab"]);
    expect(formatMinute(at)).toBe("2026-11-20 14:02");
  });
});
