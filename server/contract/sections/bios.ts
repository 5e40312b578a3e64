import { z } from "zod";

// PLACEHOLDER — the collector owner replaces this with the real, strict schema.
export const biosSection = z.object({}).passthrough();
export type BiosSection = z.infer<typeof biosSection>;
