import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import superjson from "superjson";
import type { ReportPayload } from "@/server/contract/report";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

type Scenario = { name: string; ok: number; errors: number; seconds: number; latenciesMs: number[] };

export type IngestBenchOptions = {
  databaseUrl: string;
  hosts: number;
  concurrency: number;
  seconds: number;
  log?: (line: string) => void;
};

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function startIngestProcess(databaseUrl: string): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_PROFILE=DIR writes a V8 CPU profile of the ingest process there.
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", path.join(repoRoot, "server/cli/ingest-main.ts")], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      NFVDECK_INGEST_LISTEN_PORT: "0",
      NFVDECK_INGEST_HOST: "127.0.0.1",
      NODE_ENV: "production",
      // serves system.pingPost, the no-op POST the bench compares agent.report with
      NFVDECK_BENCH_ENDPOINTS: "1",
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m: unknown) => {
      const msg = m as { port?: number };
      if (typeof msg.port === "number") resolve(msg.port);
    });
    child.once("exit", (code) => reject(new Error(`ingest process exited early (${code})`)));
  });
  return { child, port };
}

/** Creates `n` enrolled hosts straight in the database (setup only; the bench measures the API). */
async function createHosts(databaseUrl: string, n: number): Promise<{ id: string; token: string }[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const hosts = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    token: `nfvh_${randomBytes(32).toString("base64url")}`,
    hostname: `bench-${String(i).padStart(5, "0")}`,
  }));
  try {
    for (let i = 0; i < hosts.length; i += 500) {
      const chunk = hosts.slice(i, i + 500);
      await client.query(
        `insert into "Host" (id, hostname, "tokenHash") select * from unnest($1::uuid[], $2::text[], $3::text[])`,
        [chunk.map((h) => h.id), chunk.map((h) => h.hostname), chunk.map((h) => createHash("sha256").update(h.token).digest("hex"))],
      );
    }
  } finally {
    await client.end();
  }
  return hosts.map(({ id, token }) => ({ id, token }));
}

function request(agent: http.Agent, port: number, opts: { method: string; path: string; body?: string; token?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(opts.body));
    }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = http.request({ host: "127.0.0.1", port, method: opts.method, path: opts.path, agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

async function runLoad(name: string, concurrency: number, seconds: number, op: (worker: number, i: number) => Promise<boolean | "stop">): Promise<Scenario> {
  const deadline = performance.now() + seconds * 1000;
  const latenciesMs: number[] = [];
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        const good = await op(worker, i).catch((e: unknown) => {
          firstError ??= e instanceof Error ? e.message : String(e);
          return false;
        });
        if (good === "stop") break;
        latenciesMs.push(performance.now() - t0);
        if (good) ok++;
        else errors++;
      }
    }),
  );
  if (firstError) console.log(`${name}: ${errors} errors, first: ${firstError}`);
  return { name, ok, errors, seconds: (performance.now() - start) / 1000, latenciesMs };
}

function heartbeat(host: { id: string }, sequence: number): ReportPayload {
  return {
    hostId: host.id,
    idempotencyKey: `${host.id}:${sequence}`,
    sequence,
    collectedAt: new Date().toISOString(),
    agentVersion: "bench",
    hostname: `bench-${host.id.slice(0, 8)}`,
    heartbeat: { uptimeS: 1000 + sequence, loadavg: [0.1, 0.2, 0.3] },
  };
}

/** The same rows agent.report writes for a heartbeat, through raw pg in batches: the database's ceiling. */
async function rawPgBatch(databaseUrl: string, hosts: { id: string }[], concurrency: number, seconds: number, batch: number): Promise<Scenario> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency });
  const seq = new Map<string, number>();
  let cursor = 0;
  try {
    const s = await runLoad("raw pg batch insert", concurrency, seconds, async () => {
      const picked: { id: string; n: number }[] = [];
      for (let k = 0; k < batch; k++) {
        const h = hosts[cursor++ % hosts.length];
        if (!h) continue;
        const n = (seq.get(h.id) ?? 1_000_000) + 1;
        seq.set(h.id, n);
        picked.push({ id: h.id, n });
      }
      // Same lock order in every batch, as the server's batcher does: no deadlocks.
      picked.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const ids = picked.map((p) => p.id);
      const keys = picked.map((p) => `${p.id}:${p.n}`);
      const seqs = picked.map((p) => p.n);
      const client = await pool.connect();
      // The same retry the server's batcher has: concurrent batches sharing hosts may deadlock.
      for (let attempt = 1; ; attempt++) {
      try {
        await client.query("begin");
        await client.query(
          `insert into "Report" ("hostId","idempotencyKey",sequence,"collectedAt","receivedAt")
           select h, k, s, now(), now() from unnest($1::uuid[], $2::text[], $3::bigint[]) as t(h, k, s)
           on conflict do nothing`,
          [ids, keys, seqs],
        );
        await client.query(
          `update "Host" set "lastSeenAt" = now(), "lastSequence" = t.s, "agentVersion" = 'bench'
           from unnest($1::uuid[], $2::bigint[]) as t(h, s) where "Host".id = t.h`,
          [ids, seqs],
        );
        await client.query("commit");
        break;
      } catch (e) {
        await client.query("rollback").catch(() => undefined);
        if (attempt >= 4 || !/deadlock/.test(String(e))) {
          client.release();
          throw e;
        }
      }
      }
      client.release();
      return true;
    });
    // One batch = `batch` reports: express it as reports/s.
    return { ...s, ok: s.ok * batch };
  } finally {
    await pool.end();
  }
}

/** utime + stime of a process, in ms (Linux /proc). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

async function measured(pid: number | undefined, run: () => Promise<Scenario>): Promise<Scenario & { serverCpuUsPerReq: number }> {
  const before = cpuMs(pid);
  const s = await run();
  return { ...s, serverCpuUsPerReq: ((cpuMs(pid) - before) * 1000) / Math.max(1, s.ok) };
}

function summarise(s: Scenario & { serverCpuUsPerReq?: number }) {
  const sorted = [...s.latenciesMs].sort((a, b) => a - b);
  return {
    scenario: s.name,
    "req/s": Math.round(s.ok / s.seconds),
    "p50 ms": Number(quantile(sorted, 0.5).toFixed(2)),
    "p99 ms": Number(quantile(sorted, 0.99).toFixed(2)),
    "server CPU µs/req": s.serverCpuUsPerReq === undefined || Number.isNaN(s.serverCpuUsPerReq) ? "—" : Math.round(s.serverCpuUsPerReq),
    errors: s.errors,
  };
}

export async function benchIngest(o: IngestBenchOptions) {
  const log = o.log ?? console.log;
  const hosts = await createHosts(o.databaseUrl, o.hosts);
  const { child, port } = await startIngestProcess(o.databaseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const sequences = new Map<string, number>();
  let cursor = 0;
  try {
    // Warm-up (JIT, pool, prepared plans).
    await runLoad("warm-up", o.concurrency, 2, async () => (await request(agent, port, { method: "GET", path: "/api/trpc/system.ping" })) === 200);
    const noop = await measured(child.pid, () => runLoad("no-op tRPC (system.ping)", o.concurrency, o.seconds, async () => {
      return (await request(agent, port, { method: "GET", path: "/api/trpc/system.ping" })) === 200;
    }));
    const reportBodyTemplate = (h: { id: string }) => {
      const n = (sequences.get(h.id) ?? 0) + 1;
      sequences.set(h.id, n);
      return JSON.stringify(superjson.serialize(heartbeat(h, n)));
    };
    const postNoop = await measured(child.pid, () =>
      runLoad("no-op tRPC mutation (POST, same body)", o.concurrency, o.seconds, async () => {
        const h = hosts[cursor++ % hosts.length];
        if (!h) return false;
        return (await request(agent, port, { method: "POST", path: "/api/trpc/system.pingPost", body: reportBodyTemplate(h) })) === 200;
      }),
    );
    // Every host reports once first, as a live fleet has (token and config caches warm).
    let warmed = 0;
    await runLoad("warm-up reports", o.concurrency, 60, async () => {
      if (warmed >= hosts.length) return "stop";
      const h = hosts[warmed++];
      if (!h) return false;
      return (await request(agent, port, { method: "POST", path: "/api/trpc/agent.report", body: reportBodyTemplate(h), token: h.token })) === 200;
    });
    const ingest = await measured(child.pid, () => runLoad("agent.report (heartbeat)", o.concurrency, o.seconds, async () => {
      const h = hosts[cursor++ % hosts.length];
      if (!h) return false;
      const status = await request(agent, port, { method: "POST", path: "/api/trpc/agent.report", body: reportBodyTemplate(h), token: h.token });
      return status === 200;
    }));
    const raw = await rawPgBatch(o.databaseUrl, hosts, o.concurrency, o.seconds, 50);
    const rows = [summarise(noop), summarise(ingest), summarise(raw), summarise(postNoop)];
    log(`\nIngest throughput — ${o.concurrency} concurrent simulated agents, ${o.hosts} hosts, ${o.seconds}s per scenario (server in its own process)`);
    console.table(rows);
    const ingestRate = rows[1]?.["req/s"] ?? 0;
    const noopRate = rows[0]?.["req/s"] ?? 1;
    const rawRate = rows[2]?.["req/s"] ?? 1;
    log(`agent.report / no-op tRPC ceiling: ${((100 * ingestRate) / noopRate).toFixed(1)} % (goal ≥ 80 %)`);
    log(`agent.report / raw pg batch insert: ${((100 * ingestRate) / rawRate).toFixed(1)} %`);
    const postRate = rows[3]?.["req/s"] ?? 1;
    log(`agent.report / no-op POST mutation with the same body: ${((100 * ingestRate) / postRate).toFixed(1)} % (the part of the cost that is ours: token lookup + batched write)`);
    log(`goal ≥ 2,000 heartbeat reports/s (20,000 hosts at 10 s): ${ingestRate >= 2000 ? "met" : "NOT met"} (${ingestRate}/s)`);
    return rows;
  } finally {
    agent.destroy();
    child.kill("SIGTERM");
  }
}
