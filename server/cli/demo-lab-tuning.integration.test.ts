import type http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createIngestServer } from "@/server/ingest-server";
import { closeJobListener } from "@/server/repo/job-listener";
import { runDemoLabHeartbeats, seedDemoLab, type SeedDemoLabResult } from "@/server/cli/demo-lab";
import { signedInCaller, type Caller } from "@/server/test/callers";

vi.setConfig({ testTimeout: 120_000 });

let server: http.Server;
let lab: SeedDemoLabResult;
let beats: ReturnType<typeof runDemoLabHeartbeats>;
let operator: Caller;
let stateDir: string;
const HOST = "nfvi-bj-c05"; // rt-throttling: kernel.sched_rt_runtime_us = 950000

beforeAll(async () => {
  server = createIngestServer({ maxBodyBytes: 8 * 1024 * 1024 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const ingestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // no demo VNFs: demo-lab.integration.test.ts seeds them in the same database (names are unique)
  lab = await seedDemoLab({ ingestUrl, days: 1, only: [HOST], vnfs: false });
  stateDir = mkdtempSync(path.join(os.tmpdir(), "demo-lab-agents-"));
  // heartbeats every second; a 5-second cyclictest run right after each change; short job polls
  beats = runDemoLabHeartbeats({ ingestUrl, hosts: lab.hosts, everySeconds: 1, stateDir, afterChangeRunS: 5, jobPollWaitMs: 2000, latencyEveryMinutes: 60 });
  await beats.ready;
  operator = await signedInCaller("operator");
}, 120_000);

afterAll(async () => {
  await beats?.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await closeJobListener();
  rmSync(stateDir, { recursive: true, force: true });
});

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const ruleStatus = async (hostId: string) => (await operator.compliance.getHostCompliance({ hostId })).result?.findings.find((f) => f.ruleId === "runtime.sched-rt-runtime")?.status;

describe("the demo lab takes tuning jobs (simulated agents run the real tune actions)", () => {
  it("fix runtime.sched-rt-runtime on a demo host: the job succeeds, the next report passes the rule, the next run has the tuned shape; rollback fails it again", async () => {
    const host = lab.hosts.find((h) => h.hostname === HOST);
    if (!host) throw new Error(`${HOST} not seeded`);
    expect(await ruleStatus(host.hostId)).toBe("fail");
    const job = async (mode: "plan" | "apply" | "rollback", applyId?: string) => {
      const { id } = await operator.jobs.createTune({ hostId: host.hostId, mode, action: "tune.sysctl.sched_rt_runtime_us", params: {}, idempotencyKey: randomUUID(), ...(applyId ? { applyId } : {}) });
      return until(`${mode} job ${id}`, async () => {
        const j = (await operator.jobs.get({ id })).job;
        return j.state === "succeeded" || j.state === "failed" || j.state === "cancelled" ? j : null;
      });
    };
    const plan = await job("plan");
    expect(plan.state).toBe("succeeded");
    expect(plan.result).toMatchObject({ mode: "plan", changes: [{ path: "/proc/sys/kernel/sched_rt_runtime_us", current: "950000\n", target: "-1\n" }, { path: "/etc/sysctl.d/99-nfvdeck.conf", current: null }] });

    const apply = await job("apply");
    expect(apply.state).toBe("succeeded");
    const applyId = (apply.result as { applyId: string }).applyId;
    await until("the rule to pass after the next report", async () => (await ruleStatus(host.hostId)) === "pass");

    // the run started right after the change follows the tuned shape; the day before it did not
    const changedAt = apply.finishedAt as Date;
    const after = await until("a latency run after the change", async () => {
      const s = await operator.latency.getHostStats({ hostId: host.hostId, window: { from: changedAt, to: new Date(Date.now() + 60_000) } });
      return s.stats.cycles > 0 ? s : null;
    });
    const before = await operator.latency.getHostStats({ hostId: host.hostId, window: { from: new Date(changedAt.getTime() - 86_400_000), to: apply.startedAt as Date } });
    console.log(`${HOST} before: max ${before.stats.max} µs p99.999 ${before.stats.percentiles["99.999"]} µs over ${before.stats.cycles} (SLO ${before.slo.status}); after: max ${after.stats.max} µs p99.999 ${after.stats.percentiles["99.999"]} µs over ${after.stats.cycles} (SLO ${after.slo.status})`);
    expect(before.slo.status).toBe("fail");
    expect(after.slo.status).toBe("pass");
    expect(after.stats.max as number).toBeLessThanOrEqual(20);
    expect(before.stats.max as number).toBeGreaterThan(100);

    // the tuning result's before/after (the console's view of the same windows) and the drift entry tied to the job
    const tl = await until("the tuning latency with a run after", async () => {
      const r = await operator.jobs.tuneLatency({ jobId: apply.id });
      return r && r.after.cycles > 0 ? r : null;
    });
    expect(tl).toMatchObject({ jobId: apply.id, mode: "apply", action: "tune.sysctl.sched_rt_runtime_us", before: { slo: { status: "fail" } }, after: { slo: { status: "pass" } } });
    expect(tl.before.to).toEqual(apply.startedAt);
    expect(tl.after.from).toEqual(apply.finishedAt);
    expect(tl.before.maxUs).toBe(before.stats.max);
    expect(await operator.jobs.tuneLatency({ jobId: plan.id })).toBeNull(); // a plan changes nothing
    const drift = await operator.compliance.getDriftHistory({ hostId: host.hostId, limit: 300 });
    const tiedEntry = drift.entries.find((e) => e.tuning?.jobId === apply.id);
    expect(tiedEntry?.ruleChanges).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: "runtime.sched-rt-runtime", oldStatus: "fail", newStatus: "pass" })]));
    expect(tiedEntry?.tuning?.after.slo.status).toBe("pass");

    const rb = await job("rollback", applyId);
    expect(rb.state).toBe("succeeded");
    expect(rb.result).toMatchObject({ mode: "rollback", ok: true, restored: [{ path: "/proc/sys/kernel/sched_rt_runtime_us", to: "previous" }, { path: "/etc/sysctl.d/99-nfvdeck.conf", to: "removed" }] });
    await until("the rule to fail again after the rollback's report", async () => (await ruleStatus(host.hostId)) === "fail");
    // and the run after the rollback has the throttled tail again (≈ 40 tail samples of 100,000, Pareto from 11 µs)
    const afterRollback = await until("a latency run after the rollback", async () => {
      const s = await operator.latency.getHostStats({ hostId: host.hostId, window: { from: rb.finishedAt as Date, to: new Date(Date.now() + 60_000) } });
      return s.stats.cycles > 0 ? s : null;
    });
    console.log(`${HOST} after rollback: max ${afterRollback.stats.max} µs over ${afterRollback.stats.cycles} (SLO ${afterRollback.slo.status})`);
    expect(afterRollback.slo.status).toBe("fail");
    // the apply's "after" window now ends where the rollback began; the rollback has its own pair
    const applyAgain = await operator.jobs.tuneLatency({ jobId: apply.id });
    expect(applyAgain?.after.to).toEqual(rb.startedAt);
    const rbLatency = await operator.jobs.tuneLatency({ jobId: rb.id });
    expect(rbLatency).toMatchObject({ mode: "rollback", before: { from: apply.finishedAt, slo: { status: "pass" } }, after: { slo: { status: "fail" } } });
    const drift2 = await operator.compliance.getDriftHistory({ hostId: host.hostId, limit: 300 });
    expect(drift2.entries.find((e) => e.tuning?.jobId === rb.id)?.ruleChanges).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: "runtime.sched-rt-runtime", newStatus: "fail" })]));
  });
});
