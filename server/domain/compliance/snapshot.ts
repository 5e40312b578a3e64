import type { SectionName } from "@/server/contract/report";
import { topologySection, type TopologySection } from "@/server/contract/sections/topology";
import { kernelSection, type KernelSection } from "@/server/contract/sections/kernel";
import { powerSection, type PowerSection } from "@/server/contract/sections/power";
import { irqSection, type IrqSection } from "@/server/contract/sections/irq";
import { hugepagesSection, type HugepagesSection } from "@/server/contract/sections/hugepages";
import { biosSection, type BiosSection } from "@/server/contract/sections/bios";
import { resctrlSection, type ResctrlSection } from "@/server/contract/sections/resctrl";
import { kvmSection, type KvmSection } from "@/server/contract/sections/kvm";
import { vmsSection, type VmsSection } from "@/server/contract/sections/vms";

/** Why a section has no data: the rule that needs it says so in its n/a reason. */
export type SectionState = "ok" | "unavailable" | "error" | "missing" | "invalid";

/** The latest stored state of every section of one host: what every rule is a pure function of. */
export type HostSnapshot = {
  topology: TopologySection | null;
  kernel: KernelSection | null;
  power: PowerSection | null;
  irq: IrqSection | null;
  hugepages: HugepagesSection | null;
  bios: BiosSection | null;
  resctrl: ResctrlSection | null;
  kvm: KvmSection | null;
  vms: VmsSection | null;
  state: Record<SectionName, SectionState>;
  /** VNFs placed on this host by the CPU allocator (absent when the caller did not load them) */
  vnfPlacements?: VnfPlacementFact[];
};

/** One placed VNF as compliance sees it: the CPUs it holds and the node its hugepages are accounted on. */
export type VnfPlacementFact = { name: string; numaNode: number; cpus: number[]; hugepages: { pageSize: string; pages: number } | null };

/**
 * One stored section as the repo (HostSection row) or the agent (report envelope) holds it. `validated`:
 * `data` is the output of this section's contract schema already (the report that just stored it was
 * parsed at the API edge), so it is not parsed again.
 */
export type StoredSection = { ok: boolean; available: boolean; data: unknown; error?: string | null; validated?: boolean };

const SCHEMAS = {
  topology: topologySection,
  kernel: kernelSection,
  power: powerSection,
  irq: irqSection,
  hugepages: hugepagesSection,
  bios: biosSection,
  resctrl: resctrlSection,
  kvm: kvmSection,
  vms: vmsSection,
} as const;

/**
 * Build a snapshot from stored sections. Each section read back from storage is re-validated against its
 * contract schema: data that no longer fits (an older agent) is treated as absent ("invalid"), so rules say
 * n/a instead of misreading it. A section marked `validated` (parsed by the same schema at the API edge) is not.
 */
export function snapshotFromSections(sections: Partial<Record<SectionName, StoredSection | undefined>>): HostSnapshot {
  const state = {} as Record<SectionName, SectionState>;
  const pick = <K extends SectionName>(name: K) => {
    const s = sections[name];
    if (!s) {
      state[name] = "missing";
      return null;
    }
    if (!s.ok) {
      state[name] = "error";
      return null;
    }
    if (!s.available || s.data === null || s.data === undefined) {
      state[name] = "unavailable";
      return null;
    }
    if (s.validated) {
      state[name] = "ok";
      return s.data;
    }
    const parsed = SCHEMAS[name].safeParse(s.data);
    if (!parsed.success) {
      state[name] = "invalid";
      return null;
    }
    state[name] = "ok";
    return parsed.data;
  };
  return {
    topology: pick("topology") as TopologySection | null,
    kernel: pick("kernel") as KernelSection | null,
    power: pick("power") as PowerSection | null,
    irq: pick("irq") as IrqSection | null,
    hugepages: pick("hugepages") as HugepagesSection | null,
    bios: pick("bios") as BiosSection | null,
    resctrl: pick("resctrl") as ResctrlSection | null,
    kvm: pick("kvm") as KvmSection | null,
    vms: pick("vms") as VmsSection | null,
    state,
  };
}

/** An empty snapshot (no section reported yet). */
export function emptySnapshot(): HostSnapshot {
  return snapshotFromSections({});
}

const STATE_TEXT: Record<SectionState, string> = {
  ok: "reported",
  unavailable: "not available on this host",
  error: "its collector failed",
  missing: "not reported yet",
  invalid: "its data does not match the current schema",
};

/** "kernel section not available on this host" — the reason used in n/a findings. */
export function sectionAbsentReason(snapshot: HostSnapshot, name: SectionName): string {
  return `${name} section ${STATE_TEXT[snapshot.state[name]]}`;
}

