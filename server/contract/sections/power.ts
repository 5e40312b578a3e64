import { z } from "zod";

// PLACEHOLDER — the collector owner replaces this with the real, strict schema.
export const powerSection = z.object({}).passthrough();
export type PowerSection = z.infer<typeof powerSection>;
