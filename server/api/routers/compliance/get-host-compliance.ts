import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { resolutionSchema, sectionsSummarySchema } from "@/server/api/routers/compliance/io-schemas";
import { findingSchema, statusCountsSchema } from "@/server/domain/compliance/types";
import { getHostCompliance as getHostComplianceRepo } from "@/server/repo/compliance";

/** A host's compliance result: summary line, per-section status and every finding with evidence. */
export const getHostCompliance = viewerProcedure
  .input(z.object({ hostId: z.string().uuid() }).strict())
  .output(
    z.object({
      hostId: z.string(),
      hostname: z.string(),
      resolution: resolutionSchema,
      profileName: z.string(),
      result: z
        .object({
          profileId: z.string(),
          evaluatedAt: z.date(),
          score: z.number(),
          counts: statusCountsSchema,
          summary: z.string(),
          sections: sectionsSummarySchema,
          findings: z.array(findingSchema),
        })
        .nullable(),
    }),
  )
  .query(({ input }) => getHostComplianceRepo(input.hostId));
