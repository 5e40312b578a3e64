import { agentProcedure } from "@/server/api/trpc";
import { agentJobLeaseOutput, agentRenewJobInput } from "@/server/contract/job";
import { renewAgentJob } from "@/server/services/jobs/agent-job-lease";

/** Lease renewal plus progress (the agent sends one every second); the answer carries the cancel flag. */
export const renewJob = agentProcedure
  .input(agentRenewJobInput)
  .output(agentJobLeaseOutput)
  .mutation(({ ctx, input }) => renewAgentJob(ctx.hostId, input.jobId, input.progress));
