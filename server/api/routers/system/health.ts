import { z } from "zod";
import { publicProcedure } from "@/server/api/trpc";
import { checkDatabase } from "@/server/repo/health";

export const health = publicProcedure
  .input(z.void())
  .output(z.object({ ok: z.boolean(), db: z.enum(["up", "down"]) }))
  .query(() => checkDatabase());
