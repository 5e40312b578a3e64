import { z } from "zod";

// PLACEHOLDER — the collector owner replaces this with the real, strict schema.
export const irqSection = z.object({}).passthrough();
export type IrqSection = z.infer<typeof irqSection>;
