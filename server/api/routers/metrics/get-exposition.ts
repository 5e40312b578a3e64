import { z } from "zod";
import { publicProcedure } from "@/server/api/trpc";
import { metricsExpositionOutput } from "@/server/contract/api/metrics";
import { env } from "@/server/env";
import { renderMetrics } from "@/server/services/metrics/render-metrics";

/** GET /metrics (app/metrics/route.ts): public, or bearer NFVDECK_METRICS_TOKEN when that is set. */
export const getExposition = publicProcedure
  .input(z.void())
  .output(metricsExpositionOutput)
  .query(({ ctx }) => renderMetrics({ authorization: ctx.headers.get("authorization"), requiredToken: env().NFVDECK_METRICS_TOKEN }));
