import { viewerProcedure } from "@/server/api/trpc";
import { fleetReportPageInput, fleetReportPageOutput } from "@/server/contract/api/latency";
import { getFleetReportPage as getFleetReportPageService } from "@/server/services/latency/get-fleet-report-page";

/** One page of the fleet latency report: searched, filtered by SLO, sorted and counted in SQL (holds at 20,000 hosts). */
export const getFleetReportPage = viewerProcedure
  .input(fleetReportPageInput)
  .output(fleetReportPageOutput)
  .query(({ input }) => getFleetReportPageService({ input }));
