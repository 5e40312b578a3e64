import { agentProcedure } from "@/server/api/trpc";
import { agentJobLeaseOutput, agentStartJobInput } from "@/server/contract/job";
import { startAgentJob } from "@/server/services/jobs/agent-job-lease";

export const startJob = agentProcedure
  .input(agentStartJobInput)
  .output(agentJobLeaseOutput)
  .mutation(({ ctx, input }) => startAgentJob(ctx.hostId, input.jobId));
