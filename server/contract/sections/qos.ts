import { z } from "zod";

// PLACEHOLDER — the resctrl collector owner replaces this with the real, strict schema.
export const qosSampleSchema = z.object({}).passthrough();
export type QosSample = z.infer<typeof qosSampleSchema>;
