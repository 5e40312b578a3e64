import { z } from "zod";
import { boundedRecord, warningsList } from "../common";

const paramValue = z.string().max(256);

export const kvmSection = z
  .object({
    /** vendor module loaded: kvm_intel, kvm_amd, or null (only kvm, or none) */
    vendorModule: z.enum(["kvm_intel", "kvm_amd"]).nullable(),
    /** raw /sys/module/kvm/parameters/* */
    kvmParams: boundedRecord(paramValue, 256),
    /** raw /sys/module/kvm_intel|kvm_amd/parameters/* */
    vendorParams: boundedRecord(paramValue, 256),
    /** kvm_intel enable_apicv (APICv + posted interrupts), kvm_amd avic */
    enableApicv: z.boolean().nullable(),
    /** kvm_intel preemption_timer (VMX preemption timer); null on AMD */
    preemptionTimer: z.boolean().nullable(),
    /** kvm_intel ple_gap (0 = pause-loop exiting off); kvm_amd pause_filter_count */
    pleGap: z.number().int().nullable(),
    /** kvm nx_huge_pages as written: N, Y, off, force, auto, never */
    nxHugePages: z.string().max(32).nullable(),
    kvmclockPeriodicSync: z.boolean().nullable(),
    haltPollNs: z.number().int().nullable(),
    nested: z.boolean().nullable(),
    warnings: warningsList,
  })
  .strict();
export type KvmSection = z.infer<typeof kvmSection>;
