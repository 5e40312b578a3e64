/** zod schemas shared by the latency procedures' .input()/.output() (not a procedure). */
import { z } from "zod";
import { WINDOW_PRESETS } from "@/server/domain/latency/window";

export const windowInput = z.union([
  z.object({ preset: z.enum(WINDOW_PRESETS) }).strict(),
  z.object({ from: z.coerce.date(), to: z.coerce.date() }).strict(),
]);

export const hostIdInput = z.string().uuid();

const unit = z.enum(["us", "ns"]);

export const statsOutput = z.object({
  unit,
  histogramSize: z.number(),
  runs: z.number(),
  cycles: z.number(),
  overflows: z.number(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  percentiles: z.record(z.string(), z.number().nullable()),
  lowerBounds: z.array(z.string()),
});

export const sloTargetsOutput = z.object({ maxUs: z.number().nullable(), p99999Us: z.number().nullable() });
export const sloVerdictOutput = z.object({
  status: z.enum(["pass", "fail", "no-data", "no-target"]),
  reasons: z.array(z.string()),
});

export const windowOutput = z.object({ from: z.date(), to: z.date(), label: z.string() });

export const trendPointOutput = z.object({
  t: z.number(),
  runs: z.number(),
  cycles: z.number(),
  p50: z.number().nullable(),
  p99: z.number().nullable(),
  p9999: z.number().nullable(),
  p99999: z.number().nullable(),
  max: z.number().nullable(),
  lowerBounds: z.array(z.enum(["p50", "p99", "p9999", "p99999"])),
});

export const driftMarkerOutput = z.object({ t: z.number(), label: z.string(), details: z.array(z.string()) });

export const histogramPairs = z.array(z.tuple([z.number(), z.number()]));

export const runSummaryOutput = z.object({
  id: z.string(),
  hostId: z.string(),
  startedAt: z.date(),
  durationS: z.number(),
  source: z.string(),
  load: z.string(),
  unit,
  histogramSize: z.number(),
  priority: z.number().nullable(),
  intervalUs: z.number().nullable(),
  toolVersion: z.string().nullable(),
  cpus: z.array(z.number().nullable()),
  stats: statsOutput,
});

export const scheduleFields = z
  .object({
    enabled: z.boolean(),
    cpus: z.string().max(1000),
    durationS: z.number().int().min(1).max(86_400),
    intervalUs: z.number().int().min(50).max(1_000_000),
    priority: z.number().int().min(1).max(99),
    histogramSize: z.number().int().min(10).max(100_000),
    everyMinutes: z.number().int().min(1).max(10_080),
    load: z.string().max(256),
  })
  .strict();

export const scheduleOutput = scheduleFields.extend({
  hostId: z.string(),
  updatedAt: z.date().nullable(),
  updatedBy: z.string().nullable(),
});
