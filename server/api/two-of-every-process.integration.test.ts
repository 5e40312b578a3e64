/**
 * "Nothing in the code assumes one process" (DESIGN.md, Scale), tested: two console processes
 * (`next start` on one build) and two agent-API processes (server/cli/ingest-main.ts) on one
 * database, with requests spread over them and no sticky routing:
 * - a session made on one console is valid on the other, and ends on both when signed out on one;
 * - a report sent with the same idempotency key through both agent-API processes is stored once;
 * - latency runs of one host and hour, merged concurrently through both processes into one hourly
 *   rollup row, give exactly the merge of the stored raw runs.
 * Jobs claimed once across two agent-API processes: server/services/jobs/two-process-claim.integration.test.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentApi, type AgentApi } from "@/agent/transport/client";
import type { ReportPayload } from "@/server/contract/report";
import type { LatencyRunReport } from "@/server/contract/sections/latency";
import { disconnectPrisma, prisma } from "@/server/db";
import { freeTcpPort } from "@/server/db-bootstrap";
import type { HistogramPart } from "@/server/domain/latency/histogram";
import { mergeIntoRollup, rollupPartOfRun } from "@/server/domain/latency/rollup";
import { runTotals } from "@/server/domain/latency/run";
import { histogramRecordOf } from "@/server/repo/latency-ingest";
import { createUser } from "@/server/repo/users";
import { enrolHost, uniqueHostname } from "@/server/test/callers";
import { rng } from "@/server/test/rng";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const nextCli = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");
/** Its own build directory: never the one a running console or an e2e run serves. */
const DIST_DIR = ".next-two-process";

type Proc = { url: string; child: ChildProcess; output: () => string };
const procs: Proc[] = [];

function capture(child: ChildProcess): () => string {
  let out = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
    if (process.env.NFVDECK_TEST_VERBOSE) process.stderr.write(d);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => out;
}

async function waitForHealth(p: Proc, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) throw new Error(`${p.url} exited ${p.child.exitCode}:\n${p.output()}`);
    const ok = await fetch(`${p.url}/api/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${p.url} not healthy within ${timeoutMs} ms:\n${p.output()}`);
}

/** A real agent-API process on a free port, on this run's database. */
async function startAgentApi(): Promise<Proc> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "server/cli/ingest-main.ts")], {
    cwd: repoRoot,
    env: { ...process.env, NFVDECK_INGEST_LISTEN_PORT: "0", NFVDECK_INGEST_HOST: "127.0.0.1", NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const output = capture(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`agent API exited (${code}): ${output()}`)));
  });
  const p = { url: `http://127.0.0.1:${port}`, child, output };
  procs.push(p);
  return p;
}

function runToEnd(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    const output = capture(child);
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited ${code}:\n${output()}`))));
  });
}

/** Builds the console once into DIST_DIR (reused by later runs: its BUILD_ID marks it complete). */
async function ensureConsoleBuild(env: NodeJS.ProcessEnv): Promise<void> {
  if (fs.existsSync(path.join(repoRoot, DIST_DIR, "BUILD_ID"))) return;
  // next build adds its distDir's type globs to tsconfig.json; this private build dir must not leak there.
  const tsconfigPath = path.join(repoRoot, "tsconfig.json");
  const tsconfig = fs.readFileSync(tsconfigPath, "utf8");
  try {
    await runToEnd([nextCli, "build"], { ...env, NFVDECK_SKIP_BUILD_TYPECHECK: "1" });
  } finally {
    fs.writeFileSync(tsconfigPath, tsconfig);
  }
}

async function startConsole(port: number, env: NodeJS.ProcessEnv): Promise<Proc> {
  const child = spawn(process.execPath, [nextCli, "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  const p = { url: `http://127.0.0.1:${port}`, child, output: capture(child) };
  procs.push(p);
  await waitForHealth(p, 90_000);
  return p;
}

let consoles: Proc[] = [];
let agentApis: Proc[] = [];
let publicUrl = "";

beforeAll(async () => {
  const ports = [await freeTcpPort(), await freeTcpPort()];
  publicUrl = `http://127.0.0.1:${ports[0]}`;
  // Both consoles are one service behind one address: same public URL, same signing secret.
  const consoleEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    NFVDECK_NEXT_DIST_DIR: DIST_DIR,
    NFVDECK_AUTH_SECRET: randomBytes(32).toString("base64url"),
    NFVDECK_PUBLIC_URL: publicUrl,
  };
  const apis = Promise.all([startAgentApi(), startAgentApi()]);
  await ensureConsoleBuild(consoleEnv);
  consoles = await Promise.all(ports.map((p) => startConsole(p, consoleEnv)));
  agentApis = await apis;
}, 600_000);

afterAll(async () => {
  await Promise.all(
    procs.map(async (p) => {
      if (p.child.exitCode !== null) return;
      const exited = new Promise<void>((r) => p.child.once("exit", () => r()));
      p.child.kill("SIGTERM");
      const timer = setTimeout(() => p.child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }),
  );
  await disconnectPrisma();
});

function consoleAt(i: number): Proc {
  const c = consoles[i];
  if (!c) throw new Error(`no console ${i}`);
  return c;
}

/** auth.me through a console's tRPC HTTP endpoint: the signed-in email, or null. */
async function whoAmI(on: Proc, cookie: string): Promise<string | null> {
  const res = await fetch(`${on.url}/api/trpc/auth.me`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { result: { data: { json: { email: string } | null } } };
  return body.result.data.json?.email ?? null;
}

describe("two console processes on one database", () => {
  it("a session made on one console is valid on the other, and signing out on one ends it on both", async () => {
    const email = `two-consoles-${randomUUID()}@example.test`;
    const password = `pw-${randomUUID()}`;
    await createUser({ email, name: "two consoles", password, role: "viewer", actor: "system" });

    const signIn = await fetch(`${consoleAt(0).url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: publicUrl },
      body: JSON.stringify({ email, password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").join("; ");
    expect(cookie).toContain("nfvdeck");

    expect(await whoAmI(consoleAt(0), cookie)).toBe(email);
    expect(await whoAmI(consoleAt(1), cookie)).toBe(email);
    // a server-rendered page behind the page guard, on the other process
    const page = await fetch(`${consoleAt(1).url}/fleet`, { headers: { cookie }, redirect: "manual" });
    expect(page.status).toBe(200);

    const signOut = await fetch(`${consoleAt(1).url}/api/auth/sign-out`, {
      method: "POST",
      headers: { cookie, origin: publicUrl, "content-type": "application/json" },
      body: "{}",
    });
    expect(signOut.status).toBe(200);
    expect(await whoAmI(consoleAt(0), cookie)).toBeNull();
    expect(await whoAmI(consoleAt(1), cookie)).toBeNull();
    const after = await fetch(`${consoleAt(0).url}/fleet`, { headers: { cookie }, redirect: "manual" });
    expect(after.status).toBeGreaterThanOrEqual(300);
    expect(after.status).toBeLessThan(400);
  }, 60_000);
});

describe("two agent-API processes on one database", () => {
  function apisFor(hostToken: string): AgentApi[] {
    return agentApis.map((p) => createAgentApi({ server: p.url, hostToken, timeoutMs: 20_000 }));
  }

  function heartbeat(hostId: string, hostname: string, sequence: number, collectedAt: string): ReportPayload {
    return {
      hostId,
      idempotencyKey: `${hostId}:${sequence}`,
      sequence,
      collectedAt,
      agentVersion: "0.0.0-test",
      hostname,
      heartbeat: { uptimeS: 100 + sequence, loadavg: [0.1, 0.2, 0.3] },
    };
  }

  it("a report sent with the same idempotency key through both processes is stored once", async () => {
    const hostname = uniqueHostname("two-api-hb");
    const host = await enrolHost(hostname, { note: "two-process test" });
    const apis = apisFor(host.hostToken);
    const collectedAt = new Date(Date.UTC(2026, 10, 20, 10, 0, 0)).toISOString();
    const SEQUENCES = 40;
    // every report goes to both processes at once (a resend that the load balancer spread); the
    // agent sends its reports in order, one after the other
    const outcomes: { stored: boolean; duplicate: boolean }[][] = [];
    for (let seq = 0; seq < SEQUENCES; seq++) {
      outcomes.push(await Promise.all(apis.map((api) => api.report(heartbeat(host.hostId, hostname, seq, collectedAt)))));
    }
    for (const pair of outcomes) {
      // exactly one of the two wrote it; the other saw a resend
      expect(pair.map((o) => o.stored).sort()).toEqual([false, true]);
      expect(pair.map((o) => o.duplicate).sort()).toEqual([false, true]);
    }
    // a heartbeat is stored in its host's row (no report-log row): the newest sequence
    expect(await prisma().report.count({ where: { hostId: host.hostId } })).toBe(0);
    const stored = await prisma().host.findUniqueOrThrow({ where: { id: host.hostId }, select: { lastSequence: true } });
    expect(stored.lastSequence).toBe(BigInt(SEQUENCES - 1));
  }, 60_000);

  function randomRun(rand: () => number, startedAt: Date): LatencyRunReport {
    const histogramSize = [100, 400, 1000][Math.floor(rand() * 3)] ?? 400;
    const threads = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, t) => {
      const histogram: Record<string, number> = {};
      let cycles = 0;
      let overflows = 0;
      let min = Infinity;
      let max = 0;
      let sum = 0;
      const n = 1 + Math.floor(rand() * 150);
      for (let i = 0; i < n; i++) {
        const v = Math.floor(7 + (rand() < 0.95 ? rand() * 7 : rand() * 1400));
        const count = 1 + Math.floor(rand() * 50);
        cycles += count;
        if (v >= histogramSize) overflows += count;
        else histogram[String(v)] = (histogram[String(v)] ?? 0) + count;
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v * count;
      }
      return { thread: t, cpu: t + 2, cycles, overflows, min, avg: sum / cycles, max, histogram };
    });
    return {
      runKey: randomUUID(),
      startedAt: startedAt.toISOString(),
      durationS: 60,
      toolVersion: "2.40",
      cmdline: null,
      priority: 95,
      intervalUs: 200,
      load: "idle",
      unit: "us",
      histogramSize,
      threads,
    };
  }

  let serverErrors = 0;
  /**
   * Sends like the agent's spool: a 500 (here: "Unable to start a transaction in the given time"
   * when the loaded box starves the pool) is resent, same idempotency key and run key, so a retry
   * must never count a run twice.
   */
  async function reportLikeAnAgent(api: AgentApi, payload: ReportPayload): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await api.report(payload);
        return;
      } catch (e) {
        if (attempt >= 5 || !(e instanceof Error) || !e.message.startsWith("internal error")) throw e;
        serverErrors += 1;
        await new Promise((r) => setTimeout(r, 300 * attempt));
      }
    }
  }

  it("latency runs of one hour merged concurrently through both processes give the exact rollup of the raw runs", async () => {
    const hostname = uniqueHostname("two-api-latency");
    const host = await enrolHost(hostname, { note: "two-process test" });
    const apis = apisFor(host.hostToken);
    const rand = rng(15);
    const hour = Date.UTC(2026, 10, 20, 9, 0, 0);
    const RUNS = 24;
    const runs = Array.from({ length: RUNS }, (_, i) => randomRun(rand, new Date(hour + i * 120_000 + Math.floor(rand() * 60_000))));
    // One report per run, alternating processes, WAVE at a time: every report of a wave merges into
    // the same hour (and day) row at once, through both processes. (One host's reports are sequential
    // in real life; all 24 at once exhausted the connection pools on a loaded 2-core box.)
    const WAVE = 6;
    for (let start = 0; start < RUNS; start += WAVE) {
      await Promise.all(
        runs.slice(start, start + WAVE).map((run, i) => {
          const seq = start + i;
          const api = apis[seq % apis.length];
          if (!api) throw new Error("no agent API");
          return reportLikeAnAgent(api, { ...heartbeat(host.hostId, hostname, seq, new Date(hour + 3_600_000).toISOString()), latencyRuns: [run] });
        }),
      );
    }
    if (serverErrors > 0) console.warn(`two-process latency: ${serverErrors} report(s) answered 500 and were resent (a real agent's spool does the same)`);

    const stored = await prisma().latencyRun.findMany({
      where: { hostId: host.hostId },
      select: { unit: true, histogramSize: true, cycles: true, overflows: true, min: true, max: true, avg: true, histogram: true },
    });
    expect(stored).toHaveLength(RUNS);
    const rawParts = stored.map(
      (r) =>
        rollupPartOfRun({
          unit: r.unit,
          histogramSize: r.histogramSize,
          cycles: Number(r.cycles),
          overflows: Number(r.overflows),
          min: r.min,
          max: r.max,
          avg: r.avg,
          histogram: histogramRecordOf(r.histogram),
        }) as HistogramPart,
    );
    const fromRaw = mergeIntoRollup(null, rawParts);
    // and the raw runs are the runs sent
    const sentParts = runs.map((r) => {
      const totals = runTotals({ ...r, startedAt: new Date(r.startedAt) });
      return rollupPartOfRun({ unit: r.unit, histogramSize: r.histogramSize, ...totals }) as HistogramPart;
    });
    expect(fromRaw.histogram).toEqual(mergeIntoRollup(null, sentParts).histogram);

    const rollups = await prisma().latencyRollup.findMany({
      where: { hostId: host.hostId },
      select: { granularity: true, bucketStart: true, runs: true, cycles: true, overflows: true, min: true, max: true, weightedSum: true, histogramSize: true, histogram: true },
      orderBy: { granularity: "asc" },
    });
    expect(rollups.map((r) => [r.granularity, r.bucketStart.toISOString()])).toEqual([
      ["day", "2026-11-20T00:00:00.000Z"],
      ["hour", "2026-11-20T09:00:00.000Z"],
    ]);
    for (const r of rollups) {
      expect({
        runs: r.runs,
        cycles: Number(r.cycles),
        overflows: Number(r.overflows),
        min: r.min,
        max: r.max,
        histogramSize: r.histogramSize,
        histogram: histogramRecordOf(r.histogram),
      }).toEqual({
        runs: fromRaw.runs,
        cycles: fromRaw.cycles,
        overflows: fromRaw.overflows,
        min: fromRaw.min,
        max: fromRaw.max,
        histogramSize: fromRaw.histogramSize,
        histogram: fromRaw.histogram,
      });
      expect(r.weightedSum).toBeCloseTo(fromRaw.weightedSum, 6);
    }
  }, 60_000);
});
