import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { AgentFinishJob, AgentJobLease, AgentJobOffer, JobJson } from "@/server/contract/job";
import { agentMigrateParamsSchema, catalogueEntry, JOB_CATALOGUE, type CatalogueEntry } from "@/agent/jobs/catalogue";
import { IN_FLIGHT_FILE, JOBS_DIR, JOURNAL_FILE, JobRunner, type JobApi } from "@/agent/jobs/runner";

/** An in-memory agent port: offers the queued jobs, records every call. */
class FakeApi implements JobApi {
  queue: AgentJobOffer[] = [];
  finished: AgentFinishJob[] = [];
  started: string[] = [];
  renewals: { jobId: string; progress: JobJson | null }[] = [];
  cancel = new Set<string>();
  onFinish: (() => void) | null = null;
  async nextJob(waitMs: number, signal?: AbortSignal): Promise<AgentJobOffer | null> {
    const job = this.queue.shift();
    if (job) return job;
    await new Promise<void>((r) => {
      const t = setTimeout(r, Math.min(waitMs, 50));
      signal?.addEventListener("abort", () => (clearTimeout(t), r()), { once: true });
    });
    return null;
  }
  async startJob(jobId: string): Promise<AgentJobLease> {
    this.started.push(jobId);
    return { state: "running", cancelRequested: this.cancel.has(jobId), leaseExpiresAt: new Date() };
  }
  async renewJob(jobId: string, progress: JobJson | null): Promise<AgentJobLease> {
    this.renewals.push({ jobId, progress });
    return { state: "running", cancelRequested: this.cancel.has(jobId), leaseExpiresAt: new Date() };
  }
  async finishJob(input: AgentFinishJob) {
    this.finished.push(input);
    this.onFinish?.();
    return { state: input.outcome === "refused" ? ("failed" as const) : input.outcome };
  }
}

const offer = (kind: string, params: JobJson): AgentJobOffer => ({
  id: randomUUID(),
  kind,
  params,
  attempts: 1,
  leaseExpiresAt: new Date(),
  renewEveryMs: 100,
});

const goodMigrate = { qmpSocket: "/run/vm1.qmp", uri: "tcp:127.0.0.1:4444", downtimeLimitMs: 10 };

let stateDir: string;
let runs: { params: unknown; signal: AbortSignal }[];
let inspected: unknown[];

/** A migrate action with the real schema whose run only records that it ran (and honours the signal). */
function spyCatalogue(behaviour: "succeed" | "wait-for-abort" = "succeed"): Record<string, CatalogueEntry> {
  return {
    migrate: catalogueEntry({
      params: agentMigrateParamsSchema,
      describe: (p) => `migrate ${p.qmpSocket}`,
      run: async (p, ctx) => {
        runs.push({ params: p, signal: ctx.signal });
        ctx.onProgress({ type: "progress", status: "active", pass: 1 });
        if (behaviour === "wait-for-abort") {
          await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
          return { outcome: "cancelled", reason: "migrate_cancel sent; VM running on the source", result: { type: "result", status: "cancelled" } };
        }
        return { outcome: "succeeded", reason: null, result: { type: "result", status: "completed" } };
      },
      inspectAfterRestart: async (p) => {
        inspected.push(p);
        return `QEMU query-migrate reports "active"`;
      },
    }),
  };
}

async function journal(): Promise<Record<string, unknown>[]> {
  const text = await fsp.readFile(path.join(stateDir, JOBS_DIR, JOURNAL_FILE), "utf8");
  return text.trim().split("\n").map((l) => z.record(z.string(), z.unknown()).parse(JSON.parse(l)));
}

beforeEach(async () => {
  stateDir = await fsp.mkdtemp(path.join(os.tmpdir(), "nfvdeck-runner-"));
  runs = [];
  inspected = [];
});
afterEach(async () => {
  await fsp.rm(stateDir, { recursive: true, force: true });
});

function runner(api: FakeApi, catalogue?: Record<string, CatalogueEntry>) {
  return new JobRunner({ api: async () => api, stateDir, root: "/", catalogue, log: () => undefined });
}

describe("agent job runner", () => {
  it("refuses a job whose action is not in its catalogue; nothing runs, the journal says why", async () => {
    const api = new FakeApi();
    const job = offer("shell", { cmd: "rm -rf /" });
    await runner(api, spyCatalogue()).handle(api, job);
    expect(runs).toEqual([]);
    expect(api.started).toEqual([]);
    expect(api.finished).toEqual([{ jobId: job.id, outcome: "refused", reason: 'unknown action "shell": not in this agent\'s catalogue', result: null }]);
    expect((await journal()).map((l) => [l.jobId, l.event])).toEqual([
      [job.id, "received"],
      [job.id, "refused"],
    ]);
  });

  it("a prototype key as the kind is not an action either", async () => {
    const api = new FakeApi();
    await runner(api, spyCatalogue()).handle(api, offer("constructor", {}));
    expect(api.finished[0]?.outcome).toBe("refused");
  });

  it.each([
    ["downtime limit out of range", { ...goodMigrate, downtimeLimitMs: 60_001 }, /downtimeLimitMs/],
    ["exec: URI (QEMU would run a shell command)", { ...goodMigrate, uri: "exec:sh -c 'touch /tmp/pwned'" }, /uri/],
    ["relative socket path", { ...goodMigrate, qmpSocket: "../vm1.qmp" }, /qmpSocket/],
    ["unknown parameter", { ...goodMigrate, shell: "true" }, /shell|Unrecognized/i],
    ["unknown capability", { ...goodMigrate, capabilities: ["x-ignore-shared"] }, /capabilities/],
  ])("refuses out-of-range or unexpected parameters: %s", async (_label, params, field) => {
    const api = new FakeApi();
    const job = offer("migrate", params);
    await runner(api, spyCatalogue()).handle(api, job);
    expect(runs).toEqual([]);
    expect(api.started).toEqual([]);
    expect(api.finished).toHaveLength(1);
    expect(api.finished[0]?.outcome).toBe("refused");
    expect(api.finished[0]?.reason).toMatch(/^invalid parameters: /);
    expect(api.finished[0]?.reason).toMatch(field);
  });

  it("the real catalogue refuses the same way (its tune action checks the action id)", async () => {
    const api = new FakeApi();
    await runner(api, JOB_CATALOGUE).handle(api, offer("tune", { mode: "apply", action: "run-anything", params: {} }));
    await runner(api, JOB_CATALOGUE).handle(api, offer("migrate", { ...goodMigrate, timeoutS: 0 }));
    expect(api.finished.map((f) => f.outcome)).toEqual(["refused", "refused"]);
    expect(api.started).toEqual([]);
  });

  it("runs an accepted job: marker on disk before start, progress streamed, outcome posted, marker removed", async () => {
    const api = new FakeApi();
    const job = offer("migrate", goodMigrate);
    let markerAtStart: string | null = null;
    const start = api.startJob.bind(api);
    api.startJob = async (id) => {
      markerAtStart = await fsp.readFile(path.join(stateDir, JOBS_DIR, IN_FLIGHT_FILE), "utf8");
      return start(id);
    };
    await runner(api, spyCatalogue()).handle(api, job);
    expect(markerAtStart).toContain(job.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.params).toMatchObject({ ...goodMigrate, onNoConvergence: "cancel", timeoutS: 120 });
    expect(api.renewals.some((r) => r.progress?.status === "active")).toBe(true);
    expect(api.finished).toEqual([{ jobId: job.id, outcome: "succeeded", reason: null, result: { type: "result", status: "completed" } }]);
    await expect(fsp.access(path.join(stateDir, JOBS_DIR, IN_FLIGHT_FILE))).rejects.toThrow();
    expect((await journal()).map((l) => l.event)).toEqual(["received", "started", "finished"]);
  });

  it("a cancel seen on lease renewal aborts the running action", async () => {
    const api = new FakeApi();
    const job = offer("migrate", goodMigrate);
    setTimeout(() => api.cancel.add(job.id), 150);
    await runner(api, spyCatalogue("wait-for-abort")).handle(api, job);
    expect(runs[0]?.signal.aborted).toBe(true);
    expect(api.finished[0]).toMatchObject({ jobId: job.id, outcome: "cancelled" });
    expect((await journal()).map((l) => l.event)).toEqual(["received", "started", "abort", "finished"]);
  });

  it("after a restart it reports a job it had started as failed, with what it finds, and never runs it again", async () => {
    const api = new FakeApi();
    const job = offer("migrate", goodMigrate);
    await fsp.mkdir(path.join(stateDir, JOBS_DIR), { recursive: true });
    await fsp.writeFile(
      path.join(stateDir, JOBS_DIR, IN_FLIGHT_FILE),
      JSON.stringify({ jobId: job.id, kind: "migrate", params: goodMigrate, startedAt: "2026-01-01T00:00:00.000Z" }),
    );
    const r = runner(api, spyCatalogue());
    const done = new Promise<void>((resolve) => (api.onFinish = resolve));
    r.start();
    await done;
    await r.stop();
    expect(runs).toEqual([]);
    expect(inspected).toHaveLength(1);
    expect(api.finished).toHaveLength(1);
    expect(api.finished[0]).toMatchObject({ jobId: job.id, outcome: "failed" });
    expect(api.finished[0]?.reason).toMatch(/restarted during the job .*not re-run.*query-migrate reports "active"/);
    await expect(fsp.access(path.join(stateDir, JOBS_DIR, IN_FLIGHT_FILE))).rejects.toThrow();
  });
});
