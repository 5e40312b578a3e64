import { agentProcedure } from "@/server/api/trpc";
import { agentFinishJobInput, agentFinishJobOutput } from "@/server/contract/job";
import { finishAgentJob } from "@/server/services/jobs/finish-agent-job";

export const finishJob = agentProcedure
  .input(agentFinishJobInput)
  .output(agentFinishJobOutput)
  .mutation(({ ctx, input }) => finishAgentJob(ctx.hostId, input));
