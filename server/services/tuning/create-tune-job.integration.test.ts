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
let hostname: string;
let base: string;

const FIXTURE = path.resolve(import.meta.dirname, "../../../agent/fixtures/this-vm");

beforeAll(async () => {
  hostname = uniqueHostname("tune");
  const host = await enrolHost(hostname, { note: "tuning job test" });
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

  it("two concurrent applies on one host: exactly one job, the other a CONFLICT naming it; plans still run; after it ends the next is accepted", async () => {
    const create = (mode: "plan" | "apply" | "rollback", applyId?: string) =>
      operator.jobs.createTune({ hostId, mode, action: "tune.sysctl.sched_rt_runtime_us", params: {}, idempotencyKey: randomUUID(), ...(applyId ? { applyId } : {}) });
    const settled = await Promise.allSettled([create("apply"), create("apply"), create("apply"), create("apply")]);
    const ok = settled.filter((s) => s.status === "fulfilled");
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(3);
    const first = (ok[0] as PromiseFulfilledResult<{ id: string }>).value;
    for (const r of refused) {
      expect(r.reason).toMatchObject({ code: "CONFLICT" });
      expect(String((r.reason as Error).message)).toMatch(new RegExp(`^a tuning job is already running on ${hostname.replace(/[.]/g, "\\.")}: job ${first.id} \\(tune\\.sysctl\\.sched_rt_runtime_us \\(apply\\), pending\\)`));
    }
    // a rollback is a write too
    await expect(create("rollback", "20261202T000000Z-tune.sysctl.sched_rt_runtime_us-0000abcd")).rejects.toMatchObject({ code: "CONFLICT" });
    // a plan only reads: allowed beside it
    const plan = await create("plan");
    expect(plan.created).toBe(true);

    await runNext(); // the apply (oldest first)
    expect((await viewer.jobs.get({ id: first.id })).job.state).toBe("succeeded");
    await runNext(); // the plan
    const applyId = ((await viewer.jobs.get({ id: first.id })).job.result as { applyId: string }).applyId;
    const rb = await create("rollback", applyId);
    expect(rb.created).toBe(true);
    await runNext();
    expect((await viewer.jobs.get({ id: rb.id })).job).toMatchObject({ state: "succeeded", result: { mode: "rollback", ok: true } });
  });

  it("viewers cannot create tuning jobs; bad input is a 400 naming the field", async () => {
    await expect(viewer.jobs.createTune({ hostId, mode: "plan", action: "tune.governor", params: {}, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(operator.jobs.createTune({ hostId, mode: "rollback", action: "tune.governor", params: {}, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("applyId") });
    await expect(operator.jobs.createTune({ hostId, mode: "plan", action: "tune.rm-rf" as "tune.governor", params: {}, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("action") });
    await expect(operator.jobs.createTune({ hostId: randomUUID(), mode: "plan", action: "tune.governor", params: {}, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
