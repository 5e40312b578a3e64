import path from "node:path";
import { describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { groupByValue, parsePower, read, type RawPower } from "@/agent/collectors/power";

const FIXTURES = path.join(import.meta.dirname, "../fixtures");
const base: RawPower = { cpuidleDriver: null, cpuidleGovernor: null, cpus: [], intelPstate: null, cpufreqBoost: null, smtActive: null, smtControl: null };

describe("power parsing", () => {
  it("groupByValue keeps per-CPU information recoverable", () => {
    expect(groupByValue([{ cpu: 2, value: "a" }, { cpu: 0, value: "a" }, { cpu: 1, value: "b" }])).toEqual([
      { cpus: [0, 2], value: "a" },
      { cpus: [1], value: "b" },
    ]);
  });

  it.each([
    [{ intelPstate: { status: "active", noTurbo: "1\n", minPerfPct: null, maxPerfPct: null } }, { source: "intel_pstate", enabled: false }],
    [{ intelPstate: { status: "active", noTurbo: "0", minPerfPct: null, maxPerfPct: null } }, { source: "intel_pstate", enabled: true }],
    [{ cpufreqBoost: "1\n" }, { source: "cpufreq_boost", enabled: true }],
    [{ cpufreqBoost: "0" }, { source: "cpufreq_boost", enabled: false }],
    [{ intelPstate: { status: "passive", noTurbo: null, minPerfPct: null, maxPerfPct: null }, cpufreqBoost: "1" }, { source: "cpufreq_boost", enabled: true }],
    [{}, { source: "none", enabled: null }],
    [{ intelPstate: { status: null, noTurbo: "\n", minPerfPct: null, maxPerfPct: null } }, { source: "intel_pstate", enabled: null }],
  ])("turbo %#", (over, turbo) => {
    expect(parsePower({ ...base, ...over }).turbo).toEqual(turbo);
  });

  it("garbage latency is null with a warning; missing state files are null", () => {
    const s = parsePower({ ...base, cpus: [{ cpu: 0, idleStates: [{ index: 0, name: "POLL", desc: null, latency: "abc", residency: null, disable: "maybe" }], cpufreq: null }] });
    expect(s.cpuidle.groups[0]!.states[0]).toEqual({ index: 0, name: "POLL", desc: null, latencyUs: null, residencyUs: null, disabled: null });
    expect(s.warnings).toHaveLength(1);
    expect(s.cpufreq.cpusWithoutCpufreq).toEqual([0]);
  });
});

describe("power from fixtures", () => {
  it("kvm4nfv-baseline: only POLL enabled, turbo off, SMT off", async () => {
    const s = (await read(new HostFs(path.join(FIXTURES, "kvm4nfv-baseline"))))!;
    expect(s.cpuidle.groups).toHaveLength(1);
    expect(s.cpuidle.groups[0]!.cpus).toHaveLength(36);
    expect(s.cpuidle.groups[0]!.states.filter((x) => !x.disabled).map((x) => x.name)).toEqual(["POLL"]);
    expect(s.turbo).toEqual({ source: "intel_pstate", enabled: false });
    expect(s.smt).toEqual({ active: false, control: "off" });
  });

  it("amd-epyc: acpi-cpufreq with boost, no intel_pstate", async () => {
    const s = (await read(new HostFs(path.join(FIXTURES, "amd-epyc"))))!;
    expect(s.intelPstate).toBeNull();
    expect(s.turbo).toEqual({ source: "cpufreq_boost", enabled: true });
    expect(s.cpufreq.groups).toEqual([{ cpus: Array.from({ length: 32 }, (_, i) => i), driver: "acpi-cpufreq", governor: "schedutil", minKhz: 1500000, maxKhz: 3000000, hwMaxKhz: 3000000, epp: null }]);
  });
});
