import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { fleetHostSchema } from "@/server/api/routers/hosts/list-hosts";
import { topologySection } from "@/server/contract/sections/topology";
import { kernelSection } from "@/server/contract/sections/kernel";
import { getHostOverview } from "@/server/repo/hosts";

function sectionViewSchema<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion("state", [
    z.object({ state: z.literal("missing"), data: z.null(), error: z.null(), collectedAt: z.null() }),
    z.object({ state: z.enum(["unavailable", "error", "invalid"]), data: z.null(), error: z.string().nullable(), collectedAt: z.date() }),
    z.object({ state: z.literal("ok"), data, error: z.null(), collectedAt: z.date() }),
  ]);
}

/** A host's header plus the topology and kernel sections of its latest report. */
export const getHost = viewerProcedure
  .input(z.object({ id: z.string().uuid() }).strict())
  .output(
    z.object({
      generatedAt: z.date(),
      host: fleetHostSchema.omit({ compliance: true }).extend({ heartbeatSeconds: z.number().int(), enrolledAt: z.date() }),
      topology: sectionViewSchema(topologySection),
      kernel: sectionViewSchema(kernelSection),
    }),
  )
  .query(async ({ input }) => {
    const generatedAt = new Date();
    return { generatedAt, ...(await getHostOverview(input.id, generatedAt)) };
  });
