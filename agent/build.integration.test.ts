import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { buildAgent, compileAgentExecutable } from "@/agent/build";
import { UNIT_EXECUTABLE_ENV } from "@/agent/bench/footprint";

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

  it("keeps the CLI's exit codes: an unknown command exits 2 with usage on stderr", async () => {
    const err = await run(executable, ["no-such-command"], { env: { NODE_ENV: "production", PATH: "/usr/bin:/bin" } }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/unknown command "no-such-command"/);
  }, 60_000);
});
