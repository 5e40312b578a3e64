/**
 * BIOS attribute normalisation: HPE (iLO), Dell (iDRAC) and Lenovo (XCC) Redfish/export attribute names →
 * one vocabulary the compliance rules judge (the KVM4NFV guide's BIOS baseline). The raw name and value
 * are always kept beside the normalised value.
 *
 * Names are the ones the vendors' Redfish Bios "Attributes" and configuration exports use. A few
 * settings have no attribute on some vendors (e.g. Dell exposes no separate EIST switch): those simply
 * stay unreported, and the compliance helper judges the observed effect instead.
 */
import { BIOS_SETTINGS, type BiosSetting, type BiosVendor } from "@/server/contract/sections/bios";

// The vocabulary (BIOS_SETTINGS) and vendors live in the shared contract, so server-side compliance rules use
// the same list without importing agent code.
export type RawAttributeValue = string | number | boolean | null;
/** boolean = enabled/disabled; string = a profile or mode ("all" for activeCores when every core is on). */
export type NormalisedValue = boolean | string | null;

/** How one vendor attribute feeds one or more normalised settings. */
interface Rule {
  setting: BiosSetting;
  convert: (raw: RawAttributeValue) => NormalisedValue;
}

const ON = new Set(["enabled", "enable", "on", "yes", "true", "1", "auto"]);
const OFF = new Set(["disabled", "disable", "off", "no", "false", "0", "none"]);

/** "Enabled"/"Disabled" (and On/Off, Enable/Disable, true/false) → boolean; anything else → null. */
export function onOff(raw: RawAttributeValue): boolean | null {
  if (typeof raw === "boolean") return raw;
  if (raw === null) return null;
  const t = String(raw).trim().toLowerCase();
  if (ON.has(t)) return true;
  if (OFF.has(t)) return false;
  return null;
}

const bool = (setting: BiosSetting): Rule => ({ setting, convert: onOff });
/** "NodeInterleave Enabled" means NUMA off: the switch is inverted. */
const inverted = (setting: BiosSetting): Rule => ({
  setting,
  convert: (raw) => {
    const b = onOff(raw);
    return b === null ? null : !b;
  },
});
const text = (setting: BiosSetting): Rule => ({
  setting,
  convert: (raw) => (raw === null ? null : String(raw).trim() || null),
});
/** enabled unless the value is one of `offValues` (case-insensitive) */
const enabledUnless = (setting: BiosSetting, ...offValues: string[]): Rule => ({
  setting,
  convert: (raw) => {
    if (raw === null) return null;
    const b = onOff(raw);
    if (b !== null) return b;
    return !offValues.map((v) => v.toLowerCase()).includes(String(raw).trim().toLowerCase());
  },
});
/** true only when the value is one of `onValues` */
const enabledIf = (setting: BiosSetting, ...onValues: string[]): Rule => ({
  setting,
  convert: (raw) => (raw === null ? null : onValues.map((v) => v.toLowerCase()).includes(String(raw).trim().toLowerCase())),
});
/** "All"/0-disabled → "all"; a number of cores → that number as text */
const cores = (setting: BiosSetting, disabledCount = false): Rule => ({
  setting,
  convert: (raw) => {
    if (raw === null) return null;
    const t = String(raw).trim();
    if (/^all$/i.test(t)) return "all";
    if (/^\d+$/.test(t)) {
      if (disabledCount) return t === "0" ? "all" : `all-but-${t}`;
      return t === "0" ? "all" : t;
    }
    return t || null;
  },
});

export const VENDOR_ATTRIBUTES: Record<BiosVendor, Record<string, Rule[]>> = {
  hpe: {
    ProcHyperthreading: [bool("hyperThreading")],
    // Minimum Processor Idle Power Core C-State: C6 | C1E | NoCStates
    MinProcIdlePower: [enabledUnless("cStates", "NoCStates"), enabledIf("c6", "C6"), enabledIf("c1e", "C1E", "C6")],
    // Minimum Processor Idle Power Package C-State: C6Retention | C6NonRetention | NoState
    MinProcIdlePkgState: [enabledUnless("c3", "NoState")],
    ProcTurbo: [bool("turbo")],
    IntelProcVtd: [bool("vtd")],
    ProcVirtualization: [bool("vtx")],
    ProcNoExecute: [bool("xdBit")],
    IntelTxt: [bool("txt")],
    ProcCoreDisable: [cores("activeCores", true)],
    NodeInterleaving: [inverted("numa")],
    SubNumaClustering: [bool("clusterOnDie")],
    MemPatrolScrubbing: [bool("patrolScrub")],
    AdvancedMemProtection: [text("memoryRas")],
    PowerRegulator: [text("powerProfile")],
    WorkloadProfile: [text("powerProfile")],
    UsbControl: [enabledUnless("legacyUsb", "UsbDisabled", "UsbLegacySupportDisabled")],
  },
  dell: {
    LogicalProc: [bool("hyperThreading")],
    ProcCStates: [bool("cStates")],
    ProcC1E: [bool("c1e")],
    ProcTurboMode: [bool("turbo")],
    ProcVirtualization: [bool("vtx")],
    ProcExecuteDisable: [bool("xdBit")],
    IntelTxt: [bool("txt")],
    ProcCores: [cores("activeCores")],
    // NodeInterleave Enabled = memory interleaved across sockets = NUMA off
    NodeInterleave: [inverted("numa")],
    SubNumaCluster: [bool("clusterOnDie")],
    SnoopMode: [enabledIf("clusterOnDie", "ClusterOnDie")],
    MemOpMode: [text("memoryRas")],
    MemPatrolScrub: [enabledUnless("patrolScrub", "Disabled")],
    SysProfile: [text("powerProfile")],
  },
  lenovo: {
    Processors_HyperThreading: [bool("hyperThreading")],
    // Autonomous | Legacy | Disable
    Processors_CStates: [enabledUnless("cStates", "Disable")],
    Processors_C1EnhancedMode: [bool("c1e")],
    Processors_TurboMode: [bool("turbo")],
    // None | Legacy | Autonomous | Cooperative: EIST/P-states off only for None
    Processors_CPUPstateControl: [enabledUnless("eist", "None")],
    Processors_IntelVirtualizationTechnology: [bool("vtx")],
    Processors_IntelVTForDirectedIO: [bool("vtd")],
    Processors_ExecuteDisableBit: [bool("xdBit")],
    Processors_TrustedExecutionTechnology: [bool("txt")],
    Processors_SNC: [bool("clusterOnDie")],
    Memory_SocketInterleave: [enabledIf("numa", "NUMA")],
    Memory_PatrolScrub: [bool("patrolScrub")],
    OperatingModes_ChooseOperatingMode: [text("powerProfile")],
  },
  // Intel reference-BIOS setup names (the KVM4NFV guide's wording), for exports that use them
  generic: {
    CpuPowerAndPerformancePolicy: [text("powerProfile")],
    CStates: [bool("cStates")],
    C1EAutopromote: [bool("c1e")],
    C1E: [bool("c1e")],
    C3: [bool("c3")],
    C6: [bool("c6")],
    TurboMode: [bool("turbo")],
    IntelTurboBoostTechnology: [bool("turbo")],
    EIST: [bool("eist")],
    SpeedStep: [bool("eist")],
    HyperThreading: [bool("hyperThreading")],
    ActiveProcessorCores: [cores("activeCores")],
    ExecuteDisableBit: [bool("xdBit")],
    VTx: [bool("vtx")],
    IntelVirtualizationTechnology: [bool("vtx")],
    VTd: [bool("vtd")],
    IntelTxt: [bool("txt")],
    NumaOptimized: [bool("numa")],
    ClusterOnDie: [bool("clusterOnDie")],
    MemoryRasAndPerformanceConfiguration: [text("memoryRas")],
    MemoryRasMode: [text("memoryRas")],
    PatrolScrub: [bool("patrolScrub")],
    DemandScrub: [bool("demandScrub")],
    EnhancedErrorContainmentMode: [bool("errorContainment")],
    LegacyUsbSupport: [bool("legacyUsb")],
    Port6064Emulation: [bool("port6064")],
  },
};

/** Guess the vendor from DMI sys_vendor / bios_vendor, else from which attribute names are present. */
export function detectBiosVendor(hints: { sysVendor?: string | null; biosVendor?: string | null }, attributeNames: readonly string[] = []): BiosVendor {
  const v = `${hints.sysVendor ?? ""} ${hints.biosVendor ?? ""}`.toLowerCase();
  if (/\bhpe?\b|hewlett/.test(v)) return "hpe";
  if (/\bdell\b/.test(v)) return "dell";
  if (/lenovo/.test(v)) return "lenovo";
  let best: BiosVendor = "generic";
  let bestHits = 0;
  for (const vendor of ["hpe", "dell", "lenovo"] as const) {
    const table = VENDOR_ATTRIBUTES[vendor];
    const hits = attributeNames.filter((n) => Object.hasOwn(table, n)).length;
    if (hits > bestHits) {
      best = vendor;
      bestHits = hits;
    }
  }
  return best;
}

export interface NormalisedSetting {
  setting: BiosSetting;
  value: NormalisedValue;
  rawName: string;
  rawValue: RawAttributeValue;
}

/**
 * Normalise a vendor's attributes. The vendor table is tried first, then the generic names; for each
 * setting the first attribute found (in table order) wins, so a vendor's own switch beats a generic one.
 */
export function normaliseBiosAttributes(vendor: BiosVendor, attributes: Readonly<Record<string, RawAttributeValue>>): NormalisedSetting[] {
  const out = new Map<BiosSetting, NormalisedSetting>();
  const tables = vendor === "generic" ? [VENDOR_ATTRIBUTES.generic] : [VENDOR_ATTRIBUTES[vendor], VENDOR_ATTRIBUTES.generic];
  for (const table of tables) {
    for (const [rawName, rules] of Object.entries(table)) {
      if (!Object.hasOwn(attributes, rawName)) continue;
      const rawValue = attributes[rawName] ?? null;
      for (const rule of rules) {
        if (out.has(rule.setting)) continue;
        out.set(rule.setting, { setting: rule.setting, value: rule.convert(rawValue), rawName, rawValue });
      }
    }
  }
  return BIOS_SETTINGS.flatMap((s) => {
    const v = out.get(s);
    return v ? [v] : [];
  });
}
