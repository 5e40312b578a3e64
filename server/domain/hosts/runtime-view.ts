import type { PowerSection } from "@/server/contract/sections/power";
import type { KvmSection } from "@/server/contract/sections/kvm";
import type { BiosSection } from "@/server/contract/sections/bios";
import type { SectionView } from "@/server/domain/hosts/section-view";

/** Turbo as observed: on, off, unknown (source exists but unreadable) or not available (e.g. a VM). */
export type TurboView = { state: "on" | "off" | "unknown" | "not available"; source: string };

export function turboView(turbo: PowerSection["turbo"]): TurboView {
  if (turbo.source === "none") return { state: "not available", source: "neither intel_pstate/no_turbo nor cpufreq/boost exists" };
  const file = turbo.source === "intel_pstate" ? "intel_pstate/no_turbo" : "cpufreq/boost";
  if (turbo.enabled === null) return { state: "unknown", source: `${file} unreadable` };
  // no_turbo is inverted: 1 = turbo off
  const value = turbo.source === "intel_pstate" ? (turbo.enabled ? 0 : 1) : turbo.enabled ? 1 : 0;
  return { state: turbo.enabled ? "on" : "off", source: `${file} = ${value}` };
}

/** ok = matches the low-latency recommendation; differs = does not; info = no recommendation; n/a = not exposed. */
export type KvmParamVerdict = "ok" | "differs" | "info" | "n/a";
export type KvmParamRow = { name: string; path: string; raw: string | null; recommended: string | null; verdict: KvmParamVerdict; note: string | null };

const NX_OFF = new Set(["n", "off", "never"]);

/**
 * The KVM module parameters that matter for real-time guests, with the recommendation the compliance
 * rules use (server/domain/compliance/rules/kvm.ts). AMD names: avic for enable_apicv, pause_filter_count
 * for ple_gap; the VMX preemption timer is Intel-only.
 */
export function kvmParameterRows(kvm: KvmSection): KvmParamRow[] {
  const amd = kvm.vendorModule === "kvm_amd";
  const vendorDir = amd ? "kvm_amd" : "kvm_intel";
  const vendorRaw = (name: string) => kvm.vendorParams[name] ?? null;
  const kvmRaw = (name: string) => kvm.kvmParams[name] ?? null;
  const judge = (value: unknown, good: boolean): KvmParamVerdict => (value === null ? "n/a" : good ? "ok" : "differs");
  const apicvName = amd ? "avic" : "enable_apicv";
  const pleName = amd ? "pause_filter_count" : "ple_gap";
  return [
    {
      name: apicvName,
      path: `${vendorDir}/parameters/${apicvName}`,
      raw: vendorRaw(apicvName),
      recommended: amd ? "1" : "Y",
      verdict: judge(kvm.enableApicv, kvm.enableApicv === true),
      note: "APICv + posted interrupts: interrupts reach the guest without a VM exit",
    },
    {
      name: "preemption_timer",
      path: "kvm_intel/parameters/preemption_timer",
      raw: amd ? null : vendorRaw("preemption_timer"),
      recommended: "Y",
      verdict: amd ? "n/a" : judge(kvm.preemptionTimer, kvm.preemptionTimer === true),
      note: amd ? "Intel-only (VMX preemption timer)" : "VMX preemption timer instead of a host hrtimer",
    },
    {
      name: pleName,
      path: `${vendorDir}/parameters/${pleName}`,
      raw: vendorRaw(pleName),
      recommended: "0",
      verdict: judge(kvm.pleGap, kvm.pleGap === 0),
      note: "pause-loop exiting off: a spinning vCPU on a dedicated pCPU must not exit",
    },
    {
      name: "nx_huge_pages",
      path: "kvm/parameters/nx_huge_pages",
      raw: kvmRaw("nx_huge_pages"),
      recommended: "N",
      verdict: judge(kvm.nxHugePages, kvm.nxHugePages !== null && NX_OFF.has(kvm.nxHugePages.trim().toLowerCase())),
      note: "iTLB-multihit mitigation splits huge pages (only where the risk is accepted)",
    },
    {
      name: "kvmclock_periodic_sync",
      path: "kvm/parameters/kvmclock_periodic_sync",
      raw: kvmRaw("kvmclock_periodic_sync"),
      recommended: "N",
      verdict: judge(kvm.kvmclockPeriodicSync, kvm.kvmclockPeriodicSync === false),
      note: "periodic kvmclock updates disturb guests",
    },
    {
      name: "halt_poll_ns",
      path: "kvm/parameters/halt_poll_ns",
      raw: kvmRaw("halt_poll_ns"),
      recommended: null,
      verdict: kvm.haltPollNs === null ? "n/a" : "info",
      note: "how long a halted vCPU polls before sleeping (trades host CPU for wake-up latency)",
    },
  ];
}

/**
 * Why no normalised BIOS settings are shown, or null when there are some. Says what the user can do
 * and points at the observed effect (Power) where settings are missing.
 */
export function biosSettingsNotice(bios: SectionView<BiosSection>, isVirtual: boolean): string | null {
  if (bios.state === "ok") {
    const b = bios.data;
    if (b.settings.length > 0) return null;
    if (b.settingsSource === null) {
      return isVirtual
        ? "VM guest: no BIOS settings (the hypervisor owns the firmware)."
        : "Not reported: no settings source is configured (Redfish BMC or a vendor export file). The Power section shows their observed effect: C-states, turbo, SMT.";
    }
    return `The ${b.settingsSource === "redfish" ? "Redfish BMC" : "export file"} reported no attribute this console knows${Object.keys(b.attributes).length > 0 ? ` (${Object.keys(b.attributes).length} raw attributes)` : ""}.`;
  }
  if (bios.state === "unavailable") {
    return isVirtual ? "VM guest: no BIOS settings (no SMBIOS/DMI tables exposed to this guest)." : "Not reported: /sys/class/dmi/id does not exist on this host.";
  }
  return null;
}
