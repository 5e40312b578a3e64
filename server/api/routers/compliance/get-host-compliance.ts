import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { hostComplianceSchema } from "@/server/contract/api/compliance";
import { getHostCompliance as getHostComplianceService } from "@/server/services/compliance/get-host-compliance";

/** A host's compliance result: summary line, per-section status and every finding with evidence. */
export const getHostCompliance = viewerProcedure
  .input(z.object({ hostId: z.string().uuid() }).strict())
  .output(hostComplianceSchema)
  .query(({ input }) => getHostComplianceService({ hostId: input.hostId }));
