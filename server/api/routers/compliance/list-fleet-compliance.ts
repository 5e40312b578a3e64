import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { sectionsSummarySchema } from "@/server/api/routers/compliance/io-schemas";
import { statusCountsSchema } from "@/server/domain/compliance/types";
import { fleetFilterSchema } from "@/server/domain/compliance/fleet-filter";
import { listFleetCompliance as listFleetComplianceRepo } from "@/server/repo/compliance";

/** Hosts × rule sections for the fleet compliance matrix, optionally filtered (e.g. failing kernel rules). */
export const listFleetCompliance = viewerProcedure
  .input(fleetFilterSchema.default({}))
  .output(
    z.array(
      z.object({
        hostId: z.string(),
        hostname: z.string(),
        labels: z.array(z.string()),
        profileId: z.string().nullable(),
        evaluatedAt: z.date().nullable(),
        score: z.number().nullable(),
        counts: statusCountsSchema.nullable(),
        sections: sectionsSummarySchema,
      }),
    ),
  )
  .query(({ input }) => listFleetComplianceRepo(input));
