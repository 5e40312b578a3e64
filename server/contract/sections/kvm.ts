import { z } from "zod";

// PLACEHOLDER — the collector owner replaces this with the real, strict schema.
export const kvmSection = z.object({}).passthrough();
export type KvmSection = z.infer<typeof kvmSection>;
