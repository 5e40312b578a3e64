import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { buildAgent, compileAgentExecutable } from "@/agent/build";
import { UNIT_EXECUTABLE_ENV } from "@/agent/bench/footprint";
import { saveCredentials } from "@/agent/state";

const run = promisify(execFile);
const fixture = path.resolve(import.meta.dirname, "fixtures", "kvm4nfv-baseline");

/** Everything but what differs between any two runs (timestamps, durations). */
function stable(reportJson: string): unknown {
  return JSON.parse(reportJson, (key, value: unknown) => (key === "collectedAt" || key === "durationMs" ? undefined : value));
}

describe("the agent as one executable (bun build --compile)", () => {
  let bundle = "";
  let executable = "";
  beforeAll(async () => {
    bundle = (await buildAgent()).outfile;
    executable = (await compileAgentExecutable(bundle)).executable;
  }, 120_000);

  it("reports exactly what the Node bundle reports on a captured tree, without Node", async () => {
    // the systemd unit's environment (JIT off, --smol, …), as shipped
    const env = { ...UNIT_EXECUTABLE_ENV, NODE_ENV: "production", PATH: "/usr/bin:/bin", NFVDECK_ISOLATED_CPUS: "" } as const;
    const viaExe = await run(executable, ["once", "--root", fixture, "--json"], { env, maxBuffer: 16 << 20 });
    const viaNode = await run(process.execPath, [bundle, "once", "--root", fixture, "--json"], { env, maxBuffer: 16 << 20 });
    expect(stable(viaExe.stdout)).toEqual(stable(viaNode.stdout));
    expect((stable(viaExe.stdout) as { hostname: string }).hostname).toBe("otcnfv02");
  }, 60_000);

  it("pages out its start-up code through bun:ffi under the unit's environment (agent/trim.ts)", async () => {
    let reports = 0;
    const sink = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        reports += 1;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ result: { data: { json: { stored: true, duplicate: false, sectionsChanged: [], config: { heartbeatSeconds: 10, latencySchedule: null } } } } }));
      });
    });
    await new Promise<void>((r) => sink.listen(0, "127.0.0.1", () => r()));
    const stateDir = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-exe-trim-"));
    const server = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    await saveCredentials(stateDir, { hostId: "0b6f3c5e-2f57-4a8e-9a43-3f1d1c0f6a13", hostToken: "t".repeat(40), server, enrolledAt: new Date().toISOString() });
    const child = spawn(executable, ["run", "--state", stateDir, "--root", fixture, "--heartbeat", "0.2", "--no-jobs", "--verbose"], {
      env: { ...UNIT_EXECUTABLE_ENV, NODE_ENV: "production", PATH: "/usr/bin:/bin", NFVDECK_ISOLATED_CPUS: "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      const deadline = Date.now() + 30_000;
      while (!/code pages: (paged out|cannot)/.test(stderr) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toMatch(/code pages: paged out [1-9]\d* read-only mapping/);
      expect(reports).toBeGreaterThan(0);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r(null)));
      sink.closeAllConnections();
      await new Promise<void>((r) => sink.close(() => r()));
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("keeps the CLI's exit codes: an unknown command exits 2 with usage on stderr", async () => {
    const err = await run(executable, ["no-such-command"], { env: { NODE_ENV: "production", PATH: "/usr/bin:/bin" } }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/unknown command "no-such-command"/);
  }, 60_000);
});
