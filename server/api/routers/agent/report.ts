import { reportInput, reportOutput } from "@/server/contract/report";
import { agentProcedure } from "@/server/api/trpc";
import { storeReport } from "@/server/services/reports/store-report";

export const report = agentProcedure
  .input(reportInput)
  .output(reportOutput)
  .mutation(({ ctx, input }) => storeReport({ hostId: ctx.hostId, input }));
