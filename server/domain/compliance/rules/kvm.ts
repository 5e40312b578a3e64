import { defineRule, fail, na, noParams, pass, type Rule } from "@/server/domain/compliance/rule";
import { sectionAbsentReason, type HostSnapshot } from "@/server/domain/compliance/snapshot";
import type { KvmSection } from "@/server/contract/sections/kvm";
import type { RuleOutcome } from "@/server/domain/compliance/types";

const SLIDES = "\"Real time & fast live migration update\" slides";

/** The KVM section when a vendor module is loaded, else the n/a outcome explaining why. */
function loadedKvm(s: HostSnapshot, expected: string, source: string): KvmSection | RuleOutcome {
  if (!s.kvm) return na(sectionAbsentReason(s, "kvm"), expected, source);
  if (!s.kvm.vendorModule) {
    const why = s.topology?.isVirtual ? "VM guest without nested KVM" : "KVM not usable";
    return na(`no kvm_intel/kvm_amd module loaded (${why})`, expected, "/sys/module/kvm_intel, /sys/module/kvm_amd");
  }
  return s.kvm;
}

function isOutcome(x: KvmSection | RuleOutcome): x is RuleOutcome {
  return "status" in x;
}

const yn = (b: boolean) => (b ? "Y" : "N");

export const KVM_RULES: readonly Rule[] = [
  defineRule({
    id: "kvm.enable-apicv",
    title: "APICv and posted interrupts enabled",
    section: "kvm",
    defaultSeverity: "major",
    kinds: ["host"],
    params: noParams,
    defaultParams: {},
    expected: () => "kvm_intel enable_apicv = Y (kvm_amd: avic = 1)",
    remediation: "Load kvm_intel with enable_apicv=1 (options kvm_intel enable_apicv=1 in /etc/modprobe.d/kvm.conf) on a CPU with APICv; AMD: kvm_amd avic=1.",
    tuningActionId: null,
    source: `${SLIDES}: APICv & Posted Interrupt — inject the interrupt to the guest directly, avoid VM-exit cost`,
    check: (s) => {
      const expected = "enable_apicv = Y";
      const k = loadedKvm(s, expected, "/sys/module/kvm_intel/parameters/enable_apicv");
      if (isOutcome(k)) return k;
      const source = k.vendorModule === "kvm_amd" ? "/sys/module/kvm_amd/parameters/avic" : "/sys/module/kvm_intel/parameters/enable_apicv";
      if (k.enableApicv === null) return na("parameter not exposed by this kernel", expected, source);
      const ev = { observed: yn(k.enableApicv), expected: "Y", source };
      return k.enableApicv ? pass("APICv enabled", ev) : fail("APICv disabled: interrupts to guests cost VM exits", ev);
    },
  }),
  defineRule({
    id: "kvm.preemption-timer",
    title: "VMX preemption timer enabled",
    section: "kvm",
    defaultSeverity: "major",
    kinds: ["host"],
    params: noParams,
    defaultParams: {},
    expected: () => "kvm_intel preemption_timer = Y",
    remediation: "Load kvm_intel with preemption_timer=1 (the default on CPUs with a reliable VMX preemption timer).",
    tuningActionId: null,
    source: `${SLIDES}: VMX preemption timer — avoid the host HR timer, fewer VM exits`,
    check: (s) => {
      const source = "/sys/module/kvm_intel/parameters/preemption_timer";
      const k = loadedKvm(s, "Y", source);
      if (isOutcome(k)) return k;
      if (k.vendorModule === "kvm_amd") return na("AMD host: the VMX preemption timer is Intel-only", "Y", source);
      if (k.preemptionTimer === null) return na("parameter not exposed by this kernel", "Y", source);
      const ev = { observed: yn(k.preemptionTimer), expected: "Y", source };
      return k.preemptionTimer ? pass("VMX preemption timer enabled", ev) : fail("VMX preemption timer disabled", ev);
    },
  }),
  defineRule({
    id: "kvm.ple-gap",
    title: "Pause-loop exiting off (ple_gap = 0)",
    section: "kvm",
    defaultSeverity: "major",
    kinds: ["host"],
    params: noParams,
    defaultParams: {},
    expected: () => "kvm_intel ple_gap = 0 (kvm_amd: pause_filter_count = 0)",
    remediation: "Load kvm_intel with ple_gap=0 (kvm_amd: pause_filter_count=0): with dedicated pCPUs a spinning vCPU must not exit.",
    tuningActionId: null,
    source: "DESIGN.md KVM rules; tuned realtime-virtual-host's verify() reads kvm_intel ple_gap and expects 0",
    check: (s) => {
      const k = loadedKvm(s, "0", "/sys/module/kvm_intel/parameters/ple_gap");
      if (isOutcome(k)) return k;
      const source = k.vendorModule === "kvm_amd" ? "/sys/module/kvm_amd/parameters/pause_filter_count" : "/sys/module/kvm_intel/parameters/ple_gap";
      if (k.pleGap === null) return na("parameter not exposed by this kernel", "0", source);
      const ev = { observed: String(k.pleGap), expected: "0", source };
      return k.pleGap === 0 ? pass("pause-loop exiting off", ev) : fail(`pause-loop exiting on (${k.pleGap})`, ev);
    },
  }),
  defineRule({
    id: "kvm.nx-huge-pages",
    title: "kvm.nx_huge_pages = N (recommended)",
    section: "kvm",
    defaultSeverity: "info",
    kinds: ["host"],
    params: noParams,
    defaultParams: {},
    expected: () => "N (or off/never)",
    remediation: "Set kvm.nx_huge_pages=N on the command line (only where the iTLB-multihit risk is accepted): the mitigation splits huge pages and runs a recovery thread.",
    tuningActionId: "tune.cmdline",
    source: "DESIGN.md KVM rules (recommended; not set by tuned's realtime-virtual-host)",
    check: (s) => {
      const source = "/sys/module/kvm/parameters/nx_huge_pages";
      const k = loadedKvm(s, "N", source);
      if (isOutcome(k)) return k;
      if (k.nxHugePages === null) return na("parameter not exposed by this kernel", "N", source);
      const v = k.nxHugePages.trim();
      const ev = { observed: v, expected: "N", source };
      return ["n", "off", "never"].includes(v.toLowerCase()) ? pass(`nx_huge_pages = ${v}`, ev) : fail(`nx_huge_pages = ${v}: huge pages are split for executable guest memory`, ev);
    },
  }),
  defineRule({
    id: "kvm.kvmclock-periodic-sync",
    title: "kvm.kvmclock_periodic_sync = N (recommended)",
    section: "kvm",
    defaultSeverity: "info",
    kinds: ["host"],
    params: noParams,
    defaultParams: {},
    expected: () => "N",
    remediation: "Set kvm.kvmclock_periodic_sync=N on the command line (or in modprobe options): it removes a periodic 300 s kvmclock update.",
    tuningActionId: "tune.cmdline",
    source: "DESIGN.md KVM rules; tuned realtime-virtual-host writes options kvm kvmclock_periodic_sync=0 to modprobe.d and checks it in verify()",
    check: (s) => {
      const source = "/sys/module/kvm/parameters/kvmclock_periodic_sync";
      const k = loadedKvm(s, "N", source);
      if (isOutcome(k)) return k;
      if (k.kvmclockPeriodicSync === null) return na("parameter not exposed by this kernel", "N", source);
      const ev = { observed: yn(k.kvmclockPeriodicSync), expected: "N", source };
      return k.kvmclockPeriodicSync ? fail("kvmclock periodic sync on", ev) : pass("kvmclock periodic sync off", ev);
    },
  }),
];
