/**
 * The pre-flight prediction through the API on a real PostgreSQL: jobs.createMigrationPrediction queues a
 * predict_migration job for the host's agent; the migration the operator then confirms must name a
 * succeeded prediction of the same host, VM and limits, not too old, and carries it (params.preflight) to
 * the job detail, the audit and the per-VM history.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma } from "@/server/db";
import { closeJobListener } from "@/server/repo/job-listener";
import { agentCaller, enrolHost, signedInCaller, uniqueHostname, type Caller } from "@/server/test/callers";
import { createMigrationJob } from "@/server/services/jobs/create-migration-job";
import { PREDICTION_MAX_AGE_MS } from "@/server/contract/job";
import type { PredictMigrationResult } from "@/server/contract/migration";

const MiB = 1024 * 1024;
let operator: Caller;
let viewer: Caller;
let agent: Caller;
let otherAgent: Caller;
let hostId: string;
let otherHostId: string;

const VM = { by: "socket" as const, qmpSocket: "/run/test/predict-vm.qmp", name: "predict-vm" };

const PREDICTED: PredictMigrationResult = {
  type: "prediction",
  prediction: {
    dirtyBytesPerS: 100 * MiB,
    bandwidthBytesPerS: 32 * MiB,
    downtimeLimitMs: 10,
    converges: false,
    predictedTotalMs: null,
    predictedDowntimeMs: 3125,
    message: "dirty rate 100 MiB/s vs 32 MiB/s: will not converge at 10 ms (100 MiB dirtied per 1.0 s needs ≈ 3.1 s of downtime)",
  },
  reason: null,
  sampledMs: 1260,
};

function migration(predictionJobId: string | null, overrides: Record<string, unknown> = {}) {
  return {
    hostId,
    vm: VM,
    uri: "tcp:127.0.0.1:4444",
    downtimeLimitMs: 10,
    maxBandwidthBytesPerS: 32 * MiB,
    predictionJobId,
    idempotencyKey: randomUUID(),
    ...overrides,
  };
}

/** Operator asks for a prediction; the host's agent claims it and reports `result`. */
async function predicted(result: PredictMigrationResult | null = PREDICTED, outcome: "succeeded" | "failed" = "succeeded"): Promise<string> {
  const created = await operator.jobs.createMigrationPrediction({ hostId, vm: VM, downtimeLimitMs: 10, maxBandwidthBytesPerS: 32 * MiB, idempotencyKey: randomUUID() });
  const offer = await agent.agent.jobs.next({ waitMs: 0 });
  expect(offer.job?.id).toBe(created.id);
  await agent.agent.jobs.start({ jobId: created.id });
  await agent.agent.jobs.finish({ jobId: created.id, outcome, reason: outcome === "failed" ? "source QMP: connect ENOENT" : null, result });
  return created.id;
}

beforeAll(async () => {
  const host = await enrolHost(uniqueHostname("predict"), { note: "prediction test" });
  hostId = host.hostId;
  agent = await agentCaller(host.hostToken);
  const other = await enrolHost(uniqueHostname("predict-other"), { note: "prediction test, other host" });
  otherHostId = other.hostId;
  otherAgent = await agentCaller(other.hostToken);
  operator = await signedInCaller("operator");
  viewer = await signedInCaller("viewer");
});

afterAll(async () => {
  await closeJobListener();
  await disconnectPrisma();
});

describe("pre-flight prediction of a migration", () => {
  it("is a predict_migration job the agent receives with only the socket and the two limits, audited", async () => {
    const created = await operator.jobs.createMigrationPrediction({ hostId, vm: VM, downtimeLimitMs: 10, maxBandwidthBytesPerS: 32 * MiB, idempotencyKey: randomUUID() });
    expect(created).toMatchObject({ state: "pending", created: true });
    const offer = await agent.agent.jobs.next({ waitMs: 0 });
    expect(offer.job).toMatchObject({ id: created.id, kind: "predict_migration" });
    expect(offer.job?.params).toEqual({ qmpSocket: VM.qmpSocket, downtimeLimitMs: 10, maxBandwidthBytesPerS: 32 * MiB });
    await agent.agent.jobs.start({ jobId: created.id });
    await agent.agent.jobs.finish({ jobId: created.id, outcome: "succeeded", result: PREDICTED });
    const { job } = await viewer.jobs.get({ id: created.id });
    expect(job).toMatchObject({ kind: "predict_migration", state: "succeeded", target: "predict-vm", result: PREDICTED });
    expect(job.audit.map((a) => a.action)).toEqual(["job.create.predict_migration", "job.claim", "job.start", "job.succeeded"]);
    expect((await viewer.jobs.list({ hostId, kind: "predict_migration", limit: 5 })).jobs.map((j) => j.id)).toContain(created.id);
  });

  it("the confirmed migration carries the prediction to its params, the audit and the VM's history", async () => {
    const predictionJobId = await predicted();
    const created = await operator.jobs.createMigration(migration(predictionJobId));
    const offer = await agent.agent.jobs.next({ waitMs: 0 });
    expect(offer.job?.id).toBe(created.id);
    expect(offer.job?.params.preflight).toMatchObject({ jobId: predictionJobId, prediction: PREDICTED.prediction, reason: null });
    const { job } = await viewer.jobs.get({ id: created.id });
    expect(job.audit[0]).toMatchObject({ action: "job.create.migrate", details: { predictionJobId, predicted: PREDICTED.prediction?.message } });

    await agent.agent.jobs.start({ jobId: created.id });
    await agent.agent.jobs.finish({
      jobId: created.id,
      outcome: "failed",
      reason: "did not converge",
      result: { type: "result", status: "failed", totalTimeMs: 6673, downtimeMs: null, verdict: "fail" },
    });
    const history = await viewer.jobs.getMigrationHistory({ hostId, vm: "predict-vm" });
    expect(history.points.at(-1)).toMatchObject({
      jobId: created.id,
      totalTimeMs: 6673,
      verdict: "fail",
      predicted: { converges: false, totalTimeMs: null, downtimeMs: 3125, message: PREDICTED.prediction?.message },
    });
  });

  it("a migration without a prediction (CLI, bench) still works and charts no prediction", async () => {
    const created = await operator.jobs.createMigration(migration(null));
    const offer = await agent.agent.jobs.next({ waitMs: 0 });
    expect(offer.job?.params.preflight).toBeNull();
    await agent.agent.jobs.finish({ jobId: created.id, outcome: "failed", reason: "test over" });
    const history = await viewer.jobs.getMigrationHistory({ hostId, vm: "predict-vm" });
    expect(history.points.find((p) => p.jobId === created.id)?.predicted).toBeNull();
  });

  it("a no-prediction answer (with its reason) may be confirmed and is carried as such", async () => {
    const predictionJobId = await predicted({ type: "prediction", prediction: null, reason: "the VM is not running (status paused)", sampledMs: 3 });
    const created = await operator.jobs.createMigration(migration(predictionJobId));
    const offer = await agent.agent.jobs.next({ waitMs: 0 });
    expect(offer.job?.params.preflight).toMatchObject({ jobId: predictionJobId, prediction: null, reason: "the VM is not running (status paused)" });
    await agent.agent.jobs.finish({ jobId: created.id, outcome: "failed", reason: "test over" });
  });

  it("refuses a prediction made for other limits, another VM, another host, a failed or unfinished one, or a non-prediction job", async () => {
    const predictionJobId = await predicted();
    const refused = async (input: ReturnType<typeof migration>, message: RegExp) => {
      await expect(operator.jobs.createMigration(input)).rejects.toMatchObject({ code: "BAD_REQUEST", message });
    };
    await refused(migration(predictionJobId, { downtimeLimitMs: 20 }), /^predictionJobId: the prediction was made for another VM, downtime limit or bandwidth/);
    await refused(migration(predictionJobId, { maxBandwidthBytesPerS: null }), /another VM, downtime limit or bandwidth/);
    await refused(migration(predictionJobId, { vm: { ...VM, qmpSocket: "/run/test/other-vm.qmp" } }), /another VM, downtime limit or bandwidth/);
    await refused(migration(predictionJobId, { hostId: otherHostId }), /^predictionJobId: no prediction job of this host/);
    await refused(migration(randomUUID()), /^predictionJobId: no prediction job of this host/);

    const failedId = await predicted(null, "failed");
    await refused(migration(failedId), /^predictionJobId: the prediction has not succeeded \(state failed\)/);

    const pending = await operator.jobs.createMigrationPrediction({ hostId, vm: VM, downtimeLimitMs: 10, maxBandwidthBytesPerS: 32 * MiB, idempotencyKey: randomUUID() });
    await refused(migration(pending.id), /not succeeded \(state pending\)/);
    await operator.jobs.cancel({ id: pending.id });

    const migrate = await operator.jobs.createMigration(migration(null));
    await refused(migration(migrate.id), /^predictionJobId: no prediction job of this host/);
    await operator.jobs.cancel({ id: migrate.id });
    // nothing of that reached the other host's agent
    expect((await otherAgent.agent.jobs.next({ waitMs: 0 })).job).toBeNull();
  });

  it("refuses a prediction older than the limit (clock injected): the guest's dirty rate has moved on", async () => {
    const predictionJobId = await predicted();
    const { job } = await viewer.jobs.get({ id: predictionJobId });
    const finished = job.finishedAt?.getTime() ?? 0;
    const requester = { id: job.requestedBy.id };
    const input = { ...migration(predictionJobId), capabilities: [], onNoConvergence: "cancel" as const, timeoutS: 120, destQmpSocket: null };
    await expect(createMigrationJob(requester, input, () => new Date(finished + PREDICTION_MAX_AGE_MS + 1000))).rejects.toMatchObject({
      code: "INVALID",
      message: "predictionJobId: the prediction is older than 15 min; predict again",
    });
    const fresh = await createMigrationJob(requester, input, () => new Date(finished + PREDICTION_MAX_AGE_MS - 1000));
    expect(fresh.created).toBe(true);
    await operator.jobs.cancel({ id: fresh.id });
  });

  it("viewers cannot ask for a prediction; bad input is a 400 naming the field", async () => {
    await expect(viewer.jobs.createMigrationPrediction({ hostId, vm: VM, downtimeLimitMs: 10, maxBandwidthBytesPerS: null, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(operator.jobs.createMigrationPrediction({ hostId, vm: VM, downtimeLimitMs: 0, maxBandwidthBytesPerS: null, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      operator.jobs.createMigrationPrediction({ hostId, vm: { by: "socket", qmpSocket: "relative.qmp", name: null }, downtimeLimitMs: 10, maxBandwidthBytesPerS: null, idempotencyKey: randomUUID() }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(operator.jobs.createMigrationPrediction({ hostId: randomUUID(), vm: VM, downtimeLimitMs: 10, maxBandwidthBytesPerS: null, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
