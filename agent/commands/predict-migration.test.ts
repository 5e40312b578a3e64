/**
 * `npm run agent -- predict-migration …` as a subprocess against real QEMU (TCG): one JSON line, exit 0/1/2.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runAgentCli } from "@/agent/commands/test-support/run-agent-cli";
import { qmp, startQemuPair, type QemuPair } from "@/agent/actions/test-support/qemu";
import { predictMigrationResultSchema } from "@/server/contract/migration";

let pair: QemuPair | null = null;
afterEach(async () => {
  await pair?.cleanup();
  pair = null;
});

const runCli = (args: string[], timeoutMs?: number) => runAgentCli("predict-migration", args, timeoutMs);

describe("agent CLI predict-migration", () => {
  it("prints one prediction line for a live VM and exits 0; a paused VM: no prediction, exit 1", { timeout: 90_000 }, async () => {
    pair = await startQemuPair();
    const ok = await runCli(["--qmp", pair.source.qmpSocket, "--downtime-limit-ms", "10", "--max-bandwidth", String(32 * 1024 * 1024), "--json"]);
    expect(ok.code).toBe(0);
    const lines = ok.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = predictMigrationResultSchema.parse(JSON.parse(lines[0] ?? ""));
    expect(result.prediction?.message).toMatch(/^dirty rate .* vs 32 MiB\/s: converges at 10 ms/);

    await qmp(pair.source.qmpSocket, "stop");
    const paused = await runCli(["--qmp", pair.source.qmpSocket, "--json"]);
    expect(paused.code).toBe(1);
    expect(predictMigrationResultSchema.parse(JSON.parse(paused.stdout.trim())).reason).toMatch(/not running/);
  });

  it.each([
    ["no --json", ["--qmp", "/tmp/x.qmp"], /--json is required/],
    ["a downtime limit of 0", ["--qmp", "/tmp/x.qmp", "--downtime-limit-ms", "0", "--json"], /downtime-limit-ms/],
    ["an unknown flag", ["--qmp", "/tmp/x.qmp", "--uri", "exec:rm", "--json"], /uri|Unknown option/i],
    ["a missing socket", ["--qmp", "/nonexistent/nfvdeck/x.qmp", "--json"], /is not a unix socket/],
  ])("%s: exit 2 and one line on stderr", { timeout: 30_000 }, async (_what, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
