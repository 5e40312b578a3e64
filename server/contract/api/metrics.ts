import { z } from "zod";

/** What GET /metrics is rendered from: latest state and counters, one row per host (no raw series). */
export const metricsHostSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  labels: z.array(z.string()),
  lastSeenAt: z.date().nullable(),
  heartbeatSeconds: z.number().int(),
  /** score as stored: 0–100 (exported as a 0–1 ratio) */
  compliance: z.object({ score: z.number(), pass: z.number().int(), fail: z.number().int(), warn: z.number().int(), na: z.number().int() }).nullable(),
  /** cumulative samples ≤ each bound (PROMETHEUS_LATENCY_BOUNDS_US), total count, Σ seconds */
  latency: z.object({ le: z.array(z.number()), count: z.number(), sumSeconds: z.number() }).nullable(),
  agentSpoolDropped: z.number().nullable(),
  agentRejected: z.number().nullable(),
});
export type MetricsHost = z.infer<typeof metricsHostSchema>;

export const metricsMigrationSchema = z.object({
  hostname: z.string(),
  vm: z.string(),
  totalTimeMs: z.number().nullable(),
  downtimeMs: z.number().nullable(),
});
export type MetricsMigration = z.infer<typeof metricsMigrationSchema>;

export const metricsJobCountSchema = z.object({ kind: z.string(), state: z.string(), count: z.number().int() });
export type MetricsJobCount = z.infer<typeof metricsJobCountSchema>;

export const metricsExpositionOutput = z.object({ text: z.string(), hosts: z.number().int() });
