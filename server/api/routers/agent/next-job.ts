import { agentProcedure } from "@/server/api/trpc";
import { agentNextJobInput, agentNextJobOutput } from "@/server/contract/job";
import { claimNextJob } from "@/server/services/jobs/claim-next-job";

/** Long-poll: the host's next job, claimed for it, as soon as one is queued (LISTEN/NOTIFY), or null after waitMs. */
export const nextJob = agentProcedure
  .input(agentNextJobInput)
  .output(agentNextJobOutput)
  .mutation(async ({ ctx, input, signal }) => ({ job: await claimNextJob(ctx.hostId, input.waitMs, signal) }));
