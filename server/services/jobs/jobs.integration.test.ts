import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma } from "@/server/db";
import { closeJobListener } from "@/server/repo/job-listener";
import { agentCaller, enrolHost, signedInCaller, uniqueHostname, type Caller } from "@/server/test/callers";
import { expireJobLeases } from "@/server/services/jobs/expire-job-leases";
import { JOB_LEASE_MS } from "@/server/domain/jobs/transitions";

let operator: Caller;
let viewer: Caller;
let agent: Caller;
let hostId: string;

const migration = (key = randomUUID()) => ({
  hostId,
  vm: { by: "socket" as const, qmpSocket: "/run/test/vm1.qmp", name: "vm1" },
  uri: "tcp:127.0.0.1:4444",
  downtimeLimitMs: 10,
  idempotencyKey: key,
});

beforeAll(async () => {
  const host = await enrolHost(uniqueHostname("jobs"), { note: "jobs test" });
  hostId = host.hostId;
  agent = await agentCaller(host.hostToken);
  operator = await signedInCaller("operator");
  viewer = await signedInCaller("viewer");
});

afterAll(async () => {
  await closeJobListener();
  await disconnectPrisma();
});

describe("job queue through the API", () => {
  it("creates a pending job once per idempotency key, claims it once, runs it to the end with an audit trail", async () => {
    const key = randomUUID();
    const first = await operator.jobs.createMigration(migration(key));
    const again = await operator.jobs.createMigration(migration(key));
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, state: "pending", created: false });

    const offer = await agent.agent.jobs.next({ waitMs: 0 });
    expect(offer.job?.id).toBe(first.id);
    expect(offer.job?.kind).toBe("migrate");
    expect(offer.job?.params).toMatchObject({ qmpSocket: "/run/test/vm1.qmp", uri: "tcp:127.0.0.1:4444", downtimeLimitMs: 10, onNoConvergence: "cancel" });
    expect((await agent.agent.jobs.next({ waitMs: 0 })).job).toBeNull();

    expect((await agent.agent.jobs.start({ jobId: first.id })).state).toBe("running");
    const lease = await agent.agent.jobs.renew({ jobId: first.id, progress: { type: "progress", status: "active", pass: 1 } });
    expect(lease).toMatchObject({ state: "running", cancelRequested: false });

    const mid = await viewer.jobs.get({ id: first.id });
    expect(mid.job.progress).toMatchObject({ status: "active", pass: 1 });

    const done = await agent.agent.jobs.finish({ jobId: first.id, outcome: "succeeded", result: { type: "result", status: "completed", totalTimeMs: 31, downtimeMs: 1, verdict: "pass" } });
    expect(done.state).toBe("succeeded");
    const { job } = await viewer.jobs.get({ id: first.id });
    expect(job.state).toBe("succeeded");
    expect(job.finishedAt).not.toBeNull();
    expect(job.audit.map((a) => a.action)).toEqual(["job.create.migrate", "job.claim", "job.start", "job.succeeded"]);
    expect(job.audit[0]?.actor).toMatch(/^user:/);

    const history = await viewer.jobs.getMigrationHistory({ hostId, vm: "vm1" });
    expect(history.points.at(-1)).toMatchObject({ jobId: first.id, totalTimeMs: 31, downtimeMs: 1, verdict: "pass" });
    const listed = await viewer.jobs.list({ hostId, state: "succeeded", kind: "migrate", limit: 10 });
    expect(listed.jobs.map((j) => j.id)).toContain(first.id);
  });

  it("a waiting long-poll is woken by the insert's NOTIFY, long before its wait ends", async () => {
    const started = Date.now();
    const waiting = agent.agent.jobs.next({ waitMs: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    const created = await operator.jobs.createMigration(migration());
    const offer = await waiting;
    expect(offer.job?.id).toBe(created.id);
    expect(Date.now() - started).toBeLessThan(15_000);
    await agent.agent.jobs.finish({ jobId: created.id, outcome: "failed", reason: "test over" });
  });

  it("cancel: a pending job ends at once and is never offered; a running one is flagged for its agent", async () => {
    const pending = await operator.jobs.createMigration(migration());
    expect(await operator.jobs.cancel({ id: pending.id })).toEqual({ id: pending.id, state: "cancelled", cancelRequested: true });
    expect((await agent.agent.jobs.next({ waitMs: 0 })).job).toBeNull();

    const running = await operator.jobs.createMigration(migration());
    await agent.agent.jobs.next({ waitMs: 0 });
    await agent.agent.jobs.start({ jobId: running.id });
    expect((await operator.jobs.cancel({ id: running.id })).state).toBe("running");
    expect(await agent.agent.jobs.renew({ jobId: running.id, progress: null })).toMatchObject({ state: "running", cancelRequested: true });
    expect((await agent.agent.jobs.finish({ jobId: running.id, outcome: "cancelled", reason: "migrate_cancel" })).state).toBe("cancelled");
    await expect(operator.jobs.cancel({ id: running.id })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("an expired lease fails the job (agent lost), never re-queues it; the agent's late report is kept in the audit", async () => {
    const created = await operator.jobs.createMigration(migration());
    await agent.agent.jobs.next({ waitMs: 0 });
    await agent.agent.jobs.start({ jobId: created.id });
    // not yet expired at the lease's edge
    expect(await expireJobLeases(() => new Date(Date.now() + JOB_LEASE_MS - 2000))).toEqual([]);
    const expired = await expireJobLeases(() => new Date(Date.now() + JOB_LEASE_MS + 1000));
    expect(expired.map((e) => e.id)).toEqual([created.id]);
    expect((await agent.agent.jobs.next({ waitMs: 0 })).job).toBeNull();
    const late = await agent.agent.jobs.finish({ jobId: created.id, outcome: "failed", reason: "agent restarted; query-migrate: completed" });
    expect(late.state).toBe("failed");
    const { job } = await viewer.jobs.get({ id: created.id });
    expect(job.state).toBe("failed");
    expect(job.reason).toMatch(/agent lost/);
    expect(job.attempts).toBe(1);
    expect(job.audit.map((a) => a.action)).toEqual(["job.create.migrate", "job.claim", "job.start", "job.lease-expired", "job.late-report"]);
  });

  it("a refusal by the agent ends the job failed with the agent's reason", async () => {
    const created = await operator.jobs.createMigration(migration());
    await agent.agent.jobs.next({ waitMs: 0 });
    expect((await agent.agent.jobs.finish({ jobId: created.id, outcome: "refused", reason: "downtimeLimitMs: too big" })).state).toBe("failed");
    expect((await viewer.jobs.get({ id: created.id })).job.reason).toBe("refused by the agent: downtimeLimitMs: too big");
  });

  it("bad input is a 400 naming the field; viewers cannot create or cancel; other hosts cannot touch the job", async () => {
    await expect(operator.jobs.createMigration({ ...migration(), downtimeLimitMs: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(operator.jobs.createMigration({ ...migration(), uri: "rm -rf /" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(viewer.jobs.createMigration(migration())).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(operator.jobs.createMigration({ ...migration(), vm: { by: "pid", pid: 4242 } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const created = await operator.jobs.createMigration(migration());
    const other = await enrolHost(uniqueHostname("jobs-other"), { note: "jobs test" });
    const otherAgent = await agentCaller(other.hostToken);
    expect((await otherAgent.agent.jobs.next({ waitMs: 0 })).job).toBeNull();
    await expect(otherAgent.agent.jobs.finish({ jobId: created.id, outcome: "succeeded" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await operator.jobs.cancel({ id: created.id });
  });
});
