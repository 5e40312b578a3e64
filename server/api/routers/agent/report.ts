import { reportInput, reportOutput } from "@/server/contract/report";
import { agentProcedure } from "@/server/api/trpc";
import { ingestReportAndConfigure } from "@/server/repo/ingest";

export const report = agentProcedure
  .input(reportInput)
  .output(reportOutput)
  .mutation(({ ctx, input }) => ingestReportAndConfigure(ctx.hostId, input));
