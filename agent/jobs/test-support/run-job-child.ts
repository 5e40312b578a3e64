/**
 * Test helper: an agent process that runs ONE job (given as JSON in argv) with the real JobRunner and
 * catalogue against an in-memory agent port that never cancels. The kill test SIGKILLs it mid-job.
 * usage: tsx agent/jobs/test-support/run-job-child.ts STATE_DIR OFFER_JSON
 */
import type { AgentJobOffer } from "@/server/contract/job";
import { JobRunner, type JobApi } from "@/agent/jobs/runner";

const [stateDir, offerJson] = process.argv.slice(2);
if (!stateDir || !offerJson) throw new Error("usage: run-job-child.ts STATE_DIR OFFER_JSON");
const parsed = JSON.parse(offerJson) as Omit<AgentJobOffer, "leaseExpiresAt"> & { leaseExpiresAt: string };
const offer: AgentJobOffer = { ...parsed, leaseExpiresAt: new Date(parsed.leaseExpiresAt) };
const lease = { state: "running" as const, cancelRequested: false, leaseExpiresAt: new Date() };
const api: JobApi = {
  nextJob: async () => null,
  startJob: async () => lease,
  renewJob: async () => lease,
  finishJob: async (input) => {
    process.stdout.write(`finished ${input.outcome}\n`);
    return { state: "succeeded" };
  },
};
await new JobRunner({ api: async () => api, stateDir, root: "/", log: () => undefined }).handle(api, offer);
