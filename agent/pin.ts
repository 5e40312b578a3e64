import { execFile, spawn } from "node:child_process";
import { HostFs } from "@/agent/hostfs";
import { readIsolatedCpus } from "@/agent/collectors/kernel";
import { formatCpuList, intersectCpus, subtractCpus, tryParseCpuList } from "@/server/domain/cpuset/cpuset";

/** Set in the re-executed child: it must never re-exec again (no loop if pinning did not take). */
export const PINNED_ENV = "NFVDECK_AGENT_PINNED";
/** Test/ops override of the isolated set, a cpu list ("1", "2-5"); empty = nothing isolated. */
export const ISOLATED_OVERRIDE_ENV = "NFVDECK_ISOLATED_CPUS";

/** `Cpus_allowed_list:\t0-3` from /proc/<pid>/status (pure); null when absent or garbage. */
export function parseCpusAllowedList(statusText: string): number[] | null {
  const m = /^Cpus_allowed_list:\s*(\S*)\s*$/m.exec(statusText);
  return m ? tryParseCpuList(m[1] ?? "") : null;
}

export type PinDecision =
  | { action: "none"; reason: string }
  | { action: "pin"; cpus: number[]; reason: string }
  | { action: "impossible"; reason: string };

/**
 * Should the agent move, and where (pure)? If its allowed CPUs touch the isolated set, it moves to
 * allowed − isolated (staying inside any cpuset the service manager gave it); if that is empty, to
 * online − isolated; if that is empty too, every CPU is isolated and there is nowhere to go.
 */
export function decidePinning(input: { allowed: readonly number[]; online: readonly number[]; isolated: readonly number[] }): PinDecision {
  const touching = intersectCpus(input.allowed, input.isolated);
  if (touching.length === 0) return { action: "none", reason: `allowed CPUs ${formatCpuList(input.allowed)} avoid the isolated set ${formatCpuList(input.isolated) || "(none)"}` };
  const inside = subtractCpus(input.allowed, input.isolated);
  const cpus = inside.length > 0 ? inside : subtractCpus(input.online, input.isolated);
  if (cpus.length === 0) return { action: "impossible", reason: `every CPU is isolated (${formatCpuList(input.isolated)}): no housekeeping CPU to run on` };
  return { action: "pin", cpus, reason: `allowed CPUs ${formatCpuList(input.allowed)} include isolated ${formatCpuList(touching)}` };
}

export interface AffinityInfo {
  pid: number;
  allowed: number[];
  /** Cpus_allowed_list of every thread of this process (/proc/self/task/<tid>/status), by tid */
  threads: { tid: number; allowed: number[] }[];
  isolated: number[];
  online: number[];
  housekeeping: number[];
  /** true in the process started by the re-exec fallback */
  reexeced: boolean;
}

/** This process's (and each of its threads') allowed CPUs and the host's isolated/housekeeping sets (override honoured). */
export async function readAffinity(env: NodeJS.ProcessEnv = process.env): Promise<AffinityInfo> {
  const fs = new HostFs("/");
  const status = (await fs.readText("proc/self/status")) ?? "";
  const host = await readIsolatedCpus(fs);
  const override = env[ISOLATED_OVERRIDE_ENV];
  let isolated = host.isolated;
  if (override !== undefined) {
    const parsed = tryParseCpuList(override);
    if (parsed === null) throw new Error(`${ISOLATED_OVERRIDE_ENV}="${override}" is not a cpu list`);
    isolated = parsed;
  }
  return {
    pid: process.pid,
    allowed: parseCpusAllowedList(status) ?? [],
    threads: await readThreadAffinity(fs),
    isolated,
    online: host.online,
    housekeeping: subtractCpus(host.online, isolated),
    reexeced: env[PINNED_ENV] === "1",
  };
}

async function readThreadAffinity(fs: HostFs): Promise<{ tid: number; allowed: number[] }[]> {
  const out: { tid: number; allowed: number[] }[] = [];
  for (const name of (await fs.listDir("proc/self/task")) ?? []) {
    if (!/^\d+$/.test(name)) continue;
    // a thread may exit between the listing and the read
    const status = await fs.readTextOptional(`proc/self/task/${name}/status`);
    if (status !== null) out.push({ tid: Number(name), allowed: parseCpusAllowedList(status) ?? [] });
  }
  return out.sort((a, b) => a.tid - b.tid);
}

/** Threads whose allowed CPUs are not exactly `cpus` (pure). */
export function threadsOffTarget(threads: readonly { tid: number; allowed: readonly number[] }[], cpus: readonly number[]): number[] {
  const want = formatCpuList(cpus);
  return threads.filter((t) => formatCpuList(t.allowed) !== want).map((t) => t.tid);
}

export type PinOutcome =
  | { kind: "continue"; info: AffinityInfo; decision: PinDecision; method: "none" | "in-place" | "reexeced" | "unpinned" }
  /** this process re-executed itself pinned; the child has exited with exitCode */
  | { kind: "reexeced"; exitCode: number };

/** Test/ops switch: "reexec" skips the in-place attempt (exercises the fallback). */
export const PIN_METHOD_ENV = "NFVDECK_PIN_METHOD";

/**
 * Housekeeping only. If this process may run on an isolated CPU, move it to the housekeeping CPUs:
 *
 * 1. In place (one process): `taskset -a -p -c <cpus> <own pid>` (util-linux) sets the affinity of every
 *    existing thread (main, V8 platform workers, libuv); threads created later (libuv pool, cyclictest
 *    spawns) inherit their creator's mask. It is verified from /proc/self/task/<tid>/status and retried
 *    once (a thread born between taskset's listing and the change of its creator keeps the old mask).
 * 2. Fallback, if taskset -p fails (e.g. no CAP_SYS_NICE over a foreign thread) or does not verify:
 *    re-execute the command line under `taskset -c <cpus>` and wait for it, passing signals on. Node has
 *    no execve, so this costs a second Node process (~40 MB) for the life of the agent — hence (1).
 *
 * In production the systemd unit's CPUAffinity= is the first line of defence and neither step runs.
 */
export async function pinToHousekeeping(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<PinOutcome> {
  const info = await readAffinity();
  const decision = decidePinning(info);
  if (decision.action === "none") return { kind: "continue", info, decision, method: "none" };
  if (decision.action === "impossible") {
    log(`nfvdeck-agent: warning: ${decision.reason}; running unpinned`);
    return { kind: "continue", info, decision, method: "unpinned" };
  }
  if (info.reexeced) {
    log(`nfvdeck-agent: warning: still on isolated CPUs after pinning (${decision.reason}); not re-executing again`);
    return { kind: "continue", info, decision, method: "unpinned" };
  }
  const target = formatCpuList(decision.cpus);
  if (process.env[PIN_METHOD_ENV] !== "reexec") {
    const failure = await pinInPlace(decision.cpus);
    if (failure === null) {
      log(`nfvdeck-agent: ${decision.reason}: pinned in place to housekeeping CPUs ${target}`);
      return { kind: "continue", info: await readAffinity(), decision, method: "in-place" };
    }
    log(`nfvdeck-agent: pinning in place failed (${failure}); falling back to re-executing`);
  }
  log(`nfvdeck-agent: ${decision.reason}: re-executing on housekeeping CPUs ${target}`);
  const args = ["-c", target, ...selfCommand(process.execPath, process.execArgv, process.argv)];
  const exitCode = await new Promise<number | null>((resolve) => {
    const child = spawn("taskset", args, { stdio: "inherit", env: { ...process.env, [PINNED_ENV]: "1" } });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers = (["SIGTERM", "SIGINT", "SIGHUP"] as const).map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    child.on("error", (err) => {
      log(`nfvdeck-agent: warning: cannot run taskset (${err.message}); running unpinned`);
      resolve(null);
    });
    child.on("exit", (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code ?? (signal ? 128 + signalNumber(signal) : 1));
    });
  });
  if (exitCode === null) return { kind: "continue", info, decision: { action: "impossible", reason: "taskset unavailable" }, method: "unpinned" };
  return { kind: "reexeced", exitCode };
}

/** `taskset -a -p -c` on this process, verified for every thread; null on success, else why not. */
async function pinInPlace(cpus: readonly number[]): Promise<string | null> {
  const target = formatCpuList(cpus);
  let why = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    const ran = await new Promise<string | null>((resolve) => {
      execFile("taskset", ["-a", "-p", "-c", target, String(process.pid)], { timeout: 10_000 }, (err, _stdout, stderr) =>
        resolve(err ? `taskset: ${(String(stderr).trim() || err.message).slice(0, 200)}` : null),
      );
    });
    // a thread that exits while taskset walks /proc/<pid>/task fails that run: check, then retry once
    const off = threadsOffTarget(await readThreadAffinity(new HostFs("/")), cpus);
    if (off.length === 0) return null;
    why = ran ?? `thread(s) ${off.join(",")} not on ${target}`;
  }
  return why;
}

function signalNumber(signal: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return table[signal] ?? 1;
}

/**
 * The argv that starts this same agent again. Under Node or `bun file.js`: runtime, its flags, script,
 * arguments. In the compiled executable argv[1] is the embedded entry ("/$bunfs/root/…"), which the
 * executable adds by itself: passing it again would make it the command name.
 */
export function selfCommand(execPath: string, execArgv: string[], argv: string[]): string[] {
  const rest = argv.slice(1);
  if (rest[0]?.startsWith("/$bunfs/")) return [execPath, ...rest.slice(1)];
  return [execPath, ...execArgv, ...rest];
}
