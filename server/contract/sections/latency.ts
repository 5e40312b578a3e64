import { z } from "zod";
import { countValue, cpuIndex, recentTimestamp, shortText } from "../common";

/** Largest histogram accepted (buckets); cyclictest -h is usually 100–10000 (µs), more with -N (ns). */
export const MAX_HISTOGRAM_SIZE = 1_000_000;
/** Most non-empty buckets one thread may send. */
export const MAX_HISTOGRAM_ENTRIES = 100_000;

/**
 * A sparse histogram as JSON: { "17": 4, "18": 1203 } — only non-empty buckets need be sent. Keys are
 * canonical decimal integers (so no prototype key can pass).
 */
export const sparseHistogramSchema = z
  .record(z.string().regex(/^(0|[1-9]\d{0,6})$/, { message: "bucket key must be a decimal integer" }), countValue)
  .refine((r) => Object.keys(r).length <= MAX_HISTOGRAM_ENTRIES, { message: `more than ${MAX_HISTOGRAM_ENTRIES} buckets` });

const latencyValue = z.number().nonnegative().max(1e12).nullable();

export const latencyThreadSchema = z
  .object({
    thread: z.number().int().min(0).max(65535),
    /** CPU the measurement thread was pinned to (null when not pinned / unknown) */
    cpu: cpuIndex.nullable(),
    cycles: countValue,
    /** samples ≥ histogramSize: a tail "≥ N" */
    overflows: countValue,
    /** null when the thread recorded no cycle */
    min: latencyValue,
    avg: latencyValue,
    /** true max from cyclictest's footer (may be beyond the histogram) */
    max: latencyValue,
    histogram: sparseHistogramSchema,
  })
  .strict();
export type LatencyThreadReport = z.infer<typeof latencyThreadSchema>;

/** One cyclictest run as the agent (or an upload) reports it: stored whole, per thread. */
export const latencyRunSchema = z
  .object({
    /** agent-generated id; with the host it makes a resend idempotent */
    runKey: z.string().min(1).max(128),
    startedAt: recentTimestamp,
    durationS: z.number().nonnegative().max(31 * 86400),
    toolVersion: shortText.nullable(),
    cmdline: z.string().max(4096).nullable(),
    priority: z.number().int().min(0).max(99).nullable(),
    intervalUs: z.number().int().positive().max(3_600_000_000).nullable(),
    /** load description: "idle", "stress-ng cpu", free text */
    load: z.string().min(1).max(256),
    unit: z.enum(["us", "ns"]),
    /** N (-h N): buckets 0..N-1; samples ≥ N are overflows */
    histogramSize: z.number().int().positive().max(MAX_HISTOGRAM_SIZE),
    threads: z.array(latencyThreadSchema).min(1).max(4096),
  })
  .strict()
  .superRefine((run, ctx) => {
    const seen = new Set<number>();
    run.threads.forEach((t, i) => {
      if (seen.has(t.thread)) ctx.addIssue({ code: "custom", path: ["threads", i, "thread"], message: "duplicate thread number" });
      seen.add(t.thread);
      let sum = 0;
      for (const [k, c] of Object.entries(t.histogram)) {
        if (Number(k) >= run.histogramSize) {
          ctx.addIssue({ code: "custom", path: ["threads", i, "histogram", k], message: `bucket ≥ histogramSize ${run.histogramSize}` });
        }
        sum += c;
      }
      if (sum + t.overflows !== t.cycles) {
        ctx.addIssue({ code: "custom", path: ["threads", i, "cycles"], message: `cycles ${t.cycles} ≠ Σ buckets ${sum} + overflows ${t.overflows}` });
      }
      if (t.min !== null && t.max !== null && t.min > t.max) {
        ctx.addIssue({ code: "custom", path: ["threads", i, "min"], message: "min > max" });
      }
    });
  });
export type LatencyRunReport = z.infer<typeof latencyRunSchema>;
