import { z } from "zod";

// PLACEHOLDER — the latency collector owner replaces this with the real, strict schema.
export const latencyRunSchema = z.object({}).passthrough();
export type LatencyRunReport = z.infer<typeof latencyRunSchema>;
