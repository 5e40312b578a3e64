import { z } from "zod";
import { cpuArray, shortText, longText, warningsList } from "../common";

/** One kernel command-line parameter as written; value null for a bare flag ("quiet"). */
export const cmdlineParam = z.object({ key: z.string().min(1).max(256), value: z.string().max(8192).nullable() }).strict();

export const isolcpusParam = z
  .object({
    /** flags as written before the list: nohz, domain, managed_irq ([] for a bare "isolcpus=2-5", which the kernel treats as domain) */
    flags: z.array(z.string().max(64)).max(16),
    cpus: cpuArray,
    raw: z.string().max(8192),
  })
  .strict();

/** A cpu-list kernel parameter: the raw text and the parsed set (null when the text is not a cpu list). */
export const cpuListParam = z.object({ raw: z.string().max(8192), cpus: cpuArray.nullable() }).strict();

export const kernelCmdline = z
  .object({
    raw: longText,
    params: z.array(cmdlineParam).max(1024),
    isolcpus: isolcpusParam.nullable(),
    nohzFull: cpuListParam.nullable(),
    rcuNocbs: cpuListParam.nullable(),
    irqaffinity: cpuListParam.nullable(),
    iommu: shortText.nullable(),
    intelIommu: shortText.nullable(),
    amdIommu: shortText.nullable(),
    defaultHugepagesz: shortText.nullable(),
    /** every hugepagesz= and hugepages= in order (they pair up) */
    hugepagesz: z.array(shortText).max(64),
    hugepages: z.array(shortText).max(64),
    idle: shortText.nullable(),
    tsc: shortText.nullable(),
    intelPstate: shortText.nullable(),
    processorMaxCstate: shortText.nullable(),
    intelIdleMaxCstate: shortText.nullable(),
    mce: shortText.nullable(),
    nosoftlockup: z.boolean(),
    nmiWatchdog: shortText.nullable(),
    skewTick: shortText.nullable(),
    transparentHugepage: shortText.nullable(),
  })
  .strict();

export const kernelSection = z
  .object({
    release: shortText.nullable(),
    version: shortText.nullable(),
    /** PREEMPT_RT kernel: /sys/kernel/realtime = 1, or "PREEMPT_RT"/"PREEMPT RT" in the version string */
    preemptRt: z.boolean(),
    preemptModel: z.enum(["PREEMPT_RT", "PREEMPT_DYNAMIC", "PREEMPT", "NONE"]).nullable(),
    /** null when the cmdline file is absent */
    cmdline: kernelCmdline.nullable(),
    /** /sys/devices/system/cpu/isolated; "(null)"/empty → []; null when the file is absent */
    sysIsolated: cpuArray.nullable(),
    sysNohzFull: cpuArray.nullable(),
    /** kernel built with NOHZ_FULL: cpu/nohz_full exists, or CONFIG_NO_HZ_FULL in /boot/config-<release>; null unknown */
    nohzFullSupported: z.boolean().nullable(),
    clocksource: z
      .object({ current: shortText.nullable(), available: z.array(z.string().max(64)).max(64) })
      .strict()
      .nullable(),
    sysctl: z
      .object({
        schedRtRuntimeUs: z.number().int().nullable(),
        schedRtPeriodUs: z.number().int().nullable(),
        timerMigration: z.number().int().nullable(),
        numaBalancing: z.number().int().nullable(),
        nmiWatchdog: z.number().int().nullable(),
      })
      .strict(),
    thp: z
      .object({
        enabled: z.enum(["always", "madvise", "never"]).nullable(),
        defrag: shortText.nullable(),
      })
      .strict(),
    irqbalance: z
      .object({
        running: z.boolean(),
        pids: z.array(z.number().int().positive()).max(64),
        /** CPUs irqbalance must not place IRQs on; null when no ban is configured */
        bannedCpus: cpuArray.nullable(),
        /** where the ban came from, e.g. "etc/default/irqbalance:IRQBALANCE_BANNED_CPULIST" */
        bannedSource: shortText.nullable(),
      })
      .strict(),
    onlineCpus: cpuArray,
    /** union of isolcpus, nohz_full and rcu_nocbs on the cmdline and /sys/devices/system/cpu/isolated */
    isolatedCpus: cpuArray,
    /** online − isolated */
    housekeepingCpus: cpuArray,
    warnings: warningsList,
  })
  .strict();
export type KernelSection = z.infer<typeof kernelSection>;
export type KernelCmdline = z.infer<typeof kernelCmdline>;
