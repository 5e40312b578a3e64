/**
 * Turning a cyclictest output file (text of either generation, or --json) into a run to store.
 * Parsing is the same parser the agent uses, so an uploaded file yields exactly what `parse-cyclictest`
 * prints. A malformed file is rejected whole with the parser's line number.
 */
import { parseCyclictestCmdline } from "./cyclictest/cmdline";
import { parseCyclictest } from "./cyclictest/parse";
import { CyclictestParseError, type CyclictestResult } from "./cyclictest/result";
import { DomainError } from "@/server/errors";
import type { LatencyUnit } from "./histogram";
import { storedThreads, type LatencyRunData } from "./run";

/** Largest file accepted, in characters (cyclictest output is ASCII; -h 10000 with 64 threads is ≈ 4 M). */
export const MAX_UPLOAD_CHARS = 8 * 1024 * 1024;

export interface UploadMeta {
  load: string;
  /** when the run started; JSON output carries it, text does not (default: now − duration) */
  startedAt?: Date;
  /** the command line the text was produced with (tells -h N, -N, -i, -p) */
  cmdline?: string;
  unit?: LatencyUnit;
  now: Date;
}

function parseTime(s: string | null): Date | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t);
}

export function parseUploadedCyclictest(content: string, meta: UploadMeta): CyclictestResult {
  if (content.length > MAX_UPLOAD_CHARS) {
    throw new DomainError("TOO_LARGE", `file larger than ${MAX_UPLOAD_CHARS / 1024 / 1024} MiB`);
  }
  try {
    return parseCyclictest(content, {
      ...(meta.cmdline ? { cmdline: meta.cmdline } : {}),
      ...(meta.unit ? { unit: meta.unit } : {}),
    });
  } catch (e) {
    if (e instanceof CyclictestParseError) {
      throw new DomainError("INVALID", `not a valid cyclictest file: ${e.message}`, { line: e.line });
    }
    throw e;
  }
}

export function runFromCyclictest(r: CyclictestResult, meta: UploadMeta): LatencyRunData {
  const cmd = r.cmdline ? parseCyclictestCmdline(r.cmdline) : null;
  const start = parseTime(r.startTime);
  const end = parseTime(r.endTime);
  const maxCycles = Math.max(0, ...r.threads.map((t) => t.cycles));
  let durationS: number;
  if (start && end && end.getTime() >= start.getTime()) durationS = (end.getTime() - start.getTime()) / 1000;
  else if (cmd?.durationS) durationS = cmd.durationS;
  else if (cmd?.intervalUs) durationS = (maxCycles * cmd.intervalUs) / 1e6;
  else durationS = 0;
  const startedAt = meta.startedAt ?? start ?? new Date(meta.now.getTime() - durationS * 1000);
  return {
    startedAt,
    durationS,
    toolVersion: r.toolVersion,
    cmdline: r.cmdline,
    priority: cmd?.priority ?? null,
    intervalUs: cmd?.intervalUs ?? null,
    load: meta.load,
    unit: r.unit,
    histogramSize: r.histogramSize,
    threads: storedThreads(r.threads),
  };
}
