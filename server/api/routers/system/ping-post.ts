import { z } from "zod";
import { publicProcedure } from "@/server/api/trpc";
import { reportInput } from "@/server/contract/report";

/**
 * A no-op mutation taking an agent report: tRPC's POST path plus the report's validation, without
 * the token lookup or storage. `npm run bench` uses it to split agent.report's cost into "POST
 * through tRPC" and "ours" (auth + batch write).
 */
export const pingPost = publicProcedure
  .input(reportInput)
  .output(z.object({ pong: z.literal(true) }))
  .mutation(() => ({ pong: true as const }));
