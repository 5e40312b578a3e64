import { describe, expect, it } from "vitest";
import type { KvmSection } from "@/server/contract/sections/kvm";
import type { BiosSection } from "@/server/contract/sections/bios";
import type { SectionView } from "@/server/domain/hosts/section-view";
import { biosSettingsNotice, kvmParameterRows, turboView } from "@/server/domain/hosts/runtime-view";

describe("turboView", () => {
  it.each([
    { turbo: { source: "intel_pstate", enabled: false }, state: "off", src: "intel_pstate/no_turbo = 1" },
    { turbo: { source: "intel_pstate", enabled: true }, state: "on", src: "intel_pstate/no_turbo = 0" },
    { turbo: { source: "cpufreq_boost", enabled: true }, state: "on", src: "cpufreq/boost = 1" },
    { turbo: { source: "cpufreq_boost", enabled: false }, state: "off", src: "cpufreq/boost = 0" },
    { turbo: { source: "intel_pstate", enabled: null }, state: "unknown", src: "intel_pstate/no_turbo unreadable" },
    { turbo: { source: "none", enabled: null }, state: "not available", src: "neither" },
  ] as const)("$turbo.source $turbo.enabled → $state", ({ turbo, state, src }) => {
    const v = turboView(turbo);
    expect(v.state).toBe(state);
    expect(v.source).toContain(src);
  });
});

// kvm sections as the kvm4nfv-baseline, ht-on-rdt, amd-epyc and this-vm fixtures report them
const baseline: KvmSection = {
  vendorModule: "kvm_intel",
  kvmParams: { halt_poll_ns: "0", kvmclock_periodic_sync: "N" },
  vendorParams: { enable_apicv: "Y", ple_gap: "0", preemption_timer: "Y" },
  enableApicv: true,
  preemptionTimer: true,
  pleGap: 0,
  nxHugePages: null,
  kvmclockPeriodicSync: false,
  haltPollNs: 0,
  nested: false,
  warnings: [],
};
const htOn: KvmSection = {
  ...baseline,
  kvmParams: { halt_poll_ns: "200000", kvmclock_periodic_sync: "Y", nx_huge_pages: "auto" },
  vendorParams: { enable_apicv: "Y", ple_gap: "128", preemption_timer: "Y" },
  pleGap: 128,
  nxHugePages: "auto",
  kvmclockPeriodicSync: true,
  haltPollNs: 200000,
};
const amd: KvmSection = {
  ...baseline,
  vendorModule: "kvm_amd",
  kvmParams: { halt_poll_ns: "200000", kvmclock_periodic_sync: "Y", nx_huge_pages: "N" },
  vendorParams: { avic: "0", pause_filter_count: "3000" },
  enableApicv: false,
  preemptionTimer: null,
  pleGap: 3000,
  nxHugePages: "N",
  kvmclockPeriodicSync: true,
  haltPollNs: 200000,
};
const vm: KvmSection = { ...baseline, vendorModule: null, kvmParams: { halt_poll_ns: "200000", kvmclock_periodic_sync: "Y", nx_huge_pages: "N" }, vendorParams: {}, enableApicv: null, preemptionTimer: null, pleGap: null, nxHugePages: "N", kvmclockPeriodicSync: true, haltPollNs: 200000 };

describe("kvmParameterRows", () => {
  it.each([
    { name: "baseline (tuned)", kvm: baseline, want: [["enable_apicv", "Y", "ok"], ["preemption_timer", "Y", "ok"], ["ple_gap", "0", "ok"], ["nx_huge_pages", null, "n/a"], ["kvmclock_periodic_sync", "N", "ok"], ["halt_poll_ns", "0", "info"]] },
    { name: "ht-on (mistuned)", kvm: htOn, want: [["enable_apicv", "Y", "ok"], ["preemption_timer", "Y", "ok"], ["ple_gap", "128", "differs"], ["nx_huge_pages", "auto", "differs"], ["kvmclock_periodic_sync", "Y", "differs"], ["halt_poll_ns", "200000", "info"]] },
    { name: "AMD names", kvm: amd, want: [["avic", "0", "differs"], ["preemption_timer", null, "n/a"], ["pause_filter_count", "3000", "differs"], ["nx_huge_pages", "N", "ok"], ["kvmclock_periodic_sync", "Y", "differs"], ["halt_poll_ns", "200000", "info"]] },
    { name: "VM without a vendor module", kvm: vm, want: [["enable_apicv", null, "n/a"], ["preemption_timer", null, "n/a"], ["ple_gap", null, "n/a"], ["nx_huge_pages", "N", "ok"], ["kvmclock_periodic_sync", "Y", "differs"], ["halt_poll_ns", "200000", "info"]] },
  ])("$name", ({ kvm, want }) => {
    expect(kvmParameterRows(kvm).map((r) => [r.name, r.raw, r.verdict])).toEqual(want);
  });
});

const at = new Date("2026-11-22T00:00:00Z");
const dmi = { biosVendor: "Dell Inc.", biosVersion: "2.19.1", biosDate: "06/07/2023", sysVendor: "Dell Inc.", productName: "PowerEdge R740" };
const bios = (over: Partial<BiosSection>): SectionView<BiosSection> => ({
  state: "ok",
  data: { dmi, dmidecode: null, settingsSource: null, settingsOrigin: null, vendor: "dell", settings: [], attributes: {}, pendingAttributes: {}, warnings: [], ...over },
  error: null,
  collectedAt: at,
});

describe("biosSettingsNotice", () => {
  it.each([
    { name: "settings reported", view: bios({ settingsSource: "redfish", settings: [{ setting: "turbo", value: false, rawName: "TurboMode", rawValue: "Disabled", pending: null }] }), virtual: false, want: null },
    { name: "bare metal, no source", view: bios({}), virtual: false, want: /no settings source is configured/ },
    { name: "VM with DMI, no source", view: bios({}), virtual: true, want: /VM guest: no BIOS settings/ },
    { name: "VM without DMI", view: { state: "unavailable", data: null, error: null, collectedAt: at } as const, virtual: true, want: /VM guest: no BIOS settings/ },
    { name: "bare metal without DMI", view: { state: "unavailable", data: null, error: null, collectedAt: at } as const, virtual: false, want: /dmi\/id does not exist/ },
    { name: "source reported unknown attributes only", view: bios({ settingsSource: "export-file", attributes: { Foo: "1" } }), virtual: false, want: /export file reported no attribute.*1 raw/ },
    { name: "collector error is shown elsewhere", view: { state: "error", data: null, error: "EIO", collectedAt: at } as const, virtual: false, want: null },
  ])("$name", ({ view, virtual, want }) => {
    const notice = biosSettingsNotice(view, virtual);
    if (want === null) expect(notice).toBeNull();
    else expect(notice).toMatch(want);
  });
});
