import { spawn, type ChildProcess } from "node:child_process";
import { promises as fsp } from "node:fs";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createIngestServer } from "@/server/ingest-server";
import { createEnrollmentToken } from "@/server/repo/enrollment";
import { prisma } from "@/server/db";
import { recordStoredReports, storedReports } from "@/server/test/stored-reports";
import { loadCredentials } from "@/agent/state";

/**
 * Store and forward for real: the real ingest server on the test database, the real agent CLI
 * (`enroll`, then `run` with a 200 ms heartbeat) as a child process. The server goes away for several
 * seconds (dozens of heartbeats), comes back on the same port, and every report must arrive once, in order.
 */
const repoRoot = path.resolve(import.meta.dirname, "../..");
const cleanup: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
});

async function listen(server: http.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function kill(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

interface Agent {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startAgent(args: string[]): Agent {
  // one node process with tsx's loader inside: the tsx CLI wrapper SIGKILLs its child (exit 143) when the
  // child's event loop is busy for 30 ms as SIGTERM arrives, so the agent's own handler would never run
  const child = spawn(process.execPath, ["--import", "tsx", "agent/main.ts", ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NFVDECK_ISOLATED_CPUS: "" } });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  cleanup.push(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return { child, output: () => out, exited };
}

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs: number, agent?: Agent): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${agent ? `\nagent output:\n${agent.output().slice(-3000)}` : ""}`);
}

async function spooled(stateDir: string): Promise<number[]> {
  const names = await fsp.readdir(path.join(stateDir, "spool")).catch(() => [] as string[]);
  return names.filter((n) => /^\d{16}\.json$/.test(n)).map((n) => Number(n.slice(0, 16))).sort((a, b) => a - b);
}

/**
 * The reports the server answered as stored, in answer order (a heartbeat writes no report-log row: it is
 * its host's Host.lastSequence).
 */
async function reportRows(hostId: string) {
  return Promise.resolve(storedReports(hostId));
}

describe("agent store and forward", () => {
  it("delivers every report spooled during a server outage exactly once, in order; a resend is stored once", async () => {
    const stateDir = await fsp.mkdtemp(path.join(os.tmpdir(), "nfvdeck-agent-state-"));
    cleanup.push(() => fsp.rm(stateDir, { recursive: true, force: true }));

    let server = recordStoredReports(createIngestServer({ maxBodyBytes: 8 * 1024 * 1024 }));
    const port = await listen(server, 0);
    cleanup.push(() => kill(server));
    const url = `http://127.0.0.1:${port}`;

    // Enrol through the CLI: credentials land 0600 in the state dir.
    const { token } = await createEnrollmentToken({ createdById: null, note: "store-and-forward test", ttlHours: 1 });
    const enroll = startAgent(["enroll", "--server", url, "--token", token, "--state", stateDir, "--hostname", "saf-test"]);
    expect(await enroll.exited, enroll.output()).toBe(0);
    const creds = await loadCredentials(stateDir);
    expect(creds?.server).toBe(url);
    const hostId = creds?.hostId ?? "";
    expect((await fsp.stat(path.join(stateDir, "credentials.json"))).mode & 0o777).toBe(0o600);

    const runArgs = ["run", "--state", stateDir, "--root", "/", "--heartbeat", "0.2", "--backoff-max-ms", "800", "--timeout-ms", "2000", "--no-qos", "--verbose"];
    const agent = startAgent(runArgs);
    await waitFor("5 reports stored", async () => (await reportRows(hostId)).length >= 5, 30_000, agent);

    // Outage: the server is gone (port closed, connections cut) for 6 s ≈ 30 heartbeats.
    await kill(server);
    await new Promise((r) => setTimeout(r, 6000));
    const duringOutage = await spooled(stateDir);
    const snapshot = await fsp.mkdtemp(path.join(os.tmpdir(), "nfvdeck-spool-copy-"));
    cleanup.push(() => fsp.rm(snapshot, { recursive: true, force: true }));
    for (const seq of duringOutage) {
      const name = `${String(seq).padStart(16, "0")}.json`;
      await fsp.copyFile(path.join(stateDir, "spool", name), path.join(snapshot, name)).catch(() => undefined);
    }
    expect(duringOutage.length, agent.output().slice(-2000)).toBeGreaterThanOrEqual(15);
    const storedBefore = await reportRows(hostId);
    // Only the report in flight when the server died may be stored already (its answer was lost): the
    // agent keeps it and resends it, and the server must then store it once.
    const storedAndSpooled = storedBefore.filter((r) => duringOutage.includes(r.sequence)).map((r) => r.sequence);
    expect(storedAndSpooled.every((s) => s === duringOutage[0])).toBe(true);

    // Back on the same port.
    server = recordStoredReports(createIngestServer({ maxBodyBytes: 8 * 1024 * 1024 }));
    await listen(server, port);
    const lastOutage = duringOutage.at(-1) ?? 0;
    await waitFor(
      "the outage's reports to be delivered",
      async () => (await reportRows(hostId)).some((r) => r.sequence > lastOutage + 2),
      30_000,
      agent,
    );
    agent.child.kill("SIGTERM");
    expect(await agent.exited, agent.output().slice(-2000)).toBe(0);

    const rows = await reportRows(hostId);
    const sequences = rows.map((r) => r.sequence);
    // no duplicates
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    // keys are host id + sequence
    for (const r of rows) expect(r.key).toBe(`${hostId}:${r.sequence}`);
    // no gaps: 0..max, and stored in send order (answer order = sequence order)
    expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, i) => i));
    // every report queued during the outage arrived exactly once
    for (const seq of duringOutage) expect(sequences.filter((s) => s === seq)).toHaveLength(1);
    // and the host's row holds the newest
    expect(Number((await prisma().host.findUniqueOrThrow({ where: { id: hostId }, select: { lastSequence: true } })).lastSequence)).toBe(sequences.at(-1));

    // A crash between "stored" and "removed from the spool" means resending: put the outage's
    // files back and start the agent again. The server must answer "duplicate" and store nothing new.
    for (const name of await fsp.readdir(snapshot)) await fsp.copyFile(path.join(snapshot, name), path.join(stateDir, "spool", name));
    const again = startAgent(runArgs);
    await waitFor(
      "the resent reports to leave the spool",
      async () => (await spooled(stateDir)).every((s) => s > lastOutage),
      30_000,
      again,
    );
    again.child.kill("SIGTERM");
    expect(await again.exited, again.output().slice(-2000)).toBe(0);
    expect(again.output()).toMatch(new RegExp(`delivered sequence ${duringOutage[0]} \\(duplicate, already stored\\)`));
    const after = await reportRows(hostId);
    for (const seq of duringOutage) expect(after.filter((r) => r.sequence === seq)).toHaveLength(1);
    expect(new Set(after.map((r) => r.key)).size).toBe(after.length);
    // the restarted agent never reuses a sequence number
    const newOnes = after.filter((r) => !sequences.includes(r.sequence)).map((r) => r.sequence);
    expect(newOnes.length).toBeGreaterThan(0);
    expect(Math.min(...newOnes)).toBeGreaterThan(Math.max(...sequences));
  }, 180_000);
});
