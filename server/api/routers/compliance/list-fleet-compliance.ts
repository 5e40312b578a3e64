import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { fleetComplianceRowSchema } from "@/server/contract/api/compliance";
import { fleetFilterSchema } from "@/server/domain/compliance/fleet-filter";
import { listFleetCompliance as listFleetComplianceService } from "@/server/services/compliance/list-fleet-compliance";

/** Hosts × rule sections for the fleet compliance matrix, optionally filtered (e.g. failing kernel rules). */
export const listFleetCompliance = viewerProcedure
  .input(fleetFilterSchema.default({}))
  .output(z.array(fleetComplianceRowSchema))
  .query(({ input }) => listFleetComplianceService({ filter: input }));
