/**
 * The native agent's `run` against the REAL agent API (the ingest server on the test database): the Go
 * binary is built here (`go build` into a scratch dir), hosts are enrolled as the TS tests enrol them,
 * and the stored results are compared with what the TypeScript agent's own `run` stores for the same
 * tree. Also: a restart continues the sequence (no reuse, also when the TS agent takes over the same
 * state directory), and an outage spools reports that are delivered once, in order, when the server is back.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promises as fsp } from "node:fs";
import type http from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type net from "node:net";
import { saveCredentials } from "@/agent/state";
import { saveServerCa } from "@/agent/transport/tls-pin";
import { createAgentPort, ensureGeneratedAgentTls, type AgentTlsMaterial } from "@/server/agent-tls";
import { prisma } from "@/server/db";
import { createIngestServer } from "@/server/ingest-server";
import { recordStoredReports, storedReports } from "@/server/test/stored-reports";
import { enrolHost, signedInCaller, uniqueHostname } from "@/server/test/callers";

const REPO = path.resolve(import.meta.dirname, "../..");
const FIXTURE = path.join(REPO, "agent", "fixtures", "kvm4nfv-baseline");
const PORT = 3935;
const SERVER = `http://127.0.0.1:${PORT}`;

let dir = "";
let goAgent = "";
let ingest: http.Server | null = null;
const children: ChildProcess[] = [];
const tlsPorts: net.Server[] = [];

async function startIngest(): Promise<void> {
  const server = recordStoredReports(createIngestServer({ maxBodyBytes: 8 * 1024 * 1024 }));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(PORT, "127.0.0.1", () => resolve());
  });
  ingest = server;
}

async function stopIngest(): Promise<void> {
  const server = ingest;
  if (!server) return;
  ingest = null;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

interface Agent {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** A bare environment, as the unit's; no isolated CPUs (the agent must not pin itself in a test). */
function start(file: string, args: string[]): Agent {
  const child = spawn(file, args, {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    env: { NODE_ENV: "production", PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", NFVDECK_ISOLATED_CPUS: "" },
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

const runGo = (args: string[]) => start(goAgent, ["run", ...args]);
// One node process with tsx's loader in it, so SIGTERM reaches the agent's own handler. Not the tsx CLI:
// it relays SIGTERM to its node child and SIGKILLs it (exit 143) unless the child acknowledges within
// 30 ms, which a child whose event loop is busy (collecting, importing) on a loaded box misses.
const runTs = (args: string[]) => start(process.execPath, ["--import", "tsx", "agent/main.ts", "run", ...args]);

async function stop(agent: Agent): Promise<void> {
  agent.child.kill("SIGTERM");
  expect(await agent.exited, agent.output().slice(-3000)).toBe(0);
}

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs: number, agent?: Agent): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${agent ? `\nagent output:\n${agent.output().slice(-3000)}` : ""}`);
}

/**
 * The reports the server answered as stored, in answer order (a heartbeat writes no report-log row: it is
 * its host's Host.lastSequence).
 */
async function reportRows(hostId: string): Promise<{ key: string; sequence: number }[]> {
  return Promise.resolve(storedReports(hostId));
}

async function storedSections(hostId: string) {
  const rows = await prisma().hostSection.findMany({ where: { hostId }, orderBy: { section: "asc" } });
  return rows.map((r) => ({ section: r.section, hash: r.hash, ok: r.ok, available: r.available, error: r.error, data: r.data }));
}

async function spooled(stateDir: string): Promise<number[]> {
  const names = await fsp.readdir(path.join(stateDir, "spool")).catch(() => [] as string[]);
  return names.filter((n) => /^\d{16}\.json$/.test(n)).map((n) => Number(n.slice(0, 16))).sort((a, b) => a - b);
}

/** An enrolled host whose credentials are in a fresh state directory, as `enroll` leaves them. */
async function enrolledState(name: string): Promise<{ hostId: string; stateDir: string }> {
  const host = await enrolHost(uniqueHostname(name), { note: "native run test" });
  const stateDir = path.join(dir, `state-${name}`);
  await saveCredentials(stateDir, { hostId: host.hostId, hostToken: host.hostToken, server: SERVER, enrolledAt: new Date().toISOString() });
  return { hostId: host.hostId, stateDir };
}

/** Stored once each, keys host id + sequence, in send order (answer order = sequence order). */
function expectOnceInOrder(hostId: string, rows: { key: string; sequence: number }[]): void {
  expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  for (const r of rows) expect(r.key).toBe(`${hostId}:${r.sequence}`);
  const sequences = rows.map((r) => r.sequence);
  expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
}

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "nfvdeck-native-run-"));
  goAgent = path.join(dir, "nfvdeck-agent");
  await promisify(execFile)("go", ["build", "-o", goAgent, "./cmd/nfvdeck-agent"], { cwd: path.join(REPO, "agent", "native") });
  await startIngest();
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const p of tlsPorts) p.close();
  await stopIngest();
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

describe("native run against the real agent API", () => {
  it("stores the same sections as the TypeScript agent's run for the same tree; every report once, in order", async () => {
    const go = await enrolledState("go-run");
    const ts = await enrolledState("ts-run");
    const common = ["--root", FIXTURE, "--heartbeat", "0.2", "--no-jobs", "--verbose"];
    const goRun = runGo(["--state", go.stateDir, ...common]);
    // the TS agent's default (no --no-qos) would keep per-VNF resctrl groups by writing into the tree
    const tsRun = runTs(["--state", ts.stateDir, ...common, "--no-qos"]);
    await waitFor("5 Go reports stored", async () => (await reportRows(go.hostId)).length >= 5, 30_000, goRun);
    await waitFor("5 TS reports stored", async () => (await reportRows(ts.hostId)).length >= 5, 60_000, tsRun);
    await stop(goRun);
    await stop(tsRun);

    const goSections = await storedSections(go.hostId);
    expect(goSections.map((s) => s.section)).toEqual(["bios", "hugepages", "irq", "kernel", "kvm", "power", "resctrl", "topology", "vms"]);
    expect(goSections).toEqual(await storedSections(ts.hostId));
    expect(goSections.find((s) => s.section === "kernel")).toMatchObject({ ok: true, available: true });

    const rows = await reportRows(go.hostId);
    expectOnceInOrder(go.hostId, rows);
    expect(rows.map((r) => r.sequence)).toEqual(rows.map((_, i) => i));
    const host = await prisma().host.findUniqueOrThrow({ where: { id: go.hostId } });
    expect(Number(host.lastSequence)).toBe(rows.at(-1)?.sequence);
    expect([host.agentSpoolDropped, host.agentRejected, host.agentSetAside].map(Number)).toEqual([0, 0, 0]);
    expect(host.agentVersion).toBe("0.1.0");
    expect(await fsp.readFile(path.join(go.stateDir, "sequence"), "utf8")).toBe("999\n");
    // all delivered at stop (or left in the spool for the next start, never lost)
    const left = await spooled(go.stateDir);
    expect(left.every((s) => s > (rows.at(-1)?.sequence ?? -1))).toBe(true);
  }, 120_000);

  it("on a resctrl tree, with the default QoS path (per-VNF monitoring groups kept in the tree), the same sections as the TS agent", async () => {
    const go = await enrolledState("go-rdt");
    const ts = await enrolledState("ts-rdt");
    // writable copies: both agents remove leaked nfvdeck-* groups and keep their own in the tree
    const trees = [path.join(dir, "tree-go"), path.join(dir, "tree-ts")];
    for (const t of trees) {
      await fsp.cp(path.join(REPO, "agent", "fixtures", "ht-on-rdt"), t, { recursive: true });
      await fsp.mkdir(path.join(t, "sys/fs/resctrl/mon_groups/nfvdeck-leaked"), { recursive: true });
    }
    const common = ["--heartbeat", "0.2", "--no-jobs"];
    const goRun = runGo(["--state", go.stateDir, "--root", trees[0] ?? "", ...common]);
    const tsRun = runTs(["--state", ts.stateDir, "--root", trees[1] ?? "", ...common]);
    await waitFor("3 Go reports stored", async () => (await reportRows(go.hostId)).length >= 3, 30_000, goRun);
    await waitFor("3 TS reports stored", async () => (await reportRows(ts.hostId)).length >= 3, 60_000, tsRun);
    await stop(goRun);
    await stop(tsRun);
    const goSections = await storedSections(go.hostId);
    const resctrl = goSections.find((s) => s.section === "resctrl");
    expect(resctrl).toMatchObject({ ok: true, available: true, data: { mounted: true, vnfGroups: [] } });
    expect(goSections).toEqual(await storedSections(ts.hostId));
    for (const t of trees) await expect(fsp.stat(path.join(t, "sys/fs/resctrl/mon_groups/nfvdeck-leaked"))).rejects.toThrow();
    expectOnceInOrder(go.hostId, await reportRows(go.hostId));
  }, 120_000);

  it("a restart continues after the reserved block, and the TS agent on the same state directory continues after that", async () => {
    const go = await enrolledState("go-restart");
    const args = ["--state", go.stateDir, "--root", FIXTURE, "--heartbeat", "0.2", "--no-jobs"];
    let agent = runGo(args);
    await waitFor("3 reports", async () => (await reportRows(go.hostId)).length >= 3, 30_000, agent);
    await stop(agent);
    const first = (await reportRows(go.hostId)).length + (await spooled(go.stateDir)).length;

    agent = runGo(args);
    await waitFor("reports of the second run", async () => (await reportRows(go.hostId)).some((r) => r.sequence >= 1000), 30_000, agent);
    await stop(agent);
    expect(await fsp.readFile(path.join(go.stateDir, "sequence"), "utf8")).toBe("1999\n");

    // the same directory under the TypeScript agent: its credentials, sequence file and spool
    const tsAgent = runTs([...args, "--no-qos"]);
    await waitFor("reports of the TS agent", async () => (await reportRows(go.hostId)).some((r) => r.sequence >= 2000), 60_000, tsAgent);
    await stop(tsAgent);

    const rows = await reportRows(go.hostId);
    expectOnceInOrder(go.hostId, rows);
    const seqs = rows.map((r) => r.sequence);
    expect(seqs.filter((s) => s < 1000)).toEqual(Array.from({ length: first }, (_, i) => i));
    expect(seqs.filter((s) => s >= 1000 && s < 2000)[0]).toBe(1000);
    expect(seqs.filter((s) => s >= 2000)[0]).toBe(2000);
  }, 150_000);

  it("runs the server's latency schedule with cyclictest and the run is stored once", async () => {
    const go = await enrolledState("go-latency");
    const operator = await signedInCaller("operator");
    await operator.latency.setSchedule({
      hostId: go.hostId,
      schedule: { enabled: true, cpus: "0", durationS: 1, intervalUs: 1000, priority: 1, histogramSize: 100, everyMinutes: 60, load: "idle" },
    });
    const agent = runGo(["--state", go.stateDir, "--root", FIXTURE, "--heartbeat", "0.2", "--no-jobs"]);
    const runs = () => prisma().latencyRun.findMany({ where: { hostId: go.hostId }, select: { source: true, durationS: true, histogramSize: true, cycles: true } });
    await waitFor("a stored latency run", async () => (await runs()).length > 0, 45_000, agent);
    await new Promise((r) => setTimeout(r, 1000)); // more heartbeats: an every-60-min schedule must not run again
    await stop(agent);
    expect(agent.output()).toMatch(/latency schedule: cpus 0 every 60 min/);
    const stored = await runs();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ source: "agent", histogramSize: 100 });
    // the measured wall time of a 1 s run
    expect(stored[0]?.durationS).toBeGreaterThanOrEqual(1);
    expect(Number(stored[0]?.cycles)).toBeGreaterThan(0);
  }, 90_000);

  it("over https with the CA pinned at enrolment: reports through the real agent port; an impostor's port gets no request", async () => {
    const [real, impostor] = await Promise.all([ensureGeneratedAgentTls(path.join(dir, "tls-real")), ensureGeneratedAgentTls(path.join(dir, "tls-impostor"))]);
    const agentPort = async (material: AgentTlsMaterial, port: number) => {
      const httpServer = recordStoredReports(createIngestServer({ maxBodyBytes: 8 * 1024 * 1024 }));
      let requests = 0;
      httpServer.prependListener("request", () => requests++);
      const tlsPort = createAgentPort(httpServer, material);
      await new Promise<void>((r) => tlsPort.listen(port, "127.0.0.1", r));
      tlsPorts.push(tlsPort);
      return { requests: () => requests };
    };
    const good = await agentPort(real, PORT + 2);
    const bad = await agentPort(impostor, PORT + 3);
    const host = await enrolHost(uniqueHostname("go-tls"), { note: "native run tls test" });
    const stateDir = path.join(dir, "state-go-tls");
    const httpsServer = `https://127.0.0.1:${PORT + 2}`;
    await saveCredentials(stateDir, { hostId: host.hostId, hostToken: host.hostToken, server: httpsServer, enrolledAt: new Date().toISOString() });
    await saveServerCa(stateDir, real.caFingerprint, real.caPem);

    const agent = runGo(["--state", stateDir, "--root", FIXTURE, "--heartbeat", "0.2", "--no-jobs"]);
    await waitFor("3 reports over TLS", async () => (await reportRows(host.hostId)).length >= 3, 30_000, agent);
    await stop(agent);
    expect(good.requests()).toBeGreaterThanOrEqual(3);
    expectOnceInOrder(host.hostId, await reportRows(host.hostId));

    // the same pinned CA, another server: the handshake is refused, the token never leaves
    const misled = runGo(["--state", stateDir, "--root", FIXTURE, "--heartbeat", "0.2", "--no-jobs", "--server", `https://127.0.0.1:${PORT + 3}`]);
    await waitFor("a refused handshake", async () => /cannot deliver report \d+ \(no answer: .*pinned CA/.test(misled.output()), 20_000, misled);
    await stop(misled);
    expect(bad.requests()).toBe(0);
  }, 90_000);

  it("an outage spools the reports; they are delivered once, in order, when the server is back", async () => {
    const go = await enrolledState("go-outage");
    const agent = runGo(["--state", go.stateDir, "--root", FIXTURE, "--heartbeat", "0.2", "--backoff-max-ms", "800", "--timeout-ms", "2000", "--verbose"]);
    await waitFor("3 reports stored", async () => (await reportRows(go.hostId)).length >= 3, 30_000, agent);

    await stopIngest();
    await new Promise((r) => setTimeout(r, 3000));
    const duringOutage = await spooled(go.stateDir);
    expect(duringOutage.length, agent.output().slice(-2000)).toBeGreaterThanOrEqual(5);
    expect(agent.output()).toMatch(/cannot deliver report \d+ \(no answer: .*\); spooling, retry in \d+ ms/);
    const storedBefore = await reportRows(go.hostId);
    // only the report in flight when the server went away may be stored already (its answer was lost)
    expect(storedBefore.filter((r) => duringOutage.includes(r.sequence)).every((r) => r.sequence === duringOutage[0])).toBe(true);

    await startIngest();
    const lastOutage = duringOutage.at(-1) ?? 0;
    await waitFor("the outage's reports delivered", async () => (await reportRows(go.hostId)).some((r) => r.sequence > lastOutage + 2), 30_000, agent);
    await stop(agent);
    expect(agent.output()).toMatch(/server reachable again after \d+ failed attempt\(s\)/);

    const rows = await reportRows(go.hostId);
    expectOnceInOrder(go.hostId, rows);
    expect(rows.map((r) => r.sequence)).toEqual(rows.map((_, i) => i));
    for (const seq of duringOutage) expect(rows.filter((r) => r.sequence === seq)).toHaveLength(1);
  }, 120_000);
});
