import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createAgentApi } from "@/agent/transport/client";
import { createScratchDatabase, dropDatabase } from "@/server/db-bootstrap";
import { disconnectPrisma } from "@/server/db";
import { createEnrollmentToken, enrollHost } from "@/server/repo/enrollment";
import { closeJobListener } from "@/server/repo/job-listener";
import { createUser } from "@/server/repo/users";
import { createMigrationJob } from "@/server/services/jobs/create-migration-job";
import { nearestRank } from "@/server/bench/nearest-rank";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

async function startAgentApi(databaseUrl: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "server/cli/ingest-main.ts")], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, NFVDECK_INGEST_LISTEN_PORT: "0", NFVDECK_INGEST_HOST: "127.0.0.1", NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m: unknown) => resolve((m as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`agent API exited early (${code})`)));
  });
  return { child, port };
}

/**
 * BENCH=dispatch: operator request → agent starts. The operator's request is the createMigration
 * use-case (insert + NOTIFY, as the console's tRPC mutation runs it); the agent long-polls a separate
 * agent-API process over HTTP (agent.jobs.next) and the time stops when its agent.jobs.start returns,
 * i.e. when the agent would begin the migration. Jobs one after another, so each one measures a
 * wake-up of a waiting long-poll, not a queue.
 */
export async function benchDispatch(opts: { serverUrl: string; jobs: number; log?: (line: string) => void }): Promise<void> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const name = `nfvdeck_bench_dispatch_${process.pid}`;
  const url = await createScratchDatabase(opts.serverUrl, name);
  const previousUrl = process.env.DATABASE_URL;
  await disconnectPrisma();
  process.env.DATABASE_URL = url;
  const api = await startAgentApi(url);
  try {
    const operator = await createUser({ email: `bench-op-${randomUUID()}@example.test`, name: "bench", password: "bench-password-1", role: "operator", actor: "system" });
    const { token } = await createEnrollmentToken({ createdById: null, note: "dispatch bench", ttlHours: 1 });
    const host = await enrollHost({ enrollmentToken: token, hostname: "dispatch-bench", agentVersion: "bench" });
    const agent = createAgentApi({ server: `http://127.0.0.1:${api.port}`, hostToken: host.hostToken, timeoutMs: 10_000 });

    const latencies: number[] = [];
    let requestedAt = 0;
    const waiter: { resolve: ((ms: number) => void) | null } = { resolve: null };
    let stop = false;
    const agentLoop = (async () => {
      while (!stop) {
        const job = await agent.nextJob(5000);
        if (!job) continue;
        await agent.startJob(job.id);
        const ms = performance.now() - requestedAt;
        waiter.resolve?.(ms);
        await agent.finishJob({ jobId: job.id, outcome: "succeeded", reason: null, result: { type: "bench" } });
      }
    })();
    // warm-up: the first long-poll (connection, token lookup, LISTEN)
    for (let i = 0; i < opts.jobs + 3; i++) {
      await new Promise((r) => setTimeout(r, 30)); // the agent is back in its long-poll
      const done = new Promise<number>((resolve) => (waiter.resolve = resolve));
      requestedAt = performance.now();
      await createMigrationJob(operator, {
        hostId: host.hostId,
        vm: { by: "socket", qmpSocket: "/run/bench/vm.qmp", name: "bench-vm" },
        uri: "tcp:127.0.0.1:4444",
        destQmpSocket: null,
        downtimeLimitMs: 10,
        maxBandwidthBytesPerS: null,
        capabilities: [],
        onNoConvergence: "cancel",
        timeoutS: 120,
        idempotencyKey: randomUUID(),
      });
      const ms = await done;
      if (i >= 3) latencies.push(ms);
    }
    stop = true;
    await agentLoop;
    const sorted = [...latencies].sort((a, b) => a - b);
    log(
      `dispatch bench (operator request → agent starts, ${sorted.length} jobs, LISTEN/NOTIFY long-poll): p50 ${nearestRank(sorted, 0.5).toFixed(1)} ms, p99 ${nearestRank(sorted, 0.99).toFixed(1)} ms, max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms (goal p99 < 1000 ms)`,
    );
  } finally {
    api.child.kill("SIGTERM");
    await closeJobListener();
    await disconnectPrisma();
    if (previousUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousUrl;
    await dropDatabase(opts.serverUrl, name).catch(() => undefined);
  }
}
