import { viewerProcedure } from "@/server/api/trpc";
import { fleetCompliancePageInput, fleetCompliancePageSchema } from "@/server/contract/api/compliance";
import { listFleetCompliancePage } from "@/server/services/compliance/list-fleet-compliance-page";

/** One page of hosts × rule sections, filtered, searched, sorted and summarised in SQL (holds at 20,000 hosts). */
export const listFleetCompliancePageProcedure = viewerProcedure
  .input(fleetCompliancePageInput)
  .output(fleetCompliancePageSchema)
  .query(({ input }) => listFleetCompliancePage({ input }));
