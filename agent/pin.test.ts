import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decidePinning, parseCpusAllowedList, selfCommand, threadsOffTarget } from "@/agent/pin";
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

describe("selfCommand (the argv a re-exec under taskset starts)", () => {
  it("keeps the runtime's flags and the script under Node or `bun file.js`", () => {
    expect(selfCommand("/usr/bin/node", ["--lite-mode"], ["/usr/bin/node", "/usr/lib/nfvdeck-agent/nfvdeck-agent.js", "run"])).toEqual([
      "/usr/bin/node",
      "--lite-mode",
      "/usr/lib/nfvdeck-agent/nfvdeck-agent.js",
      "run",
    ]);
  });
  it("drops the embedded entry of the compiled executable (it adds it itself)", () => {
    expect(selfCommand("/usr/bin/nfvdeck-agent", [], ["bun", "/$bunfs/root/nfvdeck-agent", "run", "--heartbeat", "10"])).toEqual([
      "/usr/bin/nfvdeck-agent",
      "run",
      "--heartbeat",
      "10",
    ]);
  });
});

describe("threadsOffTarget", () => {
  it.each([
    { threads: [{ tid: 10, allowed: [0] }, { tid: 11, allowed: [0] }], cpus: [0], off: [] },
    { threads: [{ tid: 10, allowed: [0] }, { tid: 11, allowed: [0, 1] }], cpus: [0], off: [11] },
    { threads: [{ tid: 10, allowed: [2, 3] }], cpus: [2], off: [10] },
    { threads: [], cpus: [0], off: [] },
  ])("$threads on $cpus → $off", ({ threads, cpus, off }) => {
    expect(threadsOffTarget(threads, cpus)).toEqual(off);
  });
});

interface PinCheckReport {
  pid: number;
  allowedList: string;
  reexeced: boolean;
  method: string;
  threads: { tid: number; allowed: number[] }[];
}

/**
 * Start `pin-check --hold-ms` (the same pinning as `run`) with NFVDECK_ISOLATED_CPUS naming the last
 * allowed CPU, run `check` on its first JSON line while it is alive, then stop it.
 */
async function withPinnedAgent(extraEnv: Record<string, string>, check: (report: PinCheckReport, childPid: number, stderr: string, housekeeping: string) => void): Promise<void> {
  const allowed = parseCpusAllowedList(readFileSync("/proc/self/status", "utf8")) ?? [];
  expect(allowed.length, "needs at least 2 allowed CPUs").toBeGreaterThanOrEqual(2);
  const isolated = allowed.at(-1) ?? 1; // on this 2-CPU machine: isolate "1", expect "0"
  const housekeeping = formatCpuList(allowed.filter((c) => c !== isolated));

  const repoRoot = path.resolve(import.meta.dirname, "..");
  // node itself (tsx as a loader, not the tsx CLI, which would add a parent process): child.pid is the agent.
  const child = spawn(process.execPath, ["--import", "tsx", "agent/main.ts", "pin-check", "--json", "--hold-ms", "20000"], {
    cwd: repoRoot,
    env: { ...process.env, NFVDECK_ISOLATED_CPUS: String(isolated), NFVDECK_AGENT_PINNED: "", NFVDECK_PIN_METHOD: "", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((r) => child.once("exit", r));
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
    check(JSON.parse(line) as PinCheckReport, child.pid ?? -1, stderr, housekeeping);
  } finally {
    child.kill("SIGTERM"); // re-exec path: forwarded to the pinned child by the waiting parent
    await exited;
  }
}

/** Cpus_allowed_list of every thread of a live process, read from outside as an operator would. */
function threadAllowedLists(pid: number): Map<number, string> {
  const out = new Map<number, string>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    out.set(Number(tid), formatCpuList(parseCpusAllowedList(readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8")) ?? []));
  }
  return out;
}

describe("pinning to housekeeping CPUs (real taskset)", () => {
  it("pins the running process in place: one process, every thread's Cpus_allowed_list is the housekeeping set", async () => {
    await withPinnedAgent({}, (report, childPid, stderr, housekeeping) => {
      expect(report.method).toBe("in-place");
      expect(report.reexeced).toBe(false);
      expect(report.pid).toBe(childPid); // no second Node process
      expect(formatCpuList(parseCpusAllowedList(readFileSync(`/proc/${childPid}/status`, "utf8")) ?? [])).toBe(housekeeping);
      const threads = threadAllowedLists(childPid);
      expect(threads.size).toBeGreaterThan(1); // Node always has V8 worker threads
      expect([...new Set(threads.values())]).toEqual([housekeeping]);
      expect(report.threads.map((t) => formatCpuList(t.allowed))).toEqual(report.threads.map(() => housekeeping));
      expect(report.allowedList).toBe(housekeeping);
      expect(stderr).toContain(`pinned in place to housekeeping CPUs ${housekeeping}`);
      expect(stderr).not.toContain("re-executing");
    });
  }, 60_000);

  it("falls back to re-executing under taskset -c; the re-executed process's threads are all on the housekeeping set", async () => {
    await withPinnedAgent({ NFVDECK_PIN_METHOD: "reexec" }, (report, childPid, stderr, housekeeping) => {
      expect(report.reexeced).toBe(true);
      expect(report.pid).not.toBe(childPid); // the pinned process is the re-executed one
      expect(formatCpuList(parseCpusAllowedList(readFileSync(`/proc/${report.pid}/status`, "utf8")) ?? [])).toBe(housekeeping);
      expect([...new Set(threadAllowedLists(report.pid).values())]).toEqual([housekeeping]);
      expect(report.allowedList).toBe(housekeeping);
      expect(stderr).toContain(`re-executing on housekeeping CPUs ${housekeeping}`);
    });
  }, 60_000);
});
