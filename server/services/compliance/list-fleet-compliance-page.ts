import type { FleetCompliancePage, FleetCompliancePageInput } from "@/server/contract/api/compliance";
import { listFleetCompliancePage as listPage } from "@/server/repo/fleet-compliance-page";

/** One page of the fleet compliance matrix with the summary of every matching host (holds at 20,000 hosts). */
export async function listFleetCompliancePage(opts: { input: FleetCompliancePageInput }): Promise<FleetCompliancePage> {
  return listPage(opts.input);
}
