import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentFinishJob, AgentJobOffer } from "@/server/contract/job";
import { IN_FLIGHT_FILE, JOBS_DIR, JOURNAL_FILE, JobRunner, type JobApi } from "@/agent/jobs/runner";
import { startQemuPair, type QemuPair } from "@/agent/actions/test-support/qemu";

let pair: QemuPair | null = null;
let stateDir: string | null = null;
afterEach(async () => {
  await pair?.cleanup();
  if (stateDir) await fsp.rm(stateDir, { recursive: true, force: true });
  pair = null;
  stateDir = null;
});

async function waitForJournal(file: string, event: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await fsp.readFile(file, "utf8").catch(() => "");
    if (text.split("\n").some((l) => l.includes(`"event":"${event}"`))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`journal never showed ${event}`);
}

describe("an agent killed mid-migration (real QEMU)", () => {
  it("never re-runs the job: the next start reports QEMU's own query-migrate state and fails it", { timeout: 120_000 }, async () => {
    pair = await startQemuPair();
    stateDir = await fsp.mkdtemp(path.join(os.tmpdir(), "nfvdeck-kill-"));
    const offer: AgentJobOffer = {
      id: randomUUID(),
      kind: "migrate",
      // bandwidth-starved: still migrating when the agent is killed
      params: { qmpSocket: pair.source.qmpSocket, uri: pair.uri, maxBandwidthBytesPerS: 20_000, downtimeLimitMs: 300, timeoutS: 600 },
      attempts: 1,
      leaseExpiresAt: new Date(),
      renewEveryMs: 1000,
    };
    // one process (node --import tsx), so SIGKILL kills the agent itself, as a crash would
    const child = spawn(process.execPath, ["--import", "tsx", "agent/jobs/test-support/run-job-child.ts", stateDir, JSON.stringify(offer)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const journal = path.join(stateDir, JOBS_DIR, JOURNAL_FILE);
    await waitForJournal(journal, "started", 60_000);
    // QEMU is migrating on the agent's behalf (its QMP monitor takes one client: the agent holds it)
    await new Promise((r) => setTimeout(r, 2000));
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGKILL");
    await exited;
    expect(out).not.toMatch(/finished/);
    expect(await fsp.readFile(path.join(stateDir, JOBS_DIR, IN_FLIGHT_FILE), "utf8")).toContain(offer.id);

    // the agent comes back: real catalogue, real inspectMigration
    const finished: AgentFinishJob[] = [];
    const started: string[] = [];
    const api: JobApi = {
      nextJob: async () => null,
      startJob: async (id) => {
        started.push(id);
        return { state: "running", cancelRequested: false, leaseExpiresAt: new Date() };
      },
      renewJob: async () => ({ state: "running", cancelRequested: false, leaseExpiresAt: new Date() }),
      finishJob: async (input) => {
        finished.push(input);
        return { state: "failed" };
      },
    };
    await new JobRunner({ api: async () => api, stateDir, root: "/", log: () => undefined }).recoverInterrupted(api);
    expect(started).toEqual([]);
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ jobId: offer.id, outcome: "failed" });
    expect(finished[0]?.reason).toMatch(/the agent restarted during the job .*not re-run; QEMU query-migrate reports "(active|completed)"/);
    await expect(fsp.access(path.join(stateDir, JOBS_DIR, IN_FLIGHT_FILE))).rejects.toThrow();
    const text = await fsp.readFile(journal, "utf8");
    const lines = text.trim().split("\n").map((l) => (JSON.parse(l) as { event: string }).event);
    expect(lines, text).toEqual(["received", "started", "interrupted"]);
  });
});
