import { z } from "zod";
import { publicProcedure } from "@/server/api/trpc";

/** A no-op: the ceiling of the tRPC path, used by `npm run bench` to judge ingest overhead. */
export const ping = publicProcedure
  .input(z.void())
  .output(z.object({ pong: z.literal(true) }))
  .query(() => ({ pong: true as const }));
