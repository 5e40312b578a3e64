import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { fleetHostSchema, fleetPageInput, fleetStatusCountsSchema } from "@/server/contract/api/fleet";
import { listFleetPage } from "@/server/repo/fleet-page";

/** One page of the fleet table, filtered, searched and sorted on the server (holds at 20,000 hosts). */
export const listFleetPageProcedure = viewerProcedure
  .input(fleetPageInput)
  .output(
    z.object({
      generatedAt: z.date(),
      counts: fleetStatusCountsSchema,
      matching: z.number().int(),
      page: z.number().int(),
      pageSize: z.number().int(),
      hosts: z.array(fleetHostSchema),
    }),
  )
  .query(async ({ input }) => {
    const generatedAt = new Date();
    return { generatedAt, ...(await listFleetPage(input, generatedAt)) };
  });
