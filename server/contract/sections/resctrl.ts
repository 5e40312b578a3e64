import { z } from "zod";

// PLACEHOLDER — the collector owner replaces this with the real, strict schema.
export const resctrlSection = z.object({}).passthrough();
export type ResctrlSection = z.infer<typeof resctrlSection>;
