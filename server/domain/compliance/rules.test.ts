import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { collectSections } from "@/agent/report/collect";
import { readBios } from "@/agent/collectors/bios";
import { parseCmdline } from "@/agent/collectors/kernel";
import { snapshotFromSections, type HostSnapshot } from "@/server/domain/compliance/snapshot";
import { findRule, RULE_CATALOGUE } from "@/server/domain/compliance/catalogue";
import { evaluateProfile } from "@/server/domain/compliance/evaluate";
import { builtinProfiles, GUEST_PROFILE_ID, HOST_PROFILE_ID } from "@/server/domain/compliance/builtin-profiles";
import type { RuleOutcome } from "@/server/domain/compliance/types";

const FIXTURES = path.resolve(import.meta.dirname, "../../../agent/fixtures");
const FIXTURE_NAMES = ["this-vm", "kvm4nfv-baseline", "ht-on-rdt", "amd-epyc", "broken-partial", "empty-tree"] as const;
type FixtureName = (typeof FIXTURE_NAMES)[number];
const snaps = new Map<FixtureName, HostSnapshot>();

beforeAll(async () => {
  for (const name of FIXTURE_NAMES) snaps.set(name, snapshotFromSections(await collectSections(new HostFs(path.join(FIXTURES, name)))));
});

/** A deep copy of a fixture's snapshot, for per-test edits. */
function snap(name: FixtureName): HostSnapshot {
  const s = snaps.get(name);
  if (!s) throw new Error(`fixture ${name} not loaded`);
  return structuredClone(s);
}

function run(ruleId: string, s: HostSnapshot, params: unknown = undefined): RuleOutcome {
  const rule = findRule(ruleId);
  if (!rule) throw new Error(`unknown rule ${ruleId}`);
  return rule.check(s, params ?? rule.defaultParams);
}

function withCmdline(s: HostSnapshot, text: string): HostSnapshot {
  if (!s.kernel) throw new Error("fixture has no kernel section");
  s.kernel.cmdline = parseCmdline(text);
  return s;
}

const hostProfile = () => builtinProfiles().find((p) => p.id === HOST_PROFILE_ID)!;
const guestProfile = () => builtinProfiles().find((p) => p.id === GUEST_PROFILE_ID)!;

describe("the fixture snapshots are real", () => {
  it.each(FIXTURE_NAMES.filter((n) => n !== "empty-tree"))("%s has kernel and topology data", (name) => {
    const s = snap(name);
    expect(s.state.kernel).toBe("ok");
    expect(s.state.topology).toBe("ok");
  });
});

describe("kvm4nfv-baseline (the guide's platform) passes the kernel-cmdline rules it should", () => {
  it.each([
    "kernel.isolcpus",
    "kernel.nohz-full",
    "kernel.rcu-nocbs",
    "kernel.isolcpus-equal-sets",
    "kernel.iommu-pt",
    "kernel.intel-iommu",
    "kernel.default-hugepagesz",
    "kernel.nohz-full-support",
    "runtime.sched-rt-runtime",
    "runtime.irq-affinity",
    "runtime.irqbalance",
    "runtime.clocksource-tsc",
    "isolation.smt-siblings",
    "numa.housekeeping-per-node",
    "hugepages.isolated-nodes",
    "bios.hyper-threading",
    "bios.turbo",
    "bios.c-states",
    "kvm.enable-apicv",
    "kvm.preemption-timer",
    "kvm.ple-gap",
  ])("%s passes", (id) => {
    expect(run(id, snap("kvm4nfv-baseline")).status).toBe("pass");
  });

  it("the guide's boot line lacks tsc=reliable although its TSC is invariant: reported, with the flags as evidence", () => {
    const o = run("kernel.tsc-reliable", snap("kvm4nfv-baseline"));
    expect(o.status).toBe("fail");
    expect(o.evidence.observed).toContain("constant_tsc nonstop_tsc");
  });

  it("equal-sets evidence quotes the command line", () => {
    const o = run("kernel.isolcpus-equal-sets", snap("kvm4nfv-baseline"));
    expect(o.evidence).toMatchObject({ source: "/proc/cmdline", observed: "isolcpus=11-15,31-35 nohz_full=11-15,31-35 rcu_nocbs=11-15,31-35" });
  });

  it("an explicit expected set is honoured", () => {
    expect(run("kernel.isolcpus", snap("kvm4nfv-baseline"), { cpus: "11-15,31-35" }).status).toBe("pass");
    const o = run("kernel.isolcpus", snap("kvm4nfv-baseline"), { cpus: "10-15,31-35" });
    expect(o.status).toBe("fail");
    expect(o.message).toContain("missing 10");
  });
});

describe("ht-on-rdt (HT on, IRQ on an isolated CPU, irqbalance running, no nohz_full)", () => {
  it("fails the Hyper-Threading rule, judged from smt/active and saying so", () => {
    const o = run("bios.hyper-threading", snap("ht-on-rdt"));
    expect(o.status).toBe("fail");
    expect(o.evidence.inferred).toBe(true);
    expect(o.evidence.source).toBe("/sys/devices/system/cpu/smt/active");
    expect(o.message).toContain("observed effect");
  });

  it("names the offending IRQ with its number, name and CPU", () => {
    const o = run("runtime.irq-affinity", snap("ht-on-rdt"));
    expect(o.status).toBe("fail");
    expect(o.evidence.items).toContain("IRQ 123 i40e-ens1f0-TxRx-3 → CPU 5");
  });

  it("an allow-pattern for the VNF's own IRQs makes the IRQ rule pass", () => {
    expect(run("runtime.irq-affinity", snap("ht-on-rdt"), { allowNames: ["^i40e-ens1f0-"] }).status).toBe("pass");
  });

  it("fails irqbalance (running, nothing banned) and passes once the isolated CPUs are banned", () => {
    const s = snap("ht-on-rdt");
    expect(run("runtime.irqbalance", s).status).toBe("fail");
    if (!s.kernel) throw new Error("no kernel");
    s.kernel.irqbalance.bannedCpus = [...s.kernel.isolatedCpus];
    expect(run("runtime.irqbalance", s).status).toBe("pass");
    s.kernel.irqbalance.bannedCpus = s.kernel.isolatedCpus.slice(1);
    expect(run("runtime.irqbalance", s).status).toBe("fail");
  });

  it("missing nohz_full fails presence and the equal-sets rule, with the sysfs (null) in the evidence", () => {
    const s = snap("ht-on-rdt");
    const presence = run("kernel.nohz-full", s);
    expect(presence.status).toBe("fail");
    expect(presence.evidence.observed).toBe("nohz_full absent (/sys/devices/system/cpu/nohz_full: (null))");
    const eq = run("kernel.isolcpus-equal-sets", s);
    expect(eq.status).toBe("fail");
    expect(eq.message).toContain("nohz_full");
  });

  it("parses isolcpus=managed_irq,domain,4-19,44-59 as the CPU set, flags apart", () => {
    const o = run("kernel.isolcpus", snap("ht-on-rdt"), { cpus: "4-19,44-59" });
    expect(o.status).toBe("pass");
    expect(o.evidence.observed).toContain("flags managed_irq,domain");
  });

  it("RT throttling on fails with the value", () => {
    const o = run("runtime.sched-rt-runtime", snap("ht-on-rdt"));
    expect(o).toMatchObject({ status: "fail", evidence: { observed: "950000", expected: "-1" } });
  });
});

describe("this VM (KVM guest): BIOS rules are n/a, never failures", () => {
  it.each(RULE_CATALOGUE.filter((r) => r.section === "bios").map((r) => r.id))("%s is n/a: VM guest", (id) => {
    const o = run(id, snap("this-vm"));
    expect(o.status).toBe("na");
    expect(o.message).toBe("no BIOS settings reported: VM guest");
  });

  it("KVM module rules are n/a without a vendor module", () => {
    for (const r of RULE_CATALOGUE.filter((x) => x.section === "kvm")) expect(run(r.id, snap("this-vm")).status).toBe("na");
  });

  it("defaults to the guest profile's rules, none of which fails for lack of data", () => {
    const e = evaluateProfile(snap("this-vm"), guestProfile());
    for (const f of e.findings.filter((x) => x.status === "fail")) {
      // every failure is a real, observed mis-setting with evidence from the command line or sysctl
      expect(["/proc/cmdline", "/proc/sys/kernel/sched_rt_runtime_us", "/sys/devices/system/cpu/nohz_full, /boot/config-<release>"]).toContain(f.evidence.source);
    }
    // this kernel's /proc/config.gz has no CONFIG_NO_HZ_FULL: a real failure, read from data
    expect(e.findings.find((f) => f.ruleId === "kernel.nohz-full-support")).toMatchObject({ status: "fail", evidence: { observed: "not supported" } });
  });
});

describe("AMD EPYC: no intel_pstate, boost present, kvm_amd", () => {
  it("judges turbo from cpufreq/boost (not a missing intel_pstate)", () => {
    const o = run("bios.turbo", snap("amd-epyc"));
    expect(o.evidence.source).toBe("/sys/devices/system/cpu/cpufreq/boost");
    expect(o.evidence.observed).toContain("boost = 1");
  });

  it("without a boost file turbo is n/a, not a failure (tuned's boost = None)", () => {
    const s = snap("amd-epyc");
    if (!s.power) throw new Error("no power");
    s.power.turbo = { source: "none", enabled: null };
    const o = run("bios.turbo", s);
    expect(o.status).toBe("na");
    expect(o.message).toContain("neither intel_pstate/no_turbo nor cpufreq/boost exists");
  });

  it("intel_iommu is n/a on AMD, and the preemption timer (VMX-only) too", () => {
    expect(run("kernel.intel-iommu", snap("amd-epyc")).status).toBe("na");
    expect(run("kvm.preemption-timer", snap("amd-epyc")).status).toBe("na");
  });

  it("amd_iommu=off is a failure on AMD", () => {
    const s = withCmdline(snap("amd-epyc"), "amd_iommu=off iommu=pt");
    expect(run("kernel.intel-iommu", s).status).toBe("fail");
  });

  it("Cluster-on-Die is not judged on AMD", () => {
    expect(run("bios.cluster-on-die", snap("amd-epyc")).status).toBe("na");
  });

  it("VT-x is judged from the svm flag", () => {
    expect(run("bios.vt-x", snap("amd-epyc"))).toMatchObject({ status: "pass", evidence: { observed: "cpu flag svm present" } });
  });
});

describe("command-line parsing edge cases", () => {
  it("isolcpus=managed_irq,domain,2-5 is the set 2-5", () => {
    const s = withCmdline(snap("broken-partial"), "isolcpus=managed_irq,domain,2-5 nohz_full=2-5 rcu_nocbs=2-5");
    expect(run("kernel.isolcpus", s, { cpus: "2-5" }).status).toBe("pass");
    expect(run("kernel.isolcpus-equal-sets", s).status).toBe("pass");
  });

  it("isolcpus with flags but without domain warns (CPUs stay in load balancing)", () => {
    const s = withCmdline(snap("broken-partial"), "isolcpus=nohz,2-5");
    expect(run("kernel.isolcpus", s).status).toBe("warn");
  });

  it("equal sets are compared as sets, not as text", () => {
    const s = withCmdline(snap("broken-partial"), "isolcpus=2,3,4,5 nohz_full=2-5 rcu_nocbs=5,2-4");
    expect(run("kernel.isolcpus-equal-sets", s).status).toBe("pass");
    const t = withCmdline(snap("broken-partial"), "isolcpus=2-5 nohz_full=2-3 rcu_nocbs=2-5");
    const o = run("kernel.isolcpus-equal-sets", t);
    expect(o.status).toBe("fail");
    expect(o.message).toBe("nohz_full=2-3 vs isolcpus=2-5 (missing 4-5)");
  });

  it("nohz_full on the cmdline while sysfs nohz_full reads (null) fails: the kernel did not apply it", () => {
    const s = withCmdline(snap("broken-partial"), "isolcpus=2-3 nohz_full=2-3 rcu_nocbs=2-3");
    if (!s.kernel) throw new Error("no kernel");
    s.kernel.sysNohzFull = [];
    const o = run("kernel.nohz-full", s);
    expect(o.status).toBe("fail");
    expect(o.evidence.observed).toContain("(null)");
  });

  it("a truncated nohz_full (\"2-\") is not a cpu list", () => {
    const o = run("kernel.nohz-full", snap("broken-partial"));
    expect(o.status).toBe("fail");
    expect(o.message).toBe("nohz_full is not a valid cpu list");
  });

  it("default_hugepagesz accepts equivalent spellings of 1G", () => {
    for (const v of ["1G", "1g", "1024M"]) expect(run("kernel.default-hugepagesz", withCmdline(snap("broken-partial"), `default_hugepagesz=${v}`)).status).toBe("pass");
    expect(run("kernel.default-hugepagesz", withCmdline(snap("broken-partial"), "default_hugepagesz=2M")).status).toBe("fail");
  });

  it("guest flags: mce=off idle=poll hugepagesz=1G", () => {
    const s = withCmdline(snap("this-vm"), "isolcpus=1 nohz_full=1 rcu_nocbs=1 mce=off idle=poll default_hugepagesz=1G hugepagesz=1G");
    for (const id of ["kernel.mce-off", "kernel.idle-poll", "kernel.hugepagesz", "kernel.default-hugepagesz", "kernel.isolcpus-equal-sets"]) {
      expect(run(id, s).status, id).toBe("pass");
    }
    expect(run("kernel.isolcpus", s, { cpus: "1" }).status).toBe("pass");
  });
});

describe("absent data is n/a with a reason, never a failure", () => {
  it("empty tree: every host rule is n/a", () => {
    const e = evaluateProfile(snap("empty-tree"), hostProfile());
    expect(e.counts.fail).toBe(0);
    expect(e.counts.warn).toBe(0);
    expect(e.counts.na).toBe(e.findings.length);
    expect(e.findings.find((f) => f.ruleId === "kernel.isolcpus")?.message).toBe("kernel section not available on this host");
  });

  it("broken-partial: no /proc/cpuinfo means VT-x and tsc=reliable cannot be judged", () => {
    expect(run("bios.vt-x", snap("broken-partial")).status).toBe("na");
    expect(run("kernel.tsc-reliable", snap("broken-partial")).message).toBe("CPU flags not reported (/proc/cpuinfo not read)");
  });

  it("no isolated CPUs: isolation consistency rules are n/a", () => {
    for (const id of ["runtime.irq-affinity", "isolation.smt-siblings", "numa.housekeeping-per-node", "hugepages.isolated-nodes"]) {
      expect(run(id, snap("amd-epyc")).status, id).toBe("na");
    }
  });
});

describe("consistency rules", () => {
  it("an isolated CPU whose SMT sibling is a housekeeping CPU fails", () => {
    const s = snap("ht-on-rdt");
    if (!s.kernel) throw new Error("no kernel");
    s.kernel.isolatedCpus = s.kernel.isolatedCpus.filter((c) => c !== 44); // 4's sibling (44) no longer isolated
    const o = run("isolation.smt-siblings", s);
    expect(o.status).toBe("fail");
    expect(o.evidence.items).toEqual(["CPU 4: sibling 44 not isolated"]);
  });

  it("a NUMA node with every CPU isolated fails housekeeping-per-node", () => {
    const s = snap("kvm4nfv-baseline");
    if (!s.kernel) throw new Error("no kernel");
    s.kernel.isolatedCpus = Array.from({ length: 18 }, (_, i) => 18 + i);
    const o = run("numa.housekeeping-per-node", s);
    expect(o.status).toBe("fail");
    expect(o.evidence.items).toEqual(["node 1: all CPUs 18-35 isolated"]);
  });

  it("hugepages missing on the node of the isolated CPUs fails, naming the node", () => {
    const s = snap("ht-on-rdt");
    if (!s.kernel) throw new Error("no kernel");
    if (!s.hugepages) throw new Error("no hugepages");
    s.kernel.isolatedCpus = [24, 25]; // node 1
    for (const n of s.hugepages.nodes) if (n.node === 1) for (const sz of n.sizes) sz.nr = 0;
    const o = run("hugepages.isolated-nodes", s);
    expect(o.status).toBe("fail");
    expect(o.message).toBe("no 1G hugepages reserved on node 1");
  });
});

describe("BIOS settings reported by the bios collector are judged directly", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  async function withBiosExport(name: FixtureName, exportText: string): Promise<HostSnapshot> {
    const root = mkdtempSync(path.join(os.tmpdir(), "compliance-bios-"));
    dirs.push(root);
    mkdirSync(path.join(root, "etc/nfvdeck"), { recursive: true });
    mkdirSync(path.join(root, "sys/class/dmi/id"), { recursive: true });
    writeFileSync(path.join(root, "sys/class/dmi/id/sys_vendor"), "Lenovo\n");
    writeFileSync(path.join(root, "etc/nfvdeck/bios-export.json"), exportText);
    const bios = await readBios(new HostFs(root), { runDmidecode: false });
    const s = snap(name);
    s.bios = bios;
    s.state.bios = "ok";
    return s;
  }

  it("a reported setting wins over the observed effect, with the vendor's raw name as evidence", async () => {
    const s = await withBiosExport("kvm4nfv-baseline", "Processors.HyperThreading=Enable\nProcessors.CStates=Disable\n");
    const ht = run("bios.hyper-threading", s);
    expect(ht.status).toBe("fail");
    expect(ht.evidence.inferred).toBeUndefined();
    expect(ht.evidence.observed).toBe("Enabled (Processors_HyperThreading=Enable)");
    expect(ht.evidence.source).toContain("BIOS export file");
    expect(run("bios.c-states", s).status).toBe("pass");
    // not reported → still judged by effect
    expect(run("bios.turbo", s).evidence.inferred).toBe(true);
  });
});

describe("catalogue", () => {
  it("rule ids are unique and every rule has a remediation and a source", () => {
    const ids = RULE_CATALOGUE.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULE_CATALOGUE) {
      expect(r.remediation.length, r.id).toBeGreaterThan(10);
      expect(r.source.length, r.id).toBeGreaterThan(5);
      expect(r.parseParams(r.defaultParams).ok, r.id).toBe(true);
    }
  });

  it("has every BIOS item of the guide's list", () => {
    const bios = RULE_CATALOGUE.filter((r) => r.section === "bios").map((r) => r.id);
    expect(bios).toHaveLength(21);
  });
});

describe("evaluateProfile on a fixture", () => {
  it("an info-severity failure is a warning; raised to major it is a failure", () => {
    const p = hostProfile();
    const e = evaluateProfile(snap("ht-on-rdt"), p);
    expect(e.findings.find((f) => f.ruleId === "kernel.preempt-rt")).toMatchObject({ status: "warn", severity: "info" });
    const raised = { ...p, rules: p.rules.map((r) => (r.ruleId === "kernel.preempt-rt" ? { ...r, severity: "major" as const } : r)) };
    const e2 = evaluateProfile(snap("ht-on-rdt"), raised);
    expect(e2.findings.find((f) => f.ruleId === "kernel.preempt-rt")?.status).toBe("fail");
    expect(e2.counts.fail).toBe(e.counts.fail + 1);
    expect(e2.score).toBeLessThan(e.score);
  });

  it("a disabled rule is not evaluated", () => {
    const p = hostProfile();
    const off = { ...p, rules: p.rules.map((r) => (r.ruleId === "bios.hyper-threading" ? { ...r, enabled: false } : r)) };
    expect(evaluateProfile(snap("ht-on-rdt"), off).findings.some((f) => f.ruleId === "bios.hyper-threading")).toBe(false);
  });
});
