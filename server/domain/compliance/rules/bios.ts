import { biosEnabled, biosEquals, biosSetting, type BiosKey } from "@/server/domain/compliance/bios-settings";
import { cpuVendor, cpuText, isVirtualMachine } from "@/server/domain/compliance/facts";
import { defineRule, fail, na, noParams, pass, warn, type Rule } from "@/server/domain/compliance/rule";
import type { HostSnapshot } from "@/server/domain/compliance/snapshot";
import type { Evidence, RuleOutcome, Severity } from "@/server/domain/compliance/types";
import type { PowerSection } from "@/server/contract/sections/power";

const GUIDE = "KVM4NFV user guide §2.1.1 BIOS Setup";
const VM_REASON = "no BIOS settings reported: VM guest";

/** An observed effect of a BIOS setting: the verdict with its evidence, or null when not observable. */
type EffectOutcome = { ok: boolean; observed: string; source: string } | null;

type BiosRuleSpec = {
  id: string;
  title: string;
  key: BiosKey;
  severity: Severity;
  /** the guide's wording, e.g. "CPU C-State <Disabled>" */
  guideLine: string;
  expect: { enabled: boolean } | { oneOf: readonly string[] };
  remediation: string;
  tuningActionId?: string;
  /** judge the OS-visible effect when the setting itself is not reported */
  effect?: (s: HostSnapshot) => EffectOutcome;
  /** why the effect could not be judged, when `effect` returns null or does not exist */
  notObservable?: string;
};

function expectedText(expect: BiosRuleSpec["expect"]): string {
  return "enabled" in expect ? (expect.enabled ? "Enabled" : "Disabled") : expect.oneOf[0] ?? "";
}

function judgeSetting(spec: BiosRuleSpec, value: string | boolean | number): boolean | null {
  if ("enabled" in spec.expect) {
    const on = biosEnabled(value);
    return on === null ? null : on === spec.expect.enabled;
  }
  return biosEquals(value, spec.expect.oneOf);
}

function checkBios(spec: BiosRuleSpec, s: HostSnapshot): RuleOutcome {
  const expected = expectedText(spec.expect);
  const setting = biosSetting(s, spec.key);
  if (setting) {
    const verdict = judgeSetting(spec, setting.value);
    const shown = typeof setting.value === "boolean" ? (setting.value ? "Enabled" : "Disabled") : String(setting.value);
    const evidence: Evidence = {
      observed: setting.raw ? `${shown} (${setting.raw})` : shown,
      expected,
      source: setting.source ?? "BIOS settings",
    };
    if (verdict === null) return warn(`BIOS reports "${shown}", which nfvdeck cannot judge; check it by hand`, evidence);
    return verdict ? pass(`BIOS reports ${shown}`, evidence) : fail(`BIOS reports ${shown}, expected ${expected}`, evidence);
  }
  // A VM's virtual firmware says nothing about the physical host's BIOS.
  if (isVirtualMachine(s) === true) return na(VM_REASON, expected, "/proc/cpuinfo: hypervisor flag");
  const effect = spec.effect?.(s) ?? null;
  if (effect) {
    const evidence: Evidence = { observed: effect.observed, expected, source: effect.source, inferred: true };
    const note = "BIOS setting not reported; judged from its observed effect";
    return effect.ok ? pass(`${note}: ${effect.observed}`, evidence) : fail(`${note}: ${effect.observed}`, evidence);
  }
  const why = spec.notObservable ?? "its effect is not observable from the OS";
  if (s.topology === null && s.power === null) return na("no BIOS settings and no topology/power data reported", expected, "bios section");
  return na(`BIOS setting not reported, and ${why}`, expected, "bios section");
}

function biosRule(spec: BiosRuleSpec): Rule {
  return defineRule({
    id: spec.id,
    title: spec.title,
    section: "bios",
    defaultSeverity: spec.severity,
    kinds: ["host"],
    params: noParams,
    defaultParams: {},
    expected: () => `${spec.guideLine}`,
    remediation: spec.remediation,
    tuningActionId: spec.tuningActionId ?? null,
    source: `${GUIDE}: "${spec.guideLine}"`,
    check: (s) => checkBios(spec, s),
  });
}

// ── observed effects ──────────────────────────────────────────────────────────────────────────

type IdleState = PowerSection["cpuidle"]["groups"][number]["states"][number];

/** CPUs on which an idle state matching `match` is enabled / exists. */
function idleStateUse(power: PowerSection, match: (st: IdleState) => boolean): { present: number[]; enabled: number[]; names: Set<string> } {
  const present: number[] = [];
  const enabled: number[] = [];
  const names = new Set<string>();
  for (const g of power.cpuidle.groups) {
    const states = g.states.filter(match);
    if (states.length === 0) continue;
    present.push(...g.cpus);
    for (const st of states) names.add(st.name);
    if (states.some((st) => st.disabled !== true)) enabled.push(...g.cpus);
  }
  return { present, enabled, names };
}

const CPUIDLE_SRC = "/sys/devices/system/cpu/cpu*/cpuidle/state*/{name,disable}";

/** C-state number from an idle state name: intel_idle "C6", "C1E", acpi_idle "C3", "C6-SKX"… POLL → null. */
function cNumber(name: string): number | null {
  const m = /^C(\d+)/i.exec(name.trim());
  return m ? Number(m[1]) : null;
}

function deepCStatesEffect(s: HostSnapshot): EffectOutcome {
  const p = s.power;
  if (!p) return null;
  if (p.cpuidle.groups.length === 0) {
    return p.cpuidle.driver === null
      ? { ok: true, observed: "no cpuidle driver: the OS uses no C-states", source: "/sys/devices/system/cpu/cpuidle/current_driver" }
      : null;
  }
  const use = idleStateUse(p, (st) => (cNumber(st.name) ?? 0) >= 2);
  if (use.enabled.length === 0) {
    return { ok: true, observed: use.present.length === 0 ? "only POLL/C1 idle states exposed" : `deep C-states ${[...use.names].join(", ")} disabled`, source: CPUIDLE_SRC };
  }
  return { ok: false, observed: `deep C-states ${[...use.names].join(", ")} enabled on CPUs ${cpuText(use.enabled)}`, source: CPUIDLE_SRC };
}

function namedStateEffect(test: (name: string) => boolean, label: string) {
  return (s: HostSnapshot): EffectOutcome => {
    const p = s.power;
    if (!p || p.cpuidle.groups.length === 0) return null;
    const use = idleStateUse(p, (st) => test(st.name));
    if (use.present.length === 0) return null;
    return use.enabled.length === 0
      ? { ok: true, observed: `${label} exposed but disabled`, source: CPUIDLE_SRC }
      : { ok: false, observed: `${label} enabled on CPUs ${cpuText(use.enabled)}`, source: CPUIDLE_SRC };
  };
}

function turboEffect(s: HostSnapshot): EffectOutcome {
  const t = s.power?.turbo;
  if (!t || t.source === "none" || t.enabled === null) return null;
  const source = t.source === "intel_pstate" ? "/sys/devices/system/cpu/intel_pstate/no_turbo" : "/sys/devices/system/cpu/cpufreq/boost";
  const observed = t.source === "intel_pstate" ? `no_turbo = ${t.enabled ? 0 : 1}` : `boost = ${t.enabled ? 1 : 0}`;
  return { ok: !t.enabled, observed: `turbo ${t.enabled ? "enabled" : "disabled"} (${observed})`, source };
}

function smtEffect(s: HostSnapshot): EffectOutcome {
  const smt = s.power?.smt;
  if (smt && smt.active !== null) {
    const ctl = smt.control ? `, control = ${smt.control}` : "";
    return { ok: !smt.active, observed: `smt/active = ${smt.active ? 1 : 0}${ctl}`, source: "/sys/devices/system/cpu/smt/active" };
  }
  if (s.topology && s.topology.threadsPerCore > 0) {
    const t = s.topology.threadsPerCore;
    return { ok: t === 1, observed: `${t} thread(s) per core`, source: "/sys/devices/system/cpu/cpu*/topology/core_cpus_list" };
  }
  return null;
}

function vtxEffect(s: HostSnapshot): EffectOutcome {
  const t = s.topology;
  // No vendor means /proc/cpuinfo was not read: the flags are unknown, not absent.
  if (!t || t.vendor === null) return null;
  const flag = cpuVendor(s) === "amd" ? "svm" : "vmx";
  const has = flag === "svm" ? t.flags.svm : t.flags.vmx;
  if (has) return { ok: true, observed: `cpu flag ${flag} present`, source: "/proc/cpuinfo flags" };
  if (s.kvm?.vendorModule) return { ok: true, observed: `${s.kvm.vendorModule} module loaded`, source: "/sys/module" };
  return { ok: false, observed: `cpu flag ${flag} absent and no KVM vendor module loaded (disabled in BIOS, or unsupported)`, source: "/proc/cpuinfo flags" };
}

function numaEffect(s: HostSnapshot): EffectOutcome {
  const t = s.topology;
  if (!t || t.sockets <= 1) return null;
  return t.numaNodes >= t.sockets
    ? { ok: true, observed: `${t.numaNodes} NUMA nodes on ${t.sockets} sockets`, source: "/sys/devices/system/node" }
    : { ok: false, observed: `${t.numaNodes} NUMA node(s) on ${t.sockets} sockets: memory interleaved (NUMA off)`, source: "/sys/devices/system/node" };
}

function clusterOnDieEffect(s: HostSnapshot): EffectOutcome {
  const t = s.topology;
  if (!t || t.sockets === 0 || cpuVendor(s) !== "intel") return null;
  return t.numaNodes > t.sockets
    ? { ok: false, observed: `${t.numaNodes} NUMA nodes on ${t.sockets} socket(s): Cluster-on-Die/SNC splits each socket`, source: "/sys/devices/system/node" }
    : { ok: true, observed: `${t.numaNodes} NUMA node(s) on ${t.sockets} socket(s)`, source: "/sys/devices/system/node" };
}

const ONLY_BIOS = "the setting is not observable from the OS (needs dmidecode/Redfish BIOS attributes)";

export const BIOS_RULES: readonly Rule[] = [
  biosRule({
    id: "bios.power-profile",
    title: "CPU power and performance policy = Performance",
    key: "powerProfile",
    severity: "major",
    guideLine: "CPU Power and Performance <Performance>",
    expect: { oneOf: ["Performance", "MaximumPerformance", "Maximum Performance", "HighPerformance"] },
    remediation: "Set the BIOS CPU power/performance profile to Performance (Dell: System Profile = Performance; HPE: Workload Profile = Low Latency).",
    notObservable: ONLY_BIOS,
  }),
  biosRule({
    id: "bios.c-states",
    title: "CPU C-states disabled",
    key: "cStates",
    severity: "major",
    guideLine: "CPU C-State <Disabled>",
    expect: { enabled: false },
    remediation: "Disable C-states in the BIOS; at runtime, disable deep idle states (cpuidle stateN/disable = 1, or intel_idle.max_cstate=0 processor.max_cstate=1 on the command line).",
    effect: deepCStatesEffect,
  }),
  biosRule({
    id: "bios.c1e",
    title: "C1E autopromote disabled",
    key: "c1e",
    severity: "major",
    guideLine: "C1E Autopromote <Disabled>",
    expect: { enabled: false },
    remediation: "Disable C1E (autopromote) in the BIOS.",
    effect: namedStateEffect((n) => /^C1E\b/i.test(n) || /^C1E[-_]/i.test(n), "C1E idle state"),
    notObservable: "cpuidle exposes no C1E state",
  }),
  biosRule({
    id: "bios.c3",
    title: "Processor C3 disabled",
    key: "c3",
    severity: "major",
    guideLine: "Processor C3 <Disabled>",
    expect: { enabled: false },
    remediation: "Disable processor C3 in the BIOS.",
    effect: namedStateEffect((n) => cNumber(n) === 3, "C3 idle state"),
    notObservable: "cpuidle exposes no C3 state",
  }),
  biosRule({
    id: "bios.c6",
    title: "Processor C6 disabled",
    key: "c6",
    severity: "major",
    guideLine: "Processor C6 <Disabled>",
    expect: { enabled: false },
    remediation: "Disable processor C6 in the BIOS.",
    effect: namedStateEffect((n) => cNumber(n) === 6, "C6 idle state"),
    notObservable: "cpuidle exposes no C6 state",
  }),
  biosRule({
    id: "bios.turbo",
    title: "Turbo Boost disabled",
    key: "turbo",
    severity: "major",
    guideLine: "Power management: Intel Turbo Boost … should be disabled (§2.2.1)",
    expect: { enabled: false },
    remediation: "Disable Turbo Boost in the BIOS, or at runtime: echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo (AMD/acpi-cpufreq: echo 0 > /sys/devices/system/cpu/cpufreq/boost).",
    effect: turboEffect,
    notObservable: "neither intel_pstate/no_turbo nor cpufreq/boost exists",
  }),
  biosRule({
    id: "bios.eist",
    title: "Enhanced Intel SpeedStep (EIST) disabled",
    key: "eist",
    severity: "minor",
    guideLine: "Power management: Enhanced Intel SpeedStep … should be disabled (§2.2.1)",
    expect: { enabled: false },
    remediation: "Disable EIST / P-states in the BIOS; at least run the performance governor (runtime.cpufreq-governor).",
    notObservable: ONLY_BIOS,
  }),
  biosRule({
    id: "bios.hyper-threading",
    title: "Hyper-Threading disabled",
    key: "hyperThreading",
    severity: "major",
    guideLine: "Intel(R) Hyper-Threading <Disabled>",
    expect: { enabled: false },
    remediation: "Disable Hyper-Threading in the BIOS (or at runtime: echo off > /sys/devices/system/cpu/smt/control, or nosmt on the command line).",
    effect: smtEffect,
  }),
  biosRule({
    id: "bios.active-cores",
    title: "All processor cores active",
    key: "activeCores",
    severity: "minor",
    guideLine: "Active Processor Cores <All>",
    expect: { oneOf: ["All", "0"] },
    remediation: "Set Active Processor Cores to All in the BIOS.",
    notObservable: ONLY_BIOS,
  }),
  biosRule({
    id: "bios.xd-bit",
    title: "Execute Disable Bit enabled",
    key: "xdBit",
    severity: "minor",
    guideLine: "Execute Disable Bit <Enabled>",
    expect: { enabled: true },
    remediation: "Enable the Execute Disable Bit (XD/NX) in the BIOS.",
    notObservable: ONLY_BIOS,
  }),
  biosRule({
    id: "bios.vt-x",
    title: "Virtualization Technology (VT-x / AMD-V) enabled",
    key: "vtx",
    severity: "critical",
    guideLine: "Intel(R) Virtualization Technology <Enabled>",
    expect: { enabled: true },
    remediation: "Enable VT-x (AMD: SVM mode) in the BIOS.",
    effect: vtxEffect,
  }),
  biosRule({
    id: "bios.vt-d",
    title: "VT-d (IOMMU) enabled",
    key: "vtd",
    severity: "major",
    guideLine: "Device assignment: the IOMMU should be enabled (§2.2.2); Intel Virtualization Technology <Enabled>",
    expect: { enabled: true },
    remediation: "Enable VT-d (AMD: IOMMU) in the BIOS, and intel_iommu=on iommu=pt on the command line.",
    notObservable: ONLY_BIOS,
  }),
  biosRule({
    id: "bios.txt",
    title: "Intel TXT disabled",
    key: "txt",
    severity: "minor",
    guideLine: "Intel(R) TXT <Disabled>",
    expect: { enabled: false },
    remediation: "Disable Intel Trusted Execution Technology in the BIOS.",
    notObservable: ONLY_BIOS,
  }),
  biosRule({
    id: "bios.numa",
    title: "NUMA optimised enabled",
    key: "numa",
    severity: "major",
    guideLine: "NUMA Optimized <Enabled>",
    expect: { enabled: true },
    remediation: "Enable NUMA (disable node interleaving) in the BIOS.",
    effect: numaEffect,
    notObservable: "a single-socket host shows no NUMA effect",
  }),
  biosRule({
    id: "bios.cluster-on-die",
    title: "Cluster-on-Die disabled",
    key: "clusterOnDie",
    severity: "minor",
    guideLine: "Cluster-on-Die <Disabled>",
    expect: { enabled: false },
    remediation: "Disable Cluster-on-Die (Sub-NUMA Clustering on newer Xeons) in the BIOS.",
    effect: clusterOnDieEffect,
    notObservable: "Cluster-on-Die is an Intel setting (AMD NPS is not judged)",
  }),
  biosRule({
    id: "bios.memory-ras",
    title: "Memory RAS = maximum performance",
    key: "memoryRas",
    severity: "minor",
    guideLine: "Select Memory RAS <Maximum Performance>",
    expect: { oneOf: ["Maximum Performance", "MaximumPerformance", "Performance", "Independent"] },
    remediation: "Select the Maximum Performance memory RAS mode (no mirroring/sparing/lockstep).",
    notObservable: ONLY_BIOS,
  }),
  biosRule({
    id: "bios.patrol-scrub",
    title: "Patrol scrub disabled",
    key: "patrolScrub",
    severity: "minor",
    guideLine: "Patrol Scrub <Disabled>",
    expect: { enabled: false },
    remediation: "Disable memory patrol scrub in the BIOS.",
    notObservable: ONLY_BIOS,
  }),
  biosRule({
    id: "bios.demand-scrub",
    title: "Demand scrub disabled",
    key: "demandScrub",
    severity: "minor",
    guideLine: "Demand Scrub <Disabled>",
    expect: { enabled: false },
    remediation: "Disable memory demand scrub in the BIOS.",
    notObservable: ONLY_BIOS,
  }),
  biosRule({
    id: "bios.error-containment",
    title: "Enhanced error containment disabled",
    key: "errorContainment",
    severity: "minor",
    guideLine: "Enhanced Error Containment Mode <Disabled>",
    expect: { enabled: false },
    remediation: "Disable Enhanced Error Containment Mode in the BIOS.",
    notObservable: ONLY_BIOS,
  }),
  biosRule({
    id: "bios.legacy-usb",
    title: "Legacy USB support disabled",
    key: "legacyUsb",
    severity: "minor",
    guideLine: "Legacy USB Support <Disabled>",
    expect: { enabled: false },
    remediation: "Disable Legacy USB Support in the BIOS (firmware emulation adds random latency).",
    notObservable: ONLY_BIOS,
  }),
  biosRule({
    id: "bios.port-60-64",
    title: "Port 60/64 emulation disabled",
    key: "port6064",
    severity: "minor",
    guideLine: "Port 60/64 Emulation <Disabled>",
    expect: { enabled: false },
    remediation: "Disable Port 60/64 emulation in the BIOS.",
    notObservable: ONLY_BIOS,
  }),
];
