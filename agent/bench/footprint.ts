/**
 * Footprint bench (part of `npm run bench`; prints figures, asserts nothing).
 *
 * Side by side in one window: Debian's prometheus-node-exporter scraped every interval (the peer the
 * design measures against), and the agent running its real `run` loop at the same interval — the
 * shipped dist/nfvdeck-agent (the native Go daemon with the full agent embedded, as the systemd unit
 * runs it), the plain bundle dist/nfvdeck-agent.js under Node, and the Bun-compiled full agent
 * dist/nfvdeck-agent-full with the unit's Bun environment — each collecting every section from "/",
 * hashing, diffing, spooling (fsync) and POSTing to a local
 * sink that answers like agent.report. After a warm-up, each process's RSS (/proc/PID/status VmRSS)
 * and CPU time (utime+stime in /proc/PID/stat) are measured over K cycles. Two floors are sampled in
 * the same window: an empty Node process and an empty compiled Bun executable (the unit's environment).
 * Goals (issues 3 and 14): agent RSS ≤ 1.5 × node_exporter's; agent CPU per cycle ≤ 2 × node_exporter's per scrape.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, promises as fsp, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { buildAgent, buildNativeAgent, compileAgentExecutable } from "@/agent/build";
import { saveCredentials } from "@/agent/state";

export interface FootprintOptions {
  intervalS?: number;
  warmupCycles?: number;
  cycles?: number;
  nodeExporter?: string;
  /** agent variants run side by side in the same window */
  variants?: AgentVariant[];
}

export interface AgentVariant {
  label: string;
  /** how the agent is started: the bundle under Node (with flags), under Bun, or the compiled executable */
  runtime: "node" | "bun" | "executable" | "native";
  /** runtime flags: node's for "node", bun's for "bun" (e.g. --smol) */
  node: string[];
  /** extra environment (BUN_OPTIONS reaches the compiled executable's runtime) */
  env?: Record<string, string>;
  /** extra `run` flags */
  run: string[];
}

/**
 * The environment the systemd unit gives the executable (agent/nfvdeck-agent.service; keep in step).
 * JavaScriptCore without its JIT: the agent is I/O-bound, and the JIT's code and profiling memory were
 * ≈ 13 MB of its RSS here (66 → 53 MB) for a few ms of CPU per cycle. Bun's --smol (collect more often)
 * and a non-concurrent collector with one marker thread (its heap is a few MB): ≈ 0.7 MB less again
 * (3 copies of each side by side, 50.8 → 50.1 MB), CPU per cycle unchanged.
 */
export const UNIT_EXECUTABLE_ENV: Readonly<Record<string, string>> = {
  BUN_JSC_useJIT: "0",
  BUN_OPTIONS: "--smol",
  BUN_JSC_useConcurrentGC: "0",
  BUN_JSC_numberOfGCMarkers: "1",
};

/** The node flags the plain-Node bundle is best run with (the unit's before the executable). */
export const UNIT_NODE_FLAGS = ["--lite-mode", "--no-expose-wasm", "--max-semi-space-size=1", "--max-old-space-size=64"];

/**
 * Side by side: the plain-Node bundle with the best Node flags, the shipped executable (Bun's runtime
 * compiled in) with its JIT, and the executable as the systemd unit runs it.
 */
export const DEFAULT_VARIANTS: AgentVariant[] = [
  { label: "agent: dist/nfvdeck-agent (native, as the unit runs it)", runtime: "native", node: [], run: [], env: { ...UNIT_EXECUTABLE_ENV } },
  { label: "agent: node bundle + node flags", runtime: "node", node: [], run: [] },
  { label: "agent: Bun exe (full), unit env", runtime: "executable", node: [], run: [], env: { ...UNIT_EXECUTABLE_ENV } },
];

export interface ProcessFigures {
  label: string;
  rssMb: number;
  rssPeakMb: number;
  cpuMsPerCycle: number;
  cycles: number;
}

export interface FootprintFigures {
  intervalS: number;
  nodeExporter: ProcessFigures;
  /** an empty Node process (a timer, nothing else) with the unit's flags: the RSS no Node agent can go below */
  nodeFloor: { rssMb: number; rssRatio: number };
  /**
   * an empty compiled Bun executable (a timer, nothing else) with the unit's environment: the RSS the
   * agent executable cannot go below (null when no executable variant runs)
   */
  bunFloor: { rssMb: number; rssRatio: number } | null;
  agents: (ProcessFigures & { rssRatio: number; cpuRatio: number; meetsGoals: boolean })[];
}


const repoRoot = path.resolve(import.meta.dirname, "../..");

function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** utime + stime in clock ticks, from /proc/PID/stat (fields 14 and 15; comm may contain spaces). */
export function parseProcStatCpuTicks(statText: string): number | null {
  const close = statText.lastIndexOf(")");
  if (close < 0) return null;
  const fields = statText.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state) → utime = field 14 = fields[11], stime = fields[12]
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : null;
}

/** VmRSS in kB from /proc/PID/status. */
export function parseVmRssKb(statusText: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return m ? Number(m[1]) : null;
}

function cpuTicks(pid: number): number {
  return parseProcStatCpuTicks(readFileSync(`/proc/${pid}/stat`, "utf8")) ?? Number.NaN;
}

function rssKb(pid: number): number {
  return parseVmRssKb(readFileSync(`/proc/${pid}/status`, "utf8")) ?? Number.NaN;
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A stand-in for the agent API: answers agent.report like it (superjson envelope) and counts reports per
 * host; holds a job long-poll (agent.jobs.next) open the way the real one does when no job is waiting.
 */
function startSink(): Promise<{ server: http.Server; url: string; count: (hostId: string) => number }> {
  const counts = new Map<string, number>();
  const answer = JSON.stringify({
    result: { data: { json: { stored: true, duplicate: false, sectionsChanged: [], config: { heartbeatSeconds: 10, latencySchedule: null } } } },
  });
  const noJob = JSON.stringify({ result: { data: { json: { job: null } } } });
  const server = http.createServer((req, res) => {
    const host = String(req.headers["x-bench-host"] ?? req.headers.authorization ?? "");
    req.resume();
    req.on("end", () => {
      if ((req.url ?? "").includes("agent.jobs.next")) {
        const timer = setTimeout(() => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(noJob);
        }, 25_000);
        res.on("close", () => clearTimeout(timer));
        return;
      }
      counts.set(host, (counts.get(host) ?? 0) + 1);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: (h) => counts.get(`Bearer ${h}`) ?? 0 }),
    ),
  );
}

export async function benchFootprint(opts: FootprintOptions = {}): Promise<FootprintFigures | null> {
  const intervalS = opts.intervalS ?? Number(process.env.BENCH_FOOTPRINT_INTERVAL ?? 1);
  const warmup = opts.warmupCycles ?? 5;
  const cycles = opts.cycles ?? Number(process.env.BENCH_FOOTPRINT_CYCLES ?? 20);
  const exporterBin = opts.nodeExporter ?? "/usr/bin/prometheus-node-exporter";
  const variants = opts.variants ?? DEFAULT_VARIANTS.map((v) => (v.runtime === "node" ? { ...v, node: UNIT_NODE_FLAGS } : v));
  console.log(`\nfootprint: agent vs prometheus-node-exporter, one cycle/scrape every ${intervalS} s, ${warmup} warm-up + ${cycles} measured`);
  if (!existsSync(exporterBin)) {
    console.log(`footprint: ${exporterBin} not found — apt-get install -y prometheus-node-exporter`);
    return null;
  }
  const bundle = await buildAgent();
  console.log(`footprint: bundle ${path.relative(repoRoot, bundle.outfile)} ${(bundle.bytes / 1024).toFixed(0)} KiB`);
  const exe = variants.some((v) => v.runtime === "executable" || v.runtime === "native") ? await compileAgentExecutable(bundle.outfile) : null;
  if (exe) console.log(`footprint: Bun executable ${path.relative(repoRoot, exe.executable)} ${(exe.bytes / 1024 / 1024).toFixed(0)} MiB`);
  // the shipped one: the Go daemon with the full agent embedded (what the systemd unit runs)
  const native = exe && variants.some((v) => v.runtime === "native") ? await buildNativeAgent(exe.executable) : null;
  if (native) console.log(`footprint: native executable ${path.relative(repoRoot, native.executable)} ${(native.bytes / 1024 / 1024).toFixed(1)} MiB (static; full agent embedded)`);
  const bunBin = path.join(repoRoot, "node_modules", ".bin", "bun");

  const children: ChildProcess[] = [];
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "nfvdeck-footprint-"));
  const sink = await startSink();
  try {
    const exporterPort = await freePort();
    const exporter = spawn(exporterBin, [`--web.listen-address=127.0.0.1:${exporterPort}`], { stdio: "ignore" });
    children.push(exporter);
    const metricsUrl = `http://127.0.0.1:${exporterPort}/metrics`;

    const floor = spawn(process.execPath, [...UNIT_NODE_FLAGS, "-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    children.push(floor);
    // the same with Bun's runtime: an empty script compiled like the agent, run with the unit's environment
    let bunFloor: ChildProcess | null = null;
    if (exe) {
      const script = path.join(tmp, "idle.js");
      await fsp.writeFile(script, "setInterval(() => {}, 1000);\n");
      execFileSync(bunBin, ["build", "--compile", "--minify", script, "--outfile", path.join(tmp, "bun-floor")], { stdio: "ignore" });
      bunFloor = spawn(path.join(tmp, "bun-floor"), [], { stdio: "ignore", env: { ...process.env, ...UNIT_EXECUTABLE_ENV } });
      children.push(bunFloor);
    }

    const agents: { label: string; child: ChildProcess; token: string; stderr: () => string }[] = [];
    for (const { label, runtime, node, run, env } of variants) {
      const stateDir = path.join(tmp, `state-${agents.length}`);
      const token = `bench${randomUUID().replace(/-/g, "")}`;
      await saveCredentials(stateDir, { hostId: randomUUID(), hostToken: token, server: sink.url, enrolledAt: new Date().toISOString() });
      const runArgs = ["run", "--state", stateDir, "--root", "/", "--heartbeat", String(intervalS), ...run];
      const [cmd, args] =
        runtime === "native" && native
          ? [native.executable, runArgs]
          : runtime === "executable" && exe
          ? [exe.executable, runArgs]
          : runtime === "bun"
            ? [bunBin, [...node, bundle.outfile, ...runArgs]]
            : [process.execPath, [...node, bundle.outfile, ...runArgs]];
      const child = spawn(cmd, args, {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, NFVDECK_ISOLATED_CPUS: "", ...env },
      });
      let stderr = "";
      child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      children.push(child);
      agents.push({ label, child, token, stderr: () => stderr });
    }

    // Scrape node_exporter like Prometheus would: fetch and read the whole exposition every interval.
    let scrapes = 0;
    let scraping = true;
    const scraper = (async () => {
      while (scraping) {
        const started = Date.now();
        try {
          const res = await fetch(metricsUrl);
          await res.text();
          if (res.ok) scrapes += 1;
        } catch {
          // not up yet
        }
        await sleep(Math.max(0, started + intervalS * 1000 - Date.now()));
      }
    })();

    await sleep(warmup * intervalS * 1000);
    const dead = [exporter, ...agents.map((a) => a.child)].filter((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead.length > 0) {
      for (const a of agents) if (dead.includes(a.child)) console.log(`footprint: ${a.label} exited (${a.child.exitCode ?? a.child.signalCode}):\n${a.stderr()}`);
      if (dead.includes(exporter)) console.log("footprint: prometheus-node-exporter exited");
      scraping = false;
      await scraper;
      return null;
    }
    const pids = [exporter.pid ?? 0, ...agents.map((a) => a.child.pid ?? 0)];
    const cpu0 = pids.map(cpuTicks);
    const count0 = [scrapes, ...agents.map((a) => sink.count(a.token))];
    const rss: number[][] = pids.map(() => []);
    const floorRss: number[] = [];
    const bunFloorRss: number[] = [];
    for (let i = 0; i < cycles; i++) {
      await sleep(intervalS * 1000);
      pids.forEach((pid, j) => rss[j]?.push(rssKb(pid)));
      floorRss.push(rssKb(floor.pid ?? 0));
      if (bunFloor?.pid) bunFloorRss.push(rssKb(bunFloor.pid));
    }
    const cpu1 = pids.map(cpuTicks);
    const count1 = [scrapes, ...agents.map((a) => sink.count(a.token))];
    scraping = false;
    await scraper;

    const hz = clockTicksPerSecond();
    const figures = pids.map((_, j): ProcessFigures => {
      const samples = rss[j] ?? [];
      const n = (count1[j] ?? 0) - (count0[j] ?? 0);
      return {
        label: j === 0 ? "prometheus-node-exporter" : (agents[j - 1]?.label ?? "?"),
        rssMb: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length) / 1024,
        rssPeakMb: Math.max(...samples) / 1024,
        cpuMsPerCycle: n > 0 ? (((cpu1[j] ?? 0) - (cpu0[j] ?? 0)) * 1000) / hz / n : Number.NaN,
        cycles: n,
      };
    });
    const [exporterFig, ...agentFigs] = figures;
    if (!exporterFig) return null;
    const floorMb = floorRss.reduce((a, b) => a + b, 0) / Math.max(1, floorRss.length) / 1024;
    const bunFloorMb = bunFloorRss.length > 0 ? bunFloorRss.reduce((a, b) => a + b, 0) / bunFloorRss.length / 1024 : null;
    const result: FootprintFigures = {
      intervalS,
      nodeExporter: exporterFig,
      nodeFloor: { rssMb: floorMb, rssRatio: floorMb / exporterFig.rssMb },
      bunFloor: bunFloorMb === null ? null : { rssMb: bunFloorMb, rssRatio: bunFloorMb / exporterFig.rssMb },
      agents: agentFigs.map((a) => {
        const rssRatio = a.rssMb / exporterFig.rssMb;
        const cpuRatio = a.cpuMsPerCycle / exporterFig.cpuMsPerCycle;
        return { ...a, rssRatio, cpuRatio, meetsGoals: rssRatio <= 1.5 && cpuRatio <= 2 };
      }),
    };
    printTable(result, hz);
    console.log(`footprint: load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} at the end of the window (${os.cpus().length} CPUs; what else runs shows here)`);
    return result;
  } finally {
    sink.server.closeAllConnections();
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)));
    await new Promise<void>((r) => sink.server.close(() => r()));
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

function printTable(f: FootprintFigures, hz: number): void {
  const rows: (ProcessFigures & { rssRatio?: number; cpuRatio?: number })[] = [f.nodeExporter, ...f.agents];
  const pad = (s: string, n: number) => s.padEnd(n);
  const width = Math.max(28, ...rows.map((r) => r.label.length + 2));
  const num = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
  console.log(`${pad("process", width)}${pad("RSS MB (peak)", 16)}${pad("CPU ms/cycle", 14)}${pad("cycles", 8)}RSS ×NE (≤1.5)  CPU ×NE (≤2)`);
  for (const r of rows) {
    const ratio =
      r.rssRatio !== undefined && r.cpuRatio !== undefined
        ? `${pad(`${num(r.rssRatio, 2)} ${r.rssRatio <= 1.5 ? "ok" : "OVER"}`, 16)}${num(r.cpuRatio, 2)} ${r.cpuRatio <= 2 ? "ok" : "OVER"}`
        : "";
    console.log(`${pad(r.label, width)}${pad(`${num(r.rssMb)} (${num(r.rssPeakMb)})`, 16)}${pad(num(r.cpuMsPerCycle, 2), 14)}${pad(String(r.cycles), 8)}${ratio}`);
  }
  console.log(
    `${pad("node floor: empty process", width)}${pad(num(f.nodeFloor.rssMb), 16)}${pad("-", 14)}${pad("-", 8)}${num(f.nodeFloor.rssRatio, 2)} (Node 20 itself, unit flags; 1.5× node_exporter = ${num(1.5 * f.nodeExporter.rssMb)} MB)`,
  );
  if (f.bunFloor) {
    console.log(
      `${pad("bun floor: empty executable", width)}${pad(num(f.bunFloor.rssMb), 16)}${pad("-", 14)}${pad("-", 8)}${num(f.bunFloor.rssRatio, 2)} (Bun's runtime alone, compiled, unit env; leaves ${num(1.5 * f.nodeExporter.rssMb - f.bunFloor.rssMb)} MB for the agent)`,
    );
  }
  console.log(`(CPU = utime+stime from /proc/PID/stat at ${hz} ticks/s over the measured window ÷ cycles; RSS = VmRSS sampled once per cycle)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  benchFootprint().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
