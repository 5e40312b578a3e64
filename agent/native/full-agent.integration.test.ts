/**
 * The native agent with the full (Bun-compiled TypeScript) agent embedded, built exactly as
 * `npm run build:agent` builds dist/nfvdeck-agent (into a scratch dir here): a command the Go agent
 * does not have is run by the full agent with the same argv, stdio and exit code; the extracted full
 * agent is hash-checked before every run (a tampered file is extracted again, never executed); the Go
 * job loop takes jobs from the real agent API and each ends as the TypeScript JobRunner ends it.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, promises as fsp, readFileSync } from "node:fs";
import type http from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent, buildNativeAgent, compileAgentExecutable } from "@/agent/build";
import { IN_FLIGHT_FILE, JOBS_DIR, JOURNAL_FILE, JobRunner } from "@/agent/jobs/runner";
import { saveCredentials } from "@/agent/state";
import { createAgentApi } from "@/agent/transport/client";
import { qmp, startQemuPair } from "@/agent/actions/test-support/qemu";
import { disconnectPrisma } from "@/server/db";
import { createIngestServer } from "@/server/ingest-server";
import { closeJobListener } from "@/server/repo/job-listener";
import { agentCaller, enrolHost, signedInCaller, uniqueHostname, type Caller } from "@/server/test/callers";

const REPO = path.resolve(import.meta.dirname, "../..");
const FIX = path.join(REPO, "agent", "fixtures", "cyclictest");
let dir = "";
let bundle = "";
let native = "";
let payloadSha256 = "";
let state = "";

/** A bare environment for the agents (the unit's is as small). */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { NODE_ENV: "production", PATH: "/usr/bin:/bin", ...extra };
}

type Ran = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs `file args` with `input` on stdin; resolves with its exit status and output. */
function runWith(file: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env ?? childEnv({ NFVDECK_AGENT_STATE: state }), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

const viaGo = (args: string[], input?: string) => runWith(native, args, { input });
const viaNode = (args: string[], input?: string) => runWith(process.execPath, [bundle, ...args], { input });

function extracted(): string {
  return path.join(state, "runtime", payloadSha256, "nfvdeck-agent-full");
}

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "nfvdeck-native-full-"));
  state = path.join(dir, "state");
  bundle = (await buildAgent(path.join(dir, "nfvdeck-agent.js"))).outfile;
  const full = await compileAgentExecutable(bundle, path.join(dir, "nfvdeck-agent-full"));
  const built = await buildNativeAgent(full.executable, path.join(dir, "nfvdeck-agent"));
  native = built.executable;
  payloadSha256 = built.payloadSha256;
  expect(payloadSha256).toBe(createHash("sha256").update(readFileSync(full.executable)).digest("hex"));
}, 240_000);

afterAll(async () => {
  await new Promise<void>((r) => (ingest ? ingest.close(() => r()) : r()));
  await closeJobListener();
  await disconnectPrisma();
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

describe("commands the native agent delegates to the embedded full agent", () => {
  it("parse-cyclictest on a fixture: the same stdout, stderr and exit code as the TypeScript agent", async () => {
    const args = ["parse-cyclictest", path.join(FIX, "debian-2.4-h300.json"), "--json"];
    const [go, node] = [await viaGo(args), await viaNode(args)];
    expect(go).toEqual(node);
    expect(go.code).toBe(0);
    expect(JSON.parse(go.stdout)).toMatchObject({ unit: "us", buckets: 300 });
    // the first use extracted it: 0700, hashing to the embedded SHA-256
    const st = await fsp.stat(extracted());
    expect(st.mode & 0o777).toBe(0o700);
    expect(createHash("sha256").update(await fsp.readFile(extracted())).digest("hex")).toBe(payloadSha256);
  }, 60_000);

  it("stdin reaches the full agent (parse-cyclictest -), and its failures keep their exit codes", async () => {
    const text = readFileSync(path.join(FIX, "debian-2.4-h300-stdout.txt"), "utf8");
    const fromStdin = ["parse-cyclictest", "-", "--json"];
    const go = await viaGo(fromStdin, text);
    expect(go).toEqual(await viaNode(fromStdin, text));
    expect(go.code).toBe(0);
    const truncated = text.split("\n").slice(0, 50).join("\n");
    const bad = await viaGo(fromStdin, truncated);
    expect(bad).toEqual(await viaNode(fromStdin, truncated));
    expect(bad.code).toBe(1);
    const usage = ["parse-cyclictest", "--no-such-flag"];
    const badFlag = await viaGo(usage);
    expect(badFlag).toEqual(await viaNode(usage));
    expect(badFlag.code).toBe(2);
  }, 60_000);

  it("an unknown command: exit 2 with the full agent's usage, as the TypeScript agent", async () => {
    const go = await viaGo(["no-such-command"]);
    expect(go).toEqual(await viaNode(["no-such-command"]));
    expect(go.code).toBe(2);
    expect(go.stderr).toMatch(/unknown command "no-such-command"/);
  }, 60_000);

  it("a tampered extraction is never executed: it is extracted again and the real agent runs", async () => {
    await viaGo(["parse-cyclictest", "--no-such-flag"]); // extracted
    const mark = path.join(dir, "tampered-ran");
    await fsp.writeFile(extracted(), `#!/bin/sh\ntouch ${mark}\necho tampered\nexit 0\n`, { mode: 0o700 });
    const go = await viaGo(["no-such-command"]);
    expect(go.code).toBe(2);
    expect(go.stdout).not.toMatch(/tampered/);
    expect(existsSync(mark)).toBe(false);
    expect(createHash("sha256").update(await fsp.readFile(extracted())).digest("hex")).toBe(payloadSha256);

    // same bytes, but writable by others: not trusted, replaced by a fresh 0700 copy
    await fsp.chmod(extracted(), 0o777);
    const before = (await fsp.stat(extracted())).ino;
    expect((await viaGo(["no-such-command"])).code).toBe(2);
    const after = await fsp.stat(extracted());
    expect(after.mode & 0o777).toBe(0o700);
    expect(after.ino).not.toBe(before);
  }, 60_000);

  it("SIGTERM to the native agent reaches the running full agent; its death by signal is passed on", async () => {
    const child: ChildProcess = spawn(native, ["pin-check", "--json", "--hold-ms", "30000"], { env: childEnv({ NFVDECK_AGENT_STATE: state }), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
    const deadline = Date.now() + 20_000;
    while (!out.includes("\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const fullPid = (JSON.parse(out) as { pid: number }).pid;
    expect(fullPid).not.toBe(child.pid); // the full agent is a child process, not an exec of this one
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
    child.kill("SIGTERM");
    const status = await exited;
    expect(status).toEqual({ code: null, signal: "SIGTERM" });
    expect(existsSync(`/proc/${fullPid}`)).toBe(false);
  }, 60_000);

  it("help lists the native and the delegated commands", async () => {
    const help = await promisify(execFile)(native, ["help"]);
    expect(help.stdout).toMatch(/commands: .*job-exec, job-recover, .*once, .*parse-cyclictest, pin-check/);
  });
});

// ---------------------------------------------------------------- the Go job loop on the real agent API

/** this helper's port range (3940–3944): the agent API over plain HTTP on loopback */
const PORT = 3940;
const SERVER = `http://127.0.0.1:${PORT}`;
const THIS_VM = path.join(REPO, "agent", "fixtures", "this-vm");
let ingest: http.Server | null = null;
let operator: Caller;
let viewer: Caller;

type Host = { hostId: string; hostToken: string; state: string; root: string };

/** An enrolled host with its own state dir (credentials as `enroll` writes them) and a copy of this-vm as its root. */
async function host(name: string): Promise<Host> {
  const enrolled = await enrolHost(uniqueHostname(name), { note: "native job loop test" });
  const base = await fsp.mkdtemp(path.join(dir, `${name}-`));
  const h = { ...enrolled, state: path.join(base, "state"), root: path.join(base, "root") };
  await saveCredentials(h.state, { hostId: h.hostId, hostToken: h.hostToken, server: SERVER, enrolledAt: new Date(0).toISOString() });
  await fsp.cp(THIS_VM, h.root, { recursive: true });
  return h;
}

/** The native agent's `jobs` (the job loop `run` runs) for h, until stopped. */
function goJobLoop(h: Host): { stop: () => Promise<number | null>; output: () => string } {
  const child = spawn(native, ["jobs", "--state", h.state, "--root", h.root, "--poll-wait-ms", "1000"], { env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
    output: () => out,
  };
}

/** The TypeScript agent's JobRunner for h over HTTP, run for the next offer only (the reference). */
async function tsRunsNext(h: Host): Promise<void> {
  const api = createAgentApi({ server: SERVER, hostToken: h.hostToken });
  const offer = await api.nextJob(5000);
  if (!offer) throw new Error("no job offered to the TypeScript runner");
  await new JobRunner({ api: async () => api, stateDir: h.state, root: h.root, log: () => undefined }).handle(api, offer);
}

async function settled(id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { job } = await viewer.jobs.get({ id });
    if (job.state === "succeeded" || job.state === "failed" || job.state === "cancelled") return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function journalEvents(h: Host): Promise<string[]> {
  const text = await fsp.readFile(path.join(h.state, JOBS_DIR, JOURNAL_FILE), "utf8");
  return text
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { event: string }).event);
}

describe("the Go job loop with the full agent's job-exec, against the real agent API", () => {
  beforeAll(async () => {
    ingest = createIngestServer({ maxBodyBytes: 1024 * 1024 });
    await new Promise<void>((r) => ingest?.listen(PORT, "127.0.0.1", r));
    operator = await signedInCaller("operator");
    viewer = await signedInCaller("viewer");
  });

  it("a tune plan and a prediction against a missing QMP socket end exactly as the TypeScript runner ends them", { timeout: 120_000 }, async () => {
    const [goHost, tsHost] = [await host("native-go"), await host("native-ts")];
    const missing = path.join(dir, "no-such-vm.qmp");
    const jobsFor = async (h: Host) => ({
      plan: await operator.jobs.createTune({ hostId: h.hostId, mode: "plan", action: "tune.sysctl.sched_rt_runtime_us", params: {}, idempotencyKey: randomUUID() }),
      predict: await operator.jobs.createMigrationPrediction({
        hostId: h.hostId,
        vm: { by: "socket", qmpSocket: missing, name: "no-such-vm" },
        downtimeLimitMs: 10,
        maxBandwidthBytesPerS: 32 * 1024 * 1024,
        idempotencyKey: randomUUID(),
      }),
    });
    const goJobs = await jobsFor(goHost);
    const loop = goJobLoop(goHost);
    const [goPlan, goPredict] = [await settled(goJobs.plan.id), await settled(goJobs.predict.id)];
    expect(await loop.stop(), loop.output()).toBe(0);

    const tsJobs = await jobsFor(tsHost);
    await tsRunsNext(tsHost);
    await tsRunsNext(tsHost);
    const [tsPlan, tsPredict] = [await settled(tsJobs.plan.id), await settled(tsJobs.predict.id)];

    expect(goPlan.state).toBe("succeeded");
    expect(goPlan.result).toMatchObject({ mode: "plan", ok: true, changes: [{ path: "/proc/sys/kernel/sched_rt_runtime_us", target: "-1\n" }, { path: "/etc/sysctl.d/99-nfvdeck.conf" }] });
    expect(goPredict.state).toBe("failed");
    expect(goPredict.reason).toMatch(/ENOENT/);
    for (const [go, ts] of [
      [goPlan, tsPlan],
      [goPredict, tsPredict],
    ] as const) {
      expect({ state: go.state, reason: go.reason, result: go.result }).toEqual({ state: ts.state, reason: ts.reason, result: ts.result });
      expect(go.audit.map((a) => a.action)).toEqual(ts.audit.map((a) => a.action));
    }
    expect(await journalEvents(goHost)).toEqual(await journalEvents(tsHost));
    expect(existsSync(path.join(goHost.state, JOBS_DIR, IN_FLIGHT_FILE))).toBe(false);
  });

  it("a job an earlier run left in flight is reported failed by job-recover before the next poll, never re-run", { timeout: 120_000 }, async () => {
    const h = await host("native-recover");
    const created = await operator.jobs.createTune({ hostId: h.hostId, mode: "plan", action: "tune.sysctl.sched_rt_runtime_us", params: {}, idempotencyKey: randomUUID() });
    // an earlier agent run claimed and started it, wrote its marker and died
    const agent = await agentCaller(h.hostToken);
    const offer = (await agent.agent.jobs.next({ waitMs: 0 })).job;
    expect(offer?.id).toBe(created.id);
    await agent.agent.jobs.start({ jobId: created.id });
    await fsp.mkdir(path.join(h.state, JOBS_DIR), { recursive: true });
    const marker = { jobId: created.id, kind: offer?.kind, params: offer?.params, startedAt: "2026-12-01T00:00:00.000Z" };
    await fsp.writeFile(path.join(h.state, JOBS_DIR, IN_FLIGHT_FILE), `${JSON.stringify(marker)}\n`);

    const loop = goJobLoop(h);
    const job = await settled(created.id);
    expect(await loop.stop(), loop.output()).toBe(0);
    expect(job.state).toBe("failed");
    expect(job.reason).toBe("the agent restarted during the job (started 2026-12-01T00:00:00.000Z); not re-run; tuning plan of tune.sysctl.sched_rt_runtime_us was interrupted; run verify to see the host's values");
    expect(await journalEvents(h)).toEqual(["interrupted"]);
    expect(existsSync(path.join(h.state, JOBS_DIR, IN_FLIGHT_FILE))).toBe(false);
  });

  it("a migration (real QEMU, bandwidth-starved): the operator's cancel reaches it through job-exec's lease renewals; SIGTERM to the Go loop mid-job ends the next one cancelled too", { timeout: 180_000 }, async () => {
    const h = await host("native-migrate");
    const startMigration = async (uri: string, qmpSocket: string) => {
      const created = await operator.jobs.createMigration({
        hostId: h.hostId,
        vm: { by: "socket", qmpSocket, name: "native-vm" },
        uri,
        maxBandwidthBytesPerS: 20_000,
        downtimeLimitMs: 300,
        timeoutS: 600,
        idempotencyKey: randomUUID(),
      });
      const deadline = Date.now() + 60_000;
      while ((await journalEvents(h).catch(() => [])).filter((e) => e === "started").length < started + 1) {
        if (Date.now() > deadline) throw new Error("the migration never started");
        await new Promise((r) => setTimeout(r, 100));
      }
      started++;
      await new Promise((r) => setTimeout(r, 1500)); // QEMU is migrating on the child's behalf
      return created.id;
    };
    let started = 0;

    const first = await startQemuPair();
    try {
      const loop = goJobLoop(h);
      const id = await startMigration(first.uri, first.source.qmpSocket);
      await operator.jobs.cancel({ id });
      const job = await settled(id);
      expect(job.state, loop.output()).toBe("cancelled");
      expect(job.audit.map((a) => a.action)).toContain("job.cancelled");
      expect(await loop.stop(), loop.output()).toBe(0);
      // the VM stays on the source, running (migrate_cancel, not a kill)
      expect(await qmp(first.source.qmpSocket, "query-status")).toMatchObject({ running: true });
    } finally {
      await first.cleanup();
    }

    const second = await startQemuPair();
    try {
      const loop = goJobLoop(h);
      const id = await startMigration(second.uri, second.source.qmpSocket);
      expect(await loop.stop(), loop.output()).toBe(0); // SIGTERM: returns once job-exec has ended the job
      const { job } = await viewer.jobs.get({ id });
      expect(job.state, loop.output()).toBe("cancelled");
      expect(existsSync(path.join(h.state, JOBS_DIR, IN_FLIGHT_FILE))).toBe(false);
      expect(await qmp(second.source.qmpSocket, "query-status")).toMatchObject({ running: true });
    } finally {
      await second.cleanup();
    }
    expect(await journalEvents(h)).toEqual(["received", "started", "abort", "finished", "received", "started", "finished"]);
  });
});
