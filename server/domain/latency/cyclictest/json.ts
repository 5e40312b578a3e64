/** cyclictest --json output (see result.ts). Pure. */
import { histogramEntries, sumBuckets, type LatencyUnit, type SparseHistogram } from "@/server/domain/latency/histogram";
import { CyclictestParseError, statedHistogramSize, type CyclictestParseOptions, type CyclictestResult, type CyclictestThread } from "./result";
import { parseCyclictestCmdline } from "./cmdline";


/** Replace bare nan/-nan/inf/-inf tokens (printf of a double) outside strings by null, so JSON.parse accepts it. */
export function sanitizeCyclictestJson(text: string): string {
  // one linear pass: string literals are matched (and kept) first, so "nan" inside a string is untouched
  return text.replace(/"(?:[^"\\]|\\.)*"|-?\b(?:nan|inf(?:inity)?)\b/gi, (m) => (m.startsWith('"') ? m : "null"));
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(pos, text.length); i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function lineOf(text: string, needle: string): number | null {
  const pos = text.indexOf(needle);
  return pos < 0 ? null : lineAt(text, pos);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function parseCyclictestJson(text: string, opts: CyclictestParseOptions = {}): CyclictestResult {
  const clean = sanitizeCyclictestJson(text);
  let doc: unknown;
  try {
    doc = JSON.parse(clean);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const lc = /line (\d+)/.exec(msg);
    const line = pos ? lineAt(clean, Number(pos[1])) : lc ? Number(lc[1]) : null;
    throw new CyclictestParseError(`invalid JSON: ${msg}`, line);
  }
  if (!isRecord(doc)) throw new CyclictestParseError("JSON output is not an object", 1);
  const str = (...keys: string[]): string | null => {
    for (const k of keys) {
      const v = doc[k];
      if (typeof v === "string") return v;
    }
    return null;
  };
  const cmdline = str("cmdline:", "cmdline") ?? opts.cmdline ?? null;
  const toolVersion = str("rt_test_version:", "rt_test_version");
  const cmd = cmdline ? parseCyclictestCmdline(cmdline) : null;
  const resolution = doc["resolution_in_ns"];
  const unit: LatencyUnit = opts.unit ?? (resolution === 1 || cmd?.nsecs ? "ns" : "us");
  const threadObj = doc["thread"];
  if (!isRecord(threadObj)) throw new CyclictestParseError("no \"thread\" object", lineOf(text, '"thread"') ?? 1);

  const threads: CyclictestThread[] = [];
  let maxBucket = -1;
  for (const [key, value] of Object.entries(threadObj)) {
    const line = lineOf(text, `"${key}":`);
    if (!/^\d+$/.test(key)) throw new CyclictestParseError(`thread key '${key}' is not a number`, line);
    if (!isRecord(value)) throw new CyclictestParseError(`thread ${key} is not an object`, line);
    const num = (k: string, nullable: boolean): number | null => {
      const v = value[k];
      if (v === null && nullable) return null;
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new CyclictestParseError(`thread ${key}: "${k}" is missing or not a number`, line);
      }
      return v;
    };
    const cycles = num("cycles", false) ?? 0;
    if (!Number.isSafeInteger(cycles) || cycles < 0) throw new CyclictestParseError(`thread ${key}: bad cycles ${cycles}`, line);
    const hist = value["histogram"];
    if (!isRecord(hist)) {
      throw new CyclictestParseError(`thread ${key}: no "histogram" (run cyclictest with -h N)`, line);
    }
    let histogram: SparseHistogram;
    try {
      histogram = new Map(
        histogramEntries(
          Object.fromEntries(Object.entries(hist).map(([b, c]) => [b, typeof c === "number" ? c : Number.NaN])),
        ).filter(([, c]) => c > 0),
      );
    } catch (e) {
      throw new CyclictestParseError(`thread ${key}: histogram: ${e instanceof Error ? e.message : String(e)}`, line);
    }
    for (const b of histogram.keys()) maxBucket = Math.max(maxBucket, b);
    const overflows = cycles - sumBuckets(histogram);
    if (overflows < 0) {
      throw new CyclictestParseError(`thread ${key}: histogram counts exceed cycles (${cycles})`, line);
    }
    const cpuRaw = value["cpu"];
    const cpu = typeof cpuRaw === "number" && Number.isInteger(cpuRaw) && cpuRaw >= 0 ? cpuRaw : (opts.cpus?.[Number(key)] ?? null);
    const has = cycles > 0;
    threads.push({
      thread: Number(key),
      cpu,
      cycles,
      overflows,
      min: has ? num("min", true) : null,
      avg: has ? num("avg", true) : null,
      max: has ? num("max", true) : null,
      histogram,
    });
  }
  if (threads.length === 0) throw new CyclictestParseError("\"thread\" object is empty", lineOf(text, '"thread"'));
  threads.sort((a, b) => a.thread - b.thread);

  const { histogramSize, histogramSizeSource } = statedHistogramSize(opts, cmd?.histogramSize) ?? { histogramSize: Math.max(1, maxBucket + 1), histogramSizeSource: "max-bucket" as const };
  if (maxBucket >= histogramSize) {
    throw new CyclictestParseError(`bucket ${maxBucket} ≥ histogram size ${histogramSize}`, null);
  }
  return {
    format: "json",
    unit,
    histogramSize,
    histogramSizeSource,
    toolVersion,
    cmdline,
    startTime: str("start_time"),
    endTime: str("end_time"),
    threads,
  };
}
