import { z } from "zod";
import { countValue, warningsList } from "../common";

const sizeKb = z.number().int().positive().max(1024 * 1024 * 1024);
const count = countValue.nullable();

/** /sys/kernel/mm/hugepages/hugepages-<size>kB/* */
export const hugepageSizeGlobal = z
  .object({ sizeKb, nr: count, free: count, resv: count, surplus: count, overcommit: count })
  .strict();

/** /sys/devices/system/node/nodeN/hugepages/hugepages-<size>kB/* — the kernel has no resv per node. */
export const hugepageSizeNode = z.object({ sizeKb, nr: count, free: count, surplus: count }).strict();

export const hugepagesSection = z
  .object({
    /** Hugepagesize from /proc/meminfo: the default size */
    defaultSizeKb: sizeKb.nullable(),
    memTotalKb: countValue.nullable(),
    sizes: z.array(hugepageSizeGlobal).max(16),
    nodes: z
      .array(z.object({ node: z.number().int().nonnegative().max(65535), memTotalKb: countValue.nullable(), sizes: z.array(hugepageSizeNode).max(16) }).strict())
      .max(1024),
    warnings: warningsList,
  })
  .strict();
export type HugepagesSection = z.infer<typeof hugepagesSection>;
