import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentApi, type AgentApi } from "@/agent/transport/client";
import { disconnectPrisma } from "@/server/db";
import { closeJobListener } from "@/server/repo/job-listener";
import { enrolHost, signedInCaller, uniqueHostname, type Caller } from "@/server/test/callers";

/** A real agent-API process (server/cli/ingest-main.ts) on a free port, on this run's database. */
async function startAgentApi(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("server/cli/ingest-main.ts")], {
    env: { ...process.env, NFVDECK_INGEST_LISTEN_PORT: "0", NFVDECK_INGEST_HOST: "127.0.0.1", NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (process.env.NFVDECK_TEST_VERBOSE) process.stderr.write(d);
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`agent API exited (${code}): ${stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

const HOSTS = 4;
const JOBS_PER_HOST = 30;
const POLLERS_PER_HOST_PER_SERVER = 2;

let servers: { url: string; child: ChildProcess }[] = [];
let operator: Caller;

beforeAll(async () => {
  servers = await Promise.all([startAgentApi(), startAgentApi()]);
  operator = await signedInCaller("operator");
}, 120_000);

afterAll(async () => {
  for (const s of servers) s.child.kill("SIGTERM");
  await closeJobListener();
  await disconnectPrisma();
});

describe("two agent-API processes on one database", () => {
  it("every job is claimed exactly once, by agents long-polling both processes", async () => {
    const hosts = await Promise.all(Array.from({ length: HOSTS }, (_, i) => enrolHost(uniqueHostname(`two-proc-${i}`), { note: "two-process test" })));
    const claims = new Map<string, string[]>(); // job id → who claimed it
    const created = new Set<string>();
    let stop = false;

    // Pollers first, so most jobs are dispatched by NOTIFY to a waiting long-poll, the rest by the immediate claim.
    const pollers: Promise<void>[] = [];
    for (const host of hosts) {
      for (const [si, server] of servers.entries()) {
        for (let p = 0; p < POLLERS_PER_HOST_PER_SERVER; p++) {
          const api: AgentApi = createAgentApi({ server: server.url, hostToken: host.hostToken, timeoutMs: 10_000 });
          const who = `server${si}/poller${p}`;
          pollers.push(
            (async () => {
              while (!stop) {
                const job = await api.nextJob(1500);
                if (!job) continue;
                claims.set(job.id, [...(claims.get(job.id) ?? []), who]);
                await api.startJob(job.id);
                await api.finishJob({ jobId: job.id, outcome: "succeeded", reason: null, result: { type: "result", status: "completed" } });
              }
            })(),
          );
        }
      }
    }
    try {
      await new Promise((r) => setTimeout(r, 500));
      // operators requesting at once: one request per host at a time, all hosts in parallel
      await Promise.all(
        hosts.map(async (host) => {
          for (let j = 0; j < JOBS_PER_HOST; j++) {
            const job = await operator.jobs.createMigration({
              hostId: host.hostId,
              vm: { by: "socket", qmpSocket: `/run/two-proc/vm${j}.qmp`, name: `vm${j}` },
              uri: "tcp:127.0.0.1:4444",
              idempotencyKey: randomUUID(),
            });
            created.add(job.id);
          }
        }),
      );
      const deadline = Date.now() + 60_000;
      while (claims.size < created.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      stop = true;
      await Promise.all(pollers);
    }

    expect(created.size).toBe(HOSTS * JOBS_PER_HOST);
    expect(new Set(claims.keys())).toEqual(created);
    const twice = [...claims].filter(([, who]) => who.length !== 1);
    expect(twice).toEqual([]);
    // both processes did dispatch work
    const byServer = new Set([...claims.values()].map((w) => w[0]?.split("/")[0]));
    expect(byServer).toEqual(new Set(["server0", "server1"]));
    const listed = await operator.jobs.list({ state: "succeeded", limit: 500 });
    const mine = listed.jobs.filter((j) => created.has(j.id));
    expect(mine).toHaveLength(created.size);
    expect(mine.every((j) => j.attempts === 1)).toBe(true);
  }, 120_000);
});
