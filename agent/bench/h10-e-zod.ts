import { z } from "zod";
export const x = z.object({ a: z.string() });
(globalThis as unknown as { __report: (l: string) => void }).__report("zod");
