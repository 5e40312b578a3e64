/** Tuning API shapes: the latency of the window before a tuning change next to the window after it. */
import { z } from "zod";
import { sloTargetsOutput, sloVerdictOutput } from "@/server/contract/api/latency";
import { tuneActionIdSchema } from "@/server/contract/tuning";

export const latencyWindowSummary = z.object({
  from: z.date(),
  to: z.date(),
  runs: z.number().int(),
  cycles: z.number(),
  overflows: z.number(),
  maxUs: z.number().nullable(),
  p99999Us: z.number().nullable(),
  meanUs: z.number().nullable(),
  slo: sloVerdictOutput,
});
export type LatencyWindowSummary = z.infer<typeof latencyWindowSummary>;

/** One tuning change (a succeeded apply or rollback job) with its before/after latency. */
export const tuneChangeLatency = z.object({
  jobId: z.string(),
  hostId: z.string(),
  action: tuneActionIdSchema,
  mode: z.enum(["apply", "rollback"]),
  startedAt: z.date(),
  finishedAt: z.date(),
  sloTargets: sloTargetsOutput,
  before: latencyWindowSummary,
  after: latencyWindowSummary,
});
export type TuneChangeLatency = z.infer<typeof tuneChangeLatency>;

export const tuneLatencyInput = z.object({ jobId: z.string().uuid() }).strict();
