import { viewerProcedure } from "@/server/api/trpc";
import { complianceCsvSchema } from "@/server/contract/api/compliance";
import { fleetFilterSchema } from "@/server/domain/compliance/fleet-filter";
import { exportFleetComplianceCsv } from "@/server/services/compliance/export-fleet-compliance-csv";

/** The fleet compliance matrix as CSV text (the page offers it as a download). */
export const exportComplianceCsv = viewerProcedure
  .input(fleetFilterSchema.default({}))
  .output(complianceCsvSchema)
  .query(({ input }) => exportFleetComplianceCsv({ filter: input }));
