import { z } from "zod";
import { countValue, cpuArray, shortText, warningsList } from "../common";

/** A numbered IRQ: /proc/interrupts row + /proc/irq/N/{smp_affinity_list,effective_affinity_list}. */
export const irqEntry = z
  .object({
    irq: z.number().int().nonnegative().max(1_000_000),
    /** the action names (devices), e.g. "eth0-TxRx-0"; "" when none */
    name: z.string().max(1024),
    chip: shortText.nullable(),
    /** hwirq and trigger, e.g. "327680-edge" */
    hwirq: shortText.nullable(),
    total: countValue,
    /** CPUs (by /proc/interrupts column) with a non-zero count */
    cpusWithCounts: cpuArray,
    smpAffinity: cpuArray.nullable(),
    /** where the IRQ really fires: the truth for isolation checks (null when the kernel does not expose it) */
    effectiveAffinity: cpuArray.nullable(),
    /** kernel-managed affinity (IRQD_AFFINITY_MANAGED in debugfs): cannot be moved; null when debugfs is not readable */
    managed: z.boolean().nullable(),
  })
  .strict();

/** A named row such as LOC, RES, TLB: counts only, no affinity. */
export const irqOtherRow = z
  .object({ name: z.string().max(64), description: z.string().max(1024), total: countValue, cpusWithCounts: cpuArray })
  .strict();

export const irqSection = z
  .object({
    /** CPU numbers of the /proc/interrupts columns (online CPUs) */
    columns: cpuArray,
    defaultSmpAffinity: cpuArray.nullable(),
    irqs: z.array(irqEntry).max(16384),
    other: z.array(irqOtherRow).max(256),
    warnings: warningsList,
  })
  .strict();
export type IrqSection = z.infer<typeof irqSection>;
export type IrqEntry = z.infer<typeof irqEntry>;
