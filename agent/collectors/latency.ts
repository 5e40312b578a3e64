/**
 * Runs real cyclictest (rt-tests) and turns its output into a latency run for the report.
 *
 * Measurement threads go on the CPUs asked for (-a LIST -t N: thread i on the i-th CPU of the list);
 * cyclictest's main thread stays on housekeeping CPUs (--mainaffinity), as the agent itself does.
 * The run writes --json (exact avg, tool version, start time) and prints the text histogram; the JSON is
 * the source, the text the fallback when the JSON is missing.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { parseCyclictestJson } from "@/server/domain/latency/cyclictest/json";
import type { CyclictestResult } from "@/server/domain/latency/cyclictest/result";
import { parseCyclictestText } from "@/server/domain/latency/cyclictest/text";
import { storedThreads } from "@/server/domain/latency/run";
import { latencyRunSchema, type LatencyRunReport } from "@/server/contract/sections/latency";

const cpuList = z.string().regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, { message: "not a cpu list" });

/** What an operator (or the schedule) asks for. Validated before anything runs. */
export const cyclictestRequestSchema = z
  .object({
    /** CPUs to measure, one thread each */
    cpus: cpuList,
    /** where cyclictest's main thread may run; null leaves it unpinned */
    housekeeping: cpuList.nullable(),
    priority: z.number().int().min(1).max(99),
    intervalUs: z.number().int().min(50).max(1_000_000),
    durationS: z.number().int().min(1).max(86_400),
    histogramSize: z.number().int().min(1).max(100_000),
    load: z.string().min(1).max(256).default("idle"),
    nsecs: z.boolean().default(false),
    /** mlockall: page faults would show up as latency */
    lockMemory: z.boolean().default(true),
    binary: z.string().min(1).default("cyclictest"),
  })
  .strict();
export type CyclictestRequest = z.input<typeof cyclictestRequestSchema>;
type Request = z.output<typeof cyclictestRequestSchema>;

/** "0-2,5" → [0,1,2,5] (pure; the request schema has checked the syntax). */
export function expandCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(",")) {
    const [a, b] = part.split("-").map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    const end = b ?? a;
    for (let c = a; c <= end; c++) out.push(c);
  }
  return [...new Set(out)].sort((x, y) => x - y);
}

/** The cyclictest argument vector (pure, so tests can see exactly what runs). */
export function buildCyclictestArgs(req: Request, jsonFile: string | null): string[] {
  const cpus = expandCpuList(req.cpus);
  const args = [
    "-q",
    "-p", String(req.priority),
    "-i", String(req.intervalUs),
    "-D", `${req.durationS}s`,
    "-h", String(req.histogramSize),
    "-t", String(cpus.length),
    "-a", req.cpus,
  ];
  if (req.housekeeping !== null) args.push(`--mainaffinity=${req.housekeeping}`);
  if (req.lockMemory) args.push("-m");
  if (req.nsecs) args.push("-N");
  if (jsonFile !== null) args.push(`--json=${jsonFile}`);
  return args;
}

export interface RunMeta {
  runKey: string;
  startedAt: Date;
  durationS: number;
  load: string;
  priority: number | null;
  intervalUs: number | null;
  cmdline: string | null;
  toolVersion: string | null;
}

/** A parsed cyclictest output → the contract's latency run (pure). */
export function toLatencyRun(r: CyclictestResult, meta: RunMeta): LatencyRunReport {
  return latencyRunSchema.parse({
    runKey: meta.runKey,
    startedAt: meta.startedAt.toISOString(),
    durationS: meta.durationS,
    toolVersion: r.toolVersion ?? meta.toolVersion,
    cmdline: r.cmdline ?? meta.cmdline,
    priority: meta.priority,
    intervalUs: meta.intervalUs,
    load: meta.load,
    unit: r.unit,
    histogramSize: r.histogramSize,
    threads: storedThreads(r.threads),
  });
}

export class CyclictestRunError extends Error {
  constructor(message: string, readonly stderr: string) {
    super(message);
    this.name = "CyclictestRunError";
  }
}

function exec(binary: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, killSignal: "SIGINT" }, (err, stdout, stderr) => {
      if (err) reject(new CyclictestRunError(`${binary} failed: ${err.message.split("\n")[0] ?? ""}`, String(stderr)));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export interface CyclictestRunOutput {
  run: LatencyRunReport;
  /** both raw outputs, kept for truth checks and uploads */
  text: string;
  json: string | null;
  args: string[];
}

/** Runs cyclictest for real. Needs root (or CAP_SYS_NICE) for the RT priority. */
export async function runCyclictest(input: CyclictestRequest, runKey: string = randomUUID()): Promise<CyclictestRunOutput> {
  const req = cyclictestRequestSchema.parse(input);
  const dir = await mkdtemp(path.join(os.tmpdir(), "nfvdeck-cyclictest-"));
  const jsonFile = path.join(dir, "run.json");
  const args = buildCyclictestArgs(req, jsonFile);
  const startedAt = new Date();
  try {
    const { stdout } = await exec(req.binary, args, (req.durationS + 60) * 1000);
    const durationS = (Date.now() - startedAt.getTime()) / 1000;
    const json = await readFile(jsonFile, "utf8").catch(() => null);
    const cpus = expandCpuList(req.cpus);
    const cmdline = [path.basename(req.binary), ...args].join(" ");
    const parsed = json !== null
      ? parseCyclictestJson(json, { cpus })
      : parseCyclictestText(stdout, { cpus, cmdline, histogramSize: req.histogramSize, unit: req.nsecs ? "ns" : "us" });
    const run = toLatencyRun(parsed, {
      runKey,
      startedAt,
      durationS: Math.min(durationS, req.durationS + 60),
      load: req.load,
      priority: req.priority,
      intervalUs: req.intervalUs,
      cmdline,
      toolVersion: null,
    });
    return { run, text: stdout, json, args };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
