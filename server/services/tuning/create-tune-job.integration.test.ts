import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobRunner, type JobApi } from "@/agent/jobs/runner";
import { disconnectPrisma } from "@/server/db";
import { closeJobListener } from "@/server/repo/job-listener";
import { agentCaller, enrolHost, signedInCaller, uniqueHostname, type Caller } from "@/server/test/callers";

let operator: Caller;
let viewer: Caller;
let agent: Caller;
let hostId: string;
let base: string;

const FIXTURE = path.resolve(import.meta.dirname, "../../../agent/fixtures/this-vm");

beforeAll(async () => {
  const host = await enrolHost(uniqueHostname("tune"), { note: "tuning job test" });
  hostId = host.hostId;
  agent = await agentCaller(host.hostToken);
  operator = await signedInCaller("operator");
  viewer = await signedInCaller("viewer");
  base = mkdtempSync(path.join(os.tmpdir(), "tune-job-"));
  cpSync(FIXTURE, path.join(base, "root"), { recursive: true });
});

afterAll(async () => {
  rmSync(base, { recursive: true, force: true });
  await closeJobListener();
  await disconnectPrisma();
});

/** The agent side through the real agent procedures. */
function api(): JobApi {
  return {
    nextJob: async (waitMs) => (await agent.agent.jobs.next({ waitMs })).job,
    startJob: (jobId) => agent.agent.jobs.start({ jobId }),
    renewJob: (jobId, progress) => agent.agent.jobs.renew({ jobId, progress }),
    finishJob: (input) => agent.agent.jobs.finish(input),
  };
}

async function runNext(): Promise<void> {
  const a = api();
  const offer = await a.nextJob(0);
  if (!offer) throw new Error("no job offered");
  await new JobRunner({ api: async () => a, stateDir: path.join(base, "state"), root: path.join(base, "root") }).handle(a, offer);
}

describe("tuning jobs (jobs.createTune → agent runner → runTune)", () => {
  it("plan, apply, verify and rollback of runtime.sched-rt-runtime's fix run on the agent; results and audit land in the job", async () => {
    const proc = path.join(base, "root/proc/sys/kernel/sched_rt_runtime_us");
    const before = readFileSync(proc, "utf8");
    const create = (mode: "plan" | "apply" | "verify" | "rollback", applyId?: string) =>
      operator.jobs.createTune({ hostId, mode, action: "tune.sysctl.sched_rt_runtime_us", params: {}, ruleId: "runtime.sched-rt-runtime", idempotencyKey: randomUUID(), ...(applyId ? { applyId } : {}) });

    const plan = await create("plan");
    await runNext();
    const planJob = (await viewer.jobs.get({ id: plan.id })).job;
    expect(planJob.state).toBe("succeeded");
    expect(planJob.result).toMatchObject({ mode: "plan", ok: true, changes: [{ path: "/proc/sys/kernel/sched_rt_runtime_us", current: before, target: "-1\n" }, { path: "/etc/sysctl.d/99-nfvdeck.conf", current: null }] });
    expect(readFileSync(proc, "utf8")).toBe(before);

    const apply = await create("apply");
    await runNext();
    const applyJob = (await viewer.jobs.get({ id: apply.id })).job;
    expect(applyJob.state).toBe("succeeded");
    const applyId = (applyJob.result as { applyId: string }).applyId;
    expect(applyId).toMatch(/tune\.sysctl\.sched_rt_runtime_us/);
    expect(readFileSync(proc, "utf8")).toBe("-1\n");

    await create("verify");
    await runNext();

    const rb = await create("rollback", applyId);
    await runNext();
    expect((await viewer.jobs.get({ id: rb.id })).job).toMatchObject({ state: "succeeded", result: { mode: "rollback", ok: true } });
    expect(readFileSync(proc, "utf8")).toBe(before);
  });

  it("viewers cannot create tuning jobs; bad input is a 400 naming the field", async () => {
    await expect(viewer.jobs.createTune({ hostId, mode: "plan", action: "tune.governor", params: {}, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(operator.jobs.createTune({ hostId, mode: "rollback", action: "tune.governor", params: {}, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("applyId") });
    await expect(operator.jobs.createTune({ hostId, mode: "plan", action: "tune.rm-rf" as "tune.governor", params: {}, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("action") });
    await expect(operator.jobs.createTune({ hostId: randomUUID(), mode: "plan", action: "tune.governor", params: {}, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
