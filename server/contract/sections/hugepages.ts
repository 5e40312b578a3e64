import { z } from "zod";

// PLACEHOLDER — the collector owner replaces this with the real, strict schema.
export const hugepagesSection = z.object({}).passthrough();
export type HugepagesSection = z.infer<typeof hugepagesSection>;
