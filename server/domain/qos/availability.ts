/**
 * Whether a host's Cache QoS view has anything to show, and if not, why (pure). resctrl is absent on
 * VMs (RDT is not virtualised to guests), on CPUs without RDT, and when /sys/fs/resctrl is not mounted.
 */
import type { ResctrlSection } from "@/server/contract/sections/resctrl";

export type QosAvailability =
  | { status: "available"; section: ResctrlSection }
  | { status: "not-available"; reason: string };

export interface StoredResctrlSection {
  ok: boolean;
  available: boolean;
  error: string | null;
  /** the section data, already validated against the contract (null when absent or invalid) */
  data: ResctrlSection | null;
}

export function qosAvailability(stored: StoredResctrlSection | null, isVirtual: boolean | null): QosAvailability {
  if (stored === null) return { status: "not-available", reason: "No resctrl reading from this host yet: its agent has not reported the resctrl section." };
  if (!stored.ok) return { status: "not-available", reason: `The agent's resctrl collector failed${stored.error ? `: ${stored.error}` : "."}` };
  if (!stored.available || stored.data === null || !stored.data.mounted) {
    if (isVirtual === true) {
      return {
        status: "not-available",
        reason: "resctrl not available: this host is a virtual machine. Intel RDT (CAT, CMT, MBM) is not exposed to guests, so there is no /sys/fs/resctrl to read.",
      };
    }
    return {
      status: "not-available",
      reason: "resctrl not mounted: /sys/fs/resctrl has no info/. Either the CPU or kernel has no RDT support (CONFIG_X86_CPU_RESCTRL), or it is not mounted (mount -t resctrl resctrl /sys/fs/resctrl).",
    };
  }
  return { status: "available", section: stored.data };
}
