import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decidePinning, parseCpusAllowedList } from "@/agent/pin";
import { formatCpuList } from "@/server/domain/cpuset/cpuset";

describe("parseCpusAllowedList", () => {
  it.each([
    ["Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t1\n", [0, 1]],
    ["Cpus_allowed_list:\t0,2-4,7\n", [0, 2, 3, 4, 7]],
    ["Cpus_allowed_list:\t5", [5]],
    ["Name:\tnode\n", null],
    ["Cpus_allowed_list:\tgarbage\n", null],
    ["", null],
  ])("%j → %j", (text, cpus) => {
    expect(parseCpusAllowedList(text)).toEqual(cpus);
  });
});

describe("decidePinning", () => {
  it.each([
    { name: "nothing isolated", allowed: [0, 1], online: [0, 1], isolated: [], expected: { action: "none" } },
    { name: "already on housekeeping", allowed: [0, 1], online: [0, 1, 2, 3], isolated: [2, 3], expected: { action: "none" } },
    { name: "touches the isolated set", allowed: [0, 1], online: [0, 1], isolated: [1], expected: { action: "pin", cpus: [0] } },
    { name: "KVM4NFV layout", allowed: range(0, 35), online: range(0, 35), isolated: [...range(11, 15), ...range(31, 35)], expected: { action: "pin", cpus: [...range(0, 10), ...range(16, 30)] } },
    { name: "cpuset-restricted: stays inside the allowed set", allowed: [2, 3, 4], online: range(0, 7), isolated: [4, 5], expected: { action: "pin", cpus: [2, 3] } },
    { name: "allowed only isolated CPUs: move to online housekeeping", allowed: [4, 5], online: range(0, 7), isolated: [4, 5], expected: { action: "pin", cpus: [0, 1, 2, 3, 6, 7] } },
    { name: "everything isolated", allowed: [0, 1], online: [0, 1], isolated: [0, 1], expected: { action: "impossible" } },
  ])("$name", ({ allowed, online, isolated, expected }) => {
    expect(decidePinning({ allowed, online, isolated })).toMatchObject(expected);
  });
});

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

describe("re-exec on housekeeping CPUs (real taskset)", () => {
  it("moves the agent off an overridden isolated CPU; the live process's Cpus_allowed_list is the housekeeping set", async () => {
    const allowed = parseCpusAllowedList(readFileSync("/proc/self/status", "utf8")) ?? [];
    expect(allowed.length, "needs at least 2 allowed CPUs").toBeGreaterThanOrEqual(2);
    const isolated = allowed.at(-1) ?? 1; // on this 2-CPU machine: isolate "1", expect "0"
    const housekeeping = formatCpuList(allowed.filter((c) => c !== isolated));

    const repoRoot = path.resolve(import.meta.dirname, "..");
    const child = spawn(path.join(repoRoot, "node_modules/.bin/tsx"), ["agent/main.ts", "pin-check", "--json", "--hold-ms", "20000"], {
      cwd: repoRoot,
      env: { ...process.env, NFVDECK_ISOLATED_CPUS: String(isolated), NFVDECK_AGENT_PINNED: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf("\n");
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      child.on("exit", (code) => reject(new Error(`pin-check exited ${code} before printing: ${stderr}`)));
    });
    try {
      const report = JSON.parse(line) as { pid: number; allowedList: string; reexeced: boolean };
      expect(report.reexeced).toBe(true);
      expect(report.pid).not.toBe(child.pid); // the pinned process is the re-executed one
      // Read the live process's affinity from outside, as an operator would.
      const status = readFileSync(`/proc/${report.pid}/status`, "utf8");
      expect(formatCpuList(parseCpusAllowedList(status) ?? [])).toBe(housekeeping);
      expect(report.allowedList).toBe(housekeeping);
      expect(stderr).toContain(`re-executing on housekeeping CPUs ${housekeeping}`);
    } finally {
      child.kill("SIGTERM"); // forwarded to the pinned child by the waiting parent
      await new Promise((r) => child.once("exit", r));
    }
  }, 60_000);
});
