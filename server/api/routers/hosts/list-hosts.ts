import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { fleetHostSchema } from "@/server/contract/api/fleet";
import { listFleetHosts } from "@/server/repo/hosts";

/** Every host for the fleet overview; filtering and sorting happen in the browser (≤ a few thousand rows). */
export const listHosts = viewerProcedure
  .input(z.void())
  .output(z.object({ generatedAt: z.date(), hosts: z.array(fleetHostSchema) }))
  .query(async () => {
    const generatedAt = new Date();
    return { generatedAt, hosts: await listFleetHosts(generatedAt) };
  });
