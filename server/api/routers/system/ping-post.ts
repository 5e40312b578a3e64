import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { publicProcedure } from "@/server/api/trpc";
import { reportInput } from "@/server/contract/report";
import { env } from "@/server/env";

/**
 * A no-op mutation taking an agent report: tRPC's POST path plus the report's validation, without
 * the token lookup or storage. `npm run bench` uses it to split agent.report's cost into "POST
 * through tRPC" and "ours" (auth + batch write). Served only when the bench asks for it
 * (NFVDECK_BENCH_ENDPOINTS=1): otherwise it is an unauthenticated full-validation endpoint. The
 * check runs before the input is parsed, so a refused call costs nothing.
 */
export const pingPost = publicProcedure
  .use(({ next }) => {
    if (!env().NFVDECK_BENCH_ENDPOINTS) throw new TRPCError({ code: "NOT_FOUND", message: "no such procedure: system.pingPost is served to the benchmark only" });
    return next();
  })
  .input(reportInput)
  .output(z.object({ pong: z.literal(true) }))
  .mutation(() => ({ pong: true as const }));
