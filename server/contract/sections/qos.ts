import { z } from "zod";
import { recentTimestamp } from "../common";

/**
 * Bytes as a decimal string: MBM counters are cumulative u64 that pass 2^53 (JSON's exact integer limit)
 * after about a day at 100 GB/s, so they must not travel as JSON numbers. null = not readable this time
 * ("Error", "Unavailable", "Unassigned", missing).
 */
export const byteCounter = z.string().regex(/^(0|[1-9]\d{0,19})$/, { message: "not a decimal byte count" }).refine((s) => BigInt(s) <= 18446744073709551615n, { message: "beyond u64" });

/** One resctrl monitoring reading (CMT/MBM) of one monitoring group in one L3 domain. */
export const qosSampleSchema = z
  .object({
    at: recentTimestamp,
    /** "/" (root), "<ctrl>", "<ctrl>/mon_groups/<name>" or "mon_groups/<name>" under /sys/fs/resctrl */
    group: z.string().min(1).max(512),
    /** monitoring domain directory, e.g. "mon_L3_00" */
    domain: z.string().regex(/^mon_[A-Za-z0-9]+_\d+$/),
    llcOccupancyBytes: byteCounter.nullable(),
    mbmTotalBytes: byteCounter.nullable(),
    mbmLocalBytes: byteCounter.nullable(),
  })
  .strict();
export type QosSample = z.infer<typeof qosSampleSchema>;
