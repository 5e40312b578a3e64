/**
 * The per-host cyclictest schedule, declared once with its defaults: what an operator sets (API input and
 * output), what is stored, and the part the agent receives in every report response.
 */
import { z } from "zod";

export const latencyScheduleSchema = z
  .object({
    enabled: z.boolean(),
    /** cpu list of the CPUs to measure ("2-5,8") */
    cpus: z.string().max(1000),
    durationS: z.number().int().min(1).max(86_400),
    intervalUs: z.number().int().min(50).max(1_000_000),
    priority: z.number().int().min(1).max(99),
    histogramSize: z.number().int().min(10).max(100_000),
    everyMinutes: z.number().int().min(1).max(10_080),
    load: z.string().max(256),
  })
  .strict();
export type LatencyScheduleInput = z.infer<typeof latencyScheduleSchema>;

/** A host without a schedule row: disabled, and these values prefill the form. */
export const DEFAULT_SCHEDULE: LatencyScheduleInput = {
  enabled: false,
  cpus: "",
  durationS: 60,
  intervalUs: 200,
  priority: 95,
  histogramSize: 400,
  everyMinutes: 5,
  load: "idle",
};

/** What the agent runs (only an enabled schedule is sent). */
export const agentLatencyScheduleSchema = latencyScheduleSchema.omit({ enabled: true });
export type AgentLatencySchedule = z.infer<typeof agentLatencyScheduleSchema>;

export function agentScheduleOf(s: LatencyScheduleInput | null | undefined): AgentLatencySchedule | null {
  if (!s || !s.enabled) return null;
  const { enabled: _enabled, ...rest } = s;
  return rest;
}
