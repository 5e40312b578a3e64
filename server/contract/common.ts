import { z } from "zod";

/** Keys that would poison an object's prototype if a payload were merged naively. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export const safeKey = z
  .string()
  .min(1)
  .max(256)
  .refine((k) => !FORBIDDEN_KEYS.has(k), { message: "forbidden key" });

/** A record with bounded size and no prototype keys. */
export function boundedRecord<T extends z.ZodType>(value: T, maxEntries = 4096) {
  return z
    .record(safeKey, value)
    .refine((r) => Object.keys(r).length <= maxEntries, { message: `more than ${maxEntries} entries` });
}

/** Kernel cpu-list text such as "0-3,8,10-11" (may be empty). */
export const cpuListText = z
  .string()
  .max(8192)
  .regex(/^$|^\d+(-\d+)?(:\d+\/\d+)?(,\d+(-\d+)?(:\d+\/\d+)?)*$/, { message: "not a cpu list" });

export const cpuIndex = z.number().int().min(0).max(65535);
export const cpuArray = z.array(cpuIndex).max(8192);

export const shortText = z.string().max(1024);
export const longText = z.string().max(65536);

/** Messages a collector attaches when it tolerated bad or missing fields one by one. */
export const warningsList = z.array(z.string().max(500)).max(51);

/** A non-negative integer counter or size as read from sysfs/procfs. */
export const countValue = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
