/**
 * `npm run agent -- migrate …` as a subprocess against real QEMU: JSON lines on stdout, exit codes 0/1/2.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { inspectMigration } from "@/agent/actions/migrate";
import { parseQueryMigrate, queryStatusSchema } from "@/agent/actions/query-migrate";
import { runAgentCli } from "@/agent/commands/test-support/run-agent-cli";
import { qmp, startQemuPair, type QemuPair } from "@/agent/actions/test-support/qemu";
import { migrateProgressSchema, migrateResultSchema } from "@/server/contract/migration";

const REPO = path.resolve(import.meta.dirname, "../..");

let pair: QemuPair | null = null;
afterEach(async () => {
  await pair?.cleanup();
  pair = null;
});

const runCli = (args: string[], timeoutMs?: number) => runAgentCli("migrate", args, timeoutMs);

/** One node process (no tsx wrapper in between), so a signal reaches the agent itself. */
function startCliUntilActive(args: string[]): { child: ChildProcess; firstActive: Promise<void>; done: Promise<{ code: number | null; stdout: string }> } {
  const child = spawn(process.execPath, ["--import", "tsx", "agent/main.ts", "migrate", ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let resolveActive: () => void = () => undefined;
  const firstActive = new Promise<void>((resolve) => (resolveActive = resolve));
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    if (/"status":"active"/.test(stdout)) resolveActive();
  });
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) => child.on("close", (code) => resolve({ code, stdout })));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  void done.then(() => clearTimeout(timer));
  return { child, firstActive, done };
}

function jsonLines(stdout: string): unknown[] {
  return stdout
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as unknown);
}

describe("agent migrate (CLI)", () => {
  it("migrates an idle guest: progress lines, then one result line with QEMU's figures; exit 0", { timeout: 90_000 }, async () => {
    pair = await startQemuPair();
    const out = await runCli(["--qmp", pair.source.qmpSocket, "--uri", pair.uri, "--dest-qmp", pair.dest.qmpSocket, "--downtime-limit-ms", "10", "--timeout-s", "30", "--json"]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const lines = jsonLines(out.stdout);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines.slice(0, -1)) migrateProgressSchema.parse(line);
    const result = migrateResultSchema.parse(lines.at(-1));
    expect(result.status).toBe("completed");
    const after = parseQueryMigrate(await qmp(pair.source.qmpSocket, "query-migrate"));
    expect(result.totalTimeMs).toBe(after["total-time"]);
    expect(result.downtimeMs).toBe(after.downtime);
    expect(result.setupTimeMs).toBe(after["setup-time"]);
    expect(result.transferredBytes).toBe(after.ram?.transferred);
    expect(["pass", "fail"]).toContain(result.verdict);
    expect(result.reason).not.toBeNull();
  });

  it("a migration that fails: the result line says so; exit 1", { timeout: 60_000 }, async () => {
    pair = await startQemuPair();
    const out = await runCli(["--qmp", pair.source.qmpSocket, "--uri", "tcp:127.0.0.1:1", "--json"]);
    expect(out.code).toBe(1);
    const result = migrateResultSchema.parse(jsonLines(out.stdout).at(-1));
    expect(result.status).toBe("failed");
    expect(result.verdict).toBe("fail");
    expect(result.sourceRunning).toBe(true);
    expect(result.reason).toMatch(/Connection refused/);
  });

  it("SIGTERM mid-way cancels the migration (migrate_cancel): result cancelled, exit 1, still running on the source", { timeout: 90_000 }, async () => {
    pair = await startQemuPair();
    const { child, firstActive, done } = startCliUntilActive(["--qmp", pair.source.qmpSocket, "--uri", pair.uri, "--max-bandwidth", "300000", "--json"]);
    await firstActive;
    child.kill("SIGTERM");
    const out = await done;
    expect(out.code).toBe(1);
    const result = migrateResultSchema.parse(jsonLines(out.stdout).at(-1));
    expect(result.status).toBe("cancelled");
    expect(result.sourceRunning).toBe(true);
    expect(parseQueryMigrate(await qmp(pair.source.qmpSocket, "query-migrate")).status).toBe("cancelled");
  });

  it("an agent killed mid-migration (SIGKILL): QEMU carries on, and inspectMigration reports QEMU's own state", { timeout: 90_000 }, async () => {
    pair = await startQemuPair();
    const { child, firstActive, done } = startCliUntilActive(["--qmp", pair.source.qmpSocket, "--uri", pair.uri, "--max-bandwidth", "300000", "--json"]);
    await firstActive;
    child.kill("SIGKILL");
    expect((await done).code).toBeNull();
    const seen = await inspectMigration(pair.source.qmpSocket);
    expect(seen.status).toBe("active");
    expect(parseQueryMigrate(seen.raw).ram?.transferred).toBeGreaterThan(0);
    // Nobody re-runs it: it finishes on its own (or is cancelled by the operator), and the VM state follows QEMU.
    const deadline = Date.now() + 30_000;
    while ((await inspectMigration(pair.source.qmpSocket)).status === "active" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await inspectMigration(pair.source.qmpSocket)).status).toBe("completed");
    expect(queryStatusSchema.parse(await qmp(pair.dest.qmpSocket, "query-status")).running).toBe(true);
  });

  it.each([
    { name: "missing socket", args: ["--qmp", "/nonexistent/nfvdeck-src.qmp", "--uri", "tcp:127.0.0.1:4444", "--json"], error: /--qmp \/nonexistent\/nfvdeck-src\.qmp is not a unix socket/ },
    { name: "missing --uri", args: ["--qmp", "/tmp/x.qmp", "--json"], error: /--uri/ },
    { name: "unknown capability", args: ["--qmp", "/tmp/x.qmp", "--uri", "u", "--capabilities", "postcopy-ram,warp-drive", "--json"], error: /--capabilities/ },
    { name: "bad policy", args: ["--qmp", "/tmp/x.qmp", "--uri", "u", "--on-no-convergence", "pray", "--json"], error: /--on-no-convergence/ },
    { name: "downtime limit out of range", args: ["--qmp", "/tmp/x.qmp", "--uri", "u", "--downtime-limit-ms", "0", "--json"], error: /--downtime-limit-ms/ },
    { name: "bandwidth not a number", args: ["--qmp", "/tmp/x.qmp", "--uri", "u", "--max-bandwidth", "32M", "--json"], error: /--max-bandwidth/ },
    { name: "unknown flag", args: ["--qmp", "/tmp/x.qmp", "--uri", "u", "--fast", "--json"], error: /--fast/ },
    { name: "exec: URI (a shell command)", args: ["--qmp", "/tmp/x.qmp", "--uri", "exec:cat > /tmp/x", "--json"], error: /--uri: tcp:HOST:PORT, unix:\/PATH or rdma:HOST:PORT only/ },
    { name: "no --json", args: ["--qmp", "/tmp/x.qmp", "--uri", "u"], error: /--json/ },
  ])("bad arguments ($name): exit 2 and one line on stderr, nothing on stdout", { timeout: 30_000 }, async ({ args, error }) => {
    const out = await runCli(args);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr.endsWith("\n")).toBe(true);
    expect(out.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(out.stderr).toMatch(error);
  });
});
