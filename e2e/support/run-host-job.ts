/**
 * Plays a host's agent for one job in e2e: `tsx e2e/support/run-host-job.ts --host ID --root DIR --state DIR`
 * (DATABASE_URL set). Claims the host's next job through the same services the agent procedures call and
 * runs it with the agent's real JobRunner and catalogue (a tune job → runTune on the tree at --root).
 * Prints the job's id and final state; exit 1 when there was no job.
 */
import { parseArgs } from "node:util";
import { JobRunner, type JobApi } from "@/agent/jobs/runner";
import { disconnectPrisma } from "@/server/db";
import { closeJobListener } from "@/server/repo/job-listener";
import { claimNextJob } from "@/server/services/jobs/claim-next-job";
import { renewAgentJob, startAgentJob } from "@/server/services/jobs/agent-job-lease";
import { finishAgentJob } from "@/server/services/jobs/finish-agent-job";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { host: { type: "string" }, root: { type: "string" }, state: { type: "string" } } });
  if (!values.host || !values.root || !values.state) throw new Error("--host, --root and --state are required");
  const hostId = values.host;
  let finished: string | null = null;
  const api: JobApi = {
    nextJob: (waitMs, signal) => claimNextJob(hostId, waitMs, signal),
    startJob: (jobId) => startAgentJob(hostId, jobId),
    renewJob: (jobId, progress) => renewAgentJob(hostId, jobId, progress),
    finishJob: async (input) => {
      const r = await finishAgentJob(hostId, input);
      finished = `${input.jobId} ${r.state}`;
      return r;
    },
  };
  const offer = await api.nextJob(5000);
  if (!offer) {
    process.stderr.write("no job for this host\n");
    return 1;
  }
  await new JobRunner({ api: async () => api, stateDir: values.state, root: values.root }).handle(api, offer);
  process.stdout.write(`${finished ?? `${offer.id} not finished`}\n`);
  return 0;
}

main()
  .then(async (code) => {
    await closeJobListener();
    await disconnectPrisma();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    process.stderr.write(`run-host-job failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
