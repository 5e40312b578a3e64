import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import superjson from "superjson";
import type { ReportPayload, ReportSections } from "@/server/contract/report";
import { sectionHash } from "@/server/contract/canonical";
import { simulateHost } from "@/agent/simulate/hosts";
import { nearestRank } from "@/server/bench/nearest-rank";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

type Scenario = { name: string; ok: number; errors: number; seconds: number; latenciesMs: number[] };

export type IngestBenchOptions = {
  databaseUrl: string;
  hosts: number;
  /** hosts enrolled for the full-report scenario (each enrols, then sends 2 full reports) */
  fullHosts?: number;
  concurrency: number;
  /** the interleaved ratio is also measured with this many agents at once (a large fleet's arrivals) */
  fleetConcurrency?: number;
  /** adjacent no-op/heartbeat pairs per concurrency, and each slice's length */
  rounds?: number;
  sliceSeconds?: number;
  seconds: number;
  /** "full": only the full-report scenario (profiling it alone: BENCH_INGEST=full) */
  only?: "full";
  log?: (line: string) => void;
};

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

/** `n` one-time enrolment tokens straight in the database (setup only, as an admin would create them in the UI). */
async function createEnrollmentTokens(databaseUrl: string, n: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const tokens = Array.from({ length: n }, () => `nfve_${randomBytes(32).toString("base64url")}`);
  try {
    for (let i = 0; i < tokens.length; i += 500) {
      const chunk = tokens.slice(i, i + 500);
      await client.query(
        `insert into "EnrollmentToken" (id, "tokenHash", note, "expiresAt") select gen_random_uuid(), h, 'bench', now() + interval '1 day' from unnest($1::text[]) as t(h)`,
        [chunk.map((t) => createHash("sha256").update(t).digest("hex"))],
      );
    }
  } finally {
    await client.end();
  }
  return tokens;
}

/**
 * Like request(), but returns the parsed tRPC result data (superjson envelope) of a 200. `body`: the request
 * text already serialised (a superjson envelope), instead of `input`.
 */
function call<T>(agent: http.Agent, port: number, opts: { path: string; input?: unknown; body?: string; token?: string }): Promise<{ status: number; data: T | null }> {
  return new Promise((resolve, reject) => {
    const body = opts.body ?? JSON.stringify(superjson.serialize(opts.input));
    const headers: Record<string, string> = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: opts.path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          reject(new Error(`${opts.path}: HTTP ${status}: ${Buffer.concat(chunks).toString("utf8").slice(0, 300)}`));
          return;
        }
        const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { result: { data: Parameters<typeof superjson.deserialize>[0] } };
        resolve({ status, data: superjson.deserialize<T>(parsed.result.data) });
      });
    });
    req.on("error", reject);
    req.write(body);
    req.end();
  });
}

/** The kvm section changed (halt polling tuned): a new hash, a drift, a re-evaluation. */
function changedKvm(sections: ReportSections, n: number): NonNullable<ReportSections["kvm"]> | undefined {
  const kvm = sections.kvm;
  if (!kvm) return undefined;
  const data = { ...(kvm.data as Record<string, unknown>), haltPollNs: 200_000 + n };
  return { ...kvm, data: data as typeof kvm.data, hash: sectionHash("kvm", data as typeof kvm.data) };
}

/**
 * A report's request body as the agent sends it (a superjson envelope with no meta: the payload is plain
 * JSON), with the sections' JSON spliced in as text. The simulated agents share this box with the server:
 * each serialises its host kind's unchanging sections once, as a real agent pays for its own report on its
 * own host, so the figure is the server's and not 32 copies of superjson walking 29 KB per report.
 */
function reportBody(report: Omit<ReportPayload, "sections">, sectionsJson: string): string {
  const head = JSON.stringify(report);
  return `{"json":${head.slice(0, -1)},"sections":${sectionsJson}}}`;
}

/**
 * Full reports: `n` agents start at once (a lab-wide reboot or agent upgrade): each enrols through
 * agent.enroll, sends its first report (every section, compliance evaluated) and then one whose kvm
 * section changed. Counted: full reports per second, enrolment included in the elapsed time.
 */
/** An enrolled simulated host after its full reports: what its agent sends again when it restarts. */
type RestartableHost = { hostId: string; token: string; hostname: string; sectionsJson: string; sequence: number };

async function fullReports(agent: http.Agent, port: number, databaseUrl: string, n: number, concurrency: number, restartable?: RestartableHost[]): Promise<Scenario & { enrolled: number }> {
  const tokens = await createEnrollmentTokens(databaseUrl, n);
  const kinds = await Promise.all(Array.from({ length: 16 }, (_, i) => simulateHost({ index: i, seed: "bench-full" })));
  const kindJson = kinds.map((sim) => {
    const { kvm: _kvm, ...rest } = sim.sections;
    return { all: JSON.stringify(sim.sections), withoutKvm: JSON.stringify(rest).slice(1, -1) };
  });
  let next = 0;
  let enrolled = 0;
  const s = await runLoad("full reports (enrol + 2 full)", concurrency, 3600, async () => {
    const i = next++;
    if (i >= n) return "stop";
    const sim = kinds[i % kinds.length];
    const json = kindJson[i % kinds.length];
    const token = tokens[i];
    if (!sim || !json || !token) return false;
    const hostname = `bench-full-${String(i).padStart(5, "0")}`;
    const { data: enrolledHost } = await call<{ hostId: string; hostToken: string }>(agent, port, {
      path: "/api/trpc/agent.enroll",
      input: { enrollmentToken: token, hostname, agentVersion: "bench" },
    });
    if (!enrolledHost) return false;
    enrolled++;
    const report = (sequence: number): Omit<ReportPayload, "sections"> => ({
      hostId: enrolledHost.hostId,
      idempotencyKey: `${enrolledHost.hostId}:${sequence}`,
      sequence,
      collectedAt: new Date().toISOString(),
      agentVersion: "bench",
      hostname,
      heartbeat: { uptimeS: 100 + sequence, loadavg: [0.1, 0.2, 0.3] },
      latencyRuns: [],
      qosSamples: [],
    });
    const kvm = changedKvm(sim.sections, i);
    const changed = kvm ? `{${json.withoutKvm}${json.withoutKvm ? "," : ""}"kvm":${JSON.stringify(kvm)}}` : json.all;
    const first = await call<{ sectionsChanged: string[] }>(agent, port, { path: "/api/trpc/agent.report", body: reportBody(report(1), json.all), token: enrolledHost.hostToken });
    const second = await call<{ sectionsChanged: string[] }>(agent, port, { path: "/api/trpc/agent.report", body: reportBody(report(2), changed), token: enrolledHost.hostToken });
    restartable?.push({ hostId: enrolledHost.hostId, token: enrolledHost.hostToken, hostname, sectionsJson: changed, sequence: 2 });
    // the first stores every section, the second exactly the changed one
    return (first.data?.sectionsChanged.length ?? 0) >= 8 && second.data?.sectionsChanged.join() === "kvm";
  });
  // one op = two full reports
  return { ...s, ok: 2 * s.ok, enrolled };
}

/**
 * Agents restarting (an agent upgrade across the lab, hosts already current): each sends its full report
 * again — every section, content the server already holds — with its next sequence. Counted: these full
 * reports per second; each must store the report and change no section.
 */
async function restartReports(agent: http.Agent, port: number, hosts: RestartableHost[], concurrency: number, name: string): Promise<Scenario> {
  let next = 0;
  return runLoad(name, concurrency, 3600, async () => {
    const h = hosts[next++];
    if (!h) return "stop";
    h.sequence++;
    const report: Omit<ReportPayload, "sections"> = {
      hostId: h.hostId,
      idempotencyKey: `${h.hostId}:${h.sequence}`,
      sequence: h.sequence,
      collectedAt: new Date().toISOString(),
      agentVersion: "bench-upgraded",
      hostname: h.hostname,
      heartbeat: { uptimeS: 100 + h.sequence, loadavg: [0.1, 0.2, 0.3] },
      latencyRuns: [],
      qosSamples: [],
    };
    const r = await call<{ stored: boolean; sectionsChanged: string[] }>(agent, port, { path: "/api/trpc/agent.report", body: reportBody(report, h.sectionsJson), token: h.token });
    return r.data?.stored === true && r.data.sectionsChanged.length === 0;
  });
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
          `insert into "Report" ("hostId",slot,"idempotencyKey",sequence,"collectedAt","receivedAt")
           select h, (s % 512)::int, k, s, now(), now() from unnest($1::uuid[], $2::text[], $3::bigint[]) as t(h, k, s)
           on conflict ("hostId", slot) do update set "idempotencyKey" = excluded."idempotencyKey", sequence = excluded.sequence,
             "collectedAt" = excluded."collectedAt", "receivedAt" = excluded."receivedAt"
           where "Report".sequence < excluded.sequence`,
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

/** The PostgreSQL server's postmaster on this machine (the parent of our backend), or undefined when it is elsewhere. */
async function findPostmasterPid(databaseUrl: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    const stat = readFileSync(`/proc/${rows[0]?.pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}

let postgres: { postmasterPid: number; database: string } | undefined;

/**
 * utime + stime of each backend of the bench's own database, in ms by pid (a server shared with other
 * work: only our backends count; the shared WAL writer and checkpointer are left out).
 */
function postgresBackendCpu(): Map<number, number> {
  const byPid = new Map<number, number>();
  if (!postgres) return byPid;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) !== postgres.postmasterPid) continue;
      // "postgres: [cluster: ]user database client state"
      if (!readFileSync(`/proc/${entry}/cmdline`, "utf8").split(/[\0 ]/).includes(postgres.database)) continue;
      byPid.set(Number(entry), ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      // the process ended meanwhile
    }
  }
  return byPid;
}

/** CPU ms our backends used since `before` (a backend that ended meanwhile is lost: the pools keep theirs). */
function postgresCpuMsSince(before: Map<number, number>): number {
  if (!postgres) return Number.NaN;
  let total = 0;
  for (const [pid, ms] of postgresBackendCpu()) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** The machine's busy and total CPU time so far, in jiffies (/proc/stat's first line). */
function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

type CpuShares = { serverCpuUsPerReq: number; postgresCpuUsPerReq: number; clientCpuUsPerReq: number; machineBusyPct: number };

/** Runs a scenario and splits the CPU it cost per successful request: API server, PostgreSQL, this load generator; and how busy the machine was. */
async function measured(pid: number | undefined, run: () => Promise<Scenario>): Promise<Scenario & CpuShares> {
  const before = { server: cpuMs(pid), pg: postgresBackendCpu(), client: process.cpuUsage(), machine: machineCpu() };
  const s = await run();
  const client = process.cpuUsage(before.client);
  const machine = machineCpu();
  const per = (ms: number) => (ms * 1000) / Math.max(1, s.ok);
  return {
    ...s,
    serverCpuUsPerReq: per(cpuMs(pid) - before.server),
    postgresCpuUsPerReq: per(postgresCpuMsSince(before.pg)),
    clientCpuUsPerReq: per((client.user + client.system) / 1000),
    machineBusyPct: (100 * (machine.busy - before.machine.busy)) / Math.max(1, machine.total - before.machine.total),
  };
}

function summarise(s: Scenario & Partial<CpuShares>) {
  const sorted = [...s.latenciesMs].sort((a, b) => a - b);
  const us = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "—" : Math.round(v));
  return {
    scenario: s.name,
    "req/s": Math.round(s.ok / s.seconds),
    "p50 ms": Number(nearestRank(sorted, 0.5).toFixed(2)),
    "p99 ms": Number(nearestRank(sorted, 0.99).toFixed(2)),
    "server CPU µs/req": us(s.serverCpuUsPerReq),
    "pg CPU µs/req": us(s.postgresCpuUsPerReq),
    "client CPU µs/req": us(s.clientCpuUsPerReq),
    "box busy %": us(s.machineBusyPct),
    errors: s.errors,
  };
}

export async function benchIngest(o: IngestBenchOptions) {
  const log = o.log ?? console.log;
  const hosts = await createHosts(o.databaseUrl, o.hosts);
  const postmasterPid = await findPostmasterPid(o.databaseUrl);
  postgres = postmasterPid === undefined ? undefined : { postmasterPid, database: new URL(o.databaseUrl).pathname.slice(1) };
  const { child, port } = await startIngestProcess(o.databaseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const sequences = new Map<string, number>();
  let cursor = 0;
  try {
    if (o.only === "full") {
      await runLoad("warm-up", o.concurrency, 2, async () => (await request(agent, port, { method: "GET", path: "/api/trpc/system.ping" })) === 200);
      const restartable: RestartableHost[] = [];
      const full = await measured(child.pid, () => fullReports(agent, port, o.databaseUrl, o.fullHosts ?? 1000, o.concurrency, restartable));
      // the same hosts' agents restart (an upgrade): once with this ingest process up, once after it restarted too (nothing remembered)
      const warm = await measured(child.pid, () => restartReports(agent, port, restartable, o.concurrency, "agents restart (server up)"));
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      const second = await startIngestProcess(o.databaseUrl);
      const cold = await (async () => {
        try {
          // warmed up (JIT) on 100 other new hosts, so what is measured is the memory this process lacks, not its start
          await fullReports(agent, second.port, o.databaseUrl, 100, o.concurrency);
          return await measured(second.child.pid, () => restartReports(agent, second.port, restartable, o.concurrency, "agents restart (server restarted)"));
        } finally {
          second.child.kill("SIGTERM");
        }
      })();
      const rows = [summarise(full), summarise(warm), summarise(cold)];
      console.table(rows);
      log(
        `summary: full reports ${rows[0]?.["req/s"] ?? 0}/s (${o.fullHosts ?? 1000} hosts enrolled, 2 full reports each in ${full.seconds.toFixed(1)} s, goal ≥ 500/s); the simulated agents' own CPU ${Math.round(full.clientCpuUsPerReq)} µs/report (same box); ` +
          `the same hosts' agents restarting (every section again, none changed): ${rows[1]?.["req/s"] ?? 0}/s with the server up, ${rows[2]?.["req/s"] ?? 0}/s after it restarted`,
      );
      return rows;
    }
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
    // The ratio measured as adjacent slices (no-op, heartbeat, heartbeat, no-op, …): a load change on a
    // shared box moves both sides of each pair alike, where two scenarios minutes apart can differ 5×.
    const interleaved: { concurrency: number; ratios: number[]; heartbeatRate: number; noopRate: number; heartbeatCpu: string; noopCpu: string }[] = [];
    for (const concurrency of [o.concurrency, o.fleetConcurrency ?? 256]) {
      const pairAgent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
      const slice = async (kind: "noop" | "heartbeat") =>
        measured(child.pid, () => runLoad(`${kind} slice`, concurrency, o.sliceSeconds ?? 1.5, async () => {
          const h = hosts[cursor++ % hosts.length];
          if (!h) return false;
          const path = kind === "noop" ? "/api/trpc/system.pingPost" : "/api/trpc/agent.report";
          return (await request(pairAgent, port, { method: "POST", path, body: reportBodyTemplate(h), token: kind === "noop" ? undefined : h.token })) === 200;
        }));
      const ratios: number[] = [];
      let hbOk = 0, hbS = 0, noopOk = 0, noopS = 0;
      const cpu = { heartbeat: { server: 0, pg: 0, client: 0, busy: 0 }, noop: { server: 0, pg: 0, client: 0, busy: 0 } };
      for (let r = 0; r < (o.rounds ?? 4); r++) {
        const order: ("noop" | "heartbeat")[] = r % 2 === 0 ? ["noop", "heartbeat"] : ["heartbeat", "noop"];
        const got: Record<string, Scenario & CpuShares> = {};
        for (const kind of order) got[kind] = await slice(kind);
        const hb = got.heartbeat!, np = got.noop!;
        ratios.push(hb.ok / hb.seconds / Math.max(1e-9, np.ok / np.seconds));
        hbOk += hb.ok; hbS += hb.seconds; noopOk += np.ok; noopS += np.seconds;
        for (const [k, x] of [["heartbeat", hb], ["noop", np]] as const) {
          cpu[k].server += x.serverCpuUsPerReq * x.ok; cpu[k].pg += x.postgresCpuUsPerReq * x.ok;
          cpu[k].client += x.clientCpuUsPerReq * x.ok; cpu[k].busy += x.machineBusyPct * x.seconds;
        }
      }
      pairAgent.destroy();
      const shares = (c: typeof cpu.noop, ok: number, seconds: number) =>
        `server ${Math.round(c.server / Math.max(1, ok))} + pg ${Math.round(c.pg / Math.max(1, ok))} + load generator ${Math.round(c.client / Math.max(1, ok))} µs CPU/req, box ${Math.round(c.busy / seconds)} % busy`;
      interleaved.push({ concurrency, ratios, heartbeatRate: Math.round(hbOk / hbS), noopRate: Math.round(noopOk / noopS), heartbeatCpu: shares(cpu.heartbeat, hbOk, hbS), noopCpu: shares(cpu.noop, noopOk, noopS) });
    }
    const raw = await rawPgBatch(o.databaseUrl, hosts, o.concurrency, o.seconds, 50);
    // BENCH_FULL_HOSTS=0 skips the full-report scenario
    const full = o.fullHosts === 0
      ? { name: "full reports (skipped)", ok: 0, errors: 0, seconds: 1, latenciesMs: [], serverCpuUsPerReq: Number.NaN, clientCpuUsPerReq: Number.NaN }
      : await measured(child.pid, () => fullReports(agent, port, o.databaseUrl, o.fullHosts ?? 1000, o.concurrency));
    const rows = [summarise(noop), summarise(ingest), summarise(raw), summarise(postNoop), summarise(full)];
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
    for (const x of interleaved) {
      const sorted = [...x.ratios].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
      log(
        `interleaved, ${x.concurrency} concurrent agents: heartbeats ${x.heartbeatRate}/s vs no-op POST ${x.noopRate}/s; ` +
          `ratio per adjacent pair median ${(100 * median).toFixed(1)} % (range ${(100 * (sorted[0] ?? 0)).toFixed(1)}–${(100 * (sorted[sorted.length - 1] ?? 0)).toFixed(1)} %, ${sorted.length} pairs; goal ≥ 80 %)`,
      );
      log(`  heartbeat: ${x.heartbeatCpu}; no-op: ${x.noopCpu}`);
    }
    const fullRate = rows[4]?.["req/s"] ?? 0;
    log(
      `summary: heartbeats ${ingestRate}/s, no-op ceiling (same POST path and body) ${postRate}/s, ratio ${((100 * ingestRate) / postRate).toFixed(1)} % (goal ≥ 80 %); ` +
        `full reports ${fullRate}/s (${o.fullHosts ?? 1000} hosts enrolled, 2 full reports each in ${full.seconds.toFixed(1)} s, goal ≥ 500/s: ${fullRate >= 500 ? "met" : "NOT met"})`,
    );
    return rows;
  } finally {
    agent.destroy();
    child.kill("SIGTERM");
  }
}
