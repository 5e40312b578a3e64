/**
 * Pure parsers for cyclictest (rt-tests) output: the histogram text of both generations and --json.
 *
 * Text, ≤ 2.6 generation (Debian's 2.4 prints this, verified here): every bucket row "000017 000004\t000012"
 * (bucket, one count per thread, plus a sum column with -H when more than one thread), then
 * "# Total:" (Σ buckets per thread, overflows excluded) and the footer.
 * Text, ≥ 2.7 generation: rows of empty buckets are omitted and there is no "# Total:" line.
 * Footer: "# Min Latencies:", "# Avg Latencies:" (integer, truncated), "# Max Latencies:" and
 * "# Histogram Overflows:" (both with an extra sum value under -H), "# Histogram Overflow at cycle number:"
 * then "# Thread N: c c c … # NNNNN others". Printed widths (%06lu, %05lu) are minimums, so numbers are
 * split on whitespace, never by column.
 *
 * JSON (--json): keys "cmdline:" and "rt_test_version:" really include the colon; "avg" is printed with
 * %.2f of avg/cycles and so may be `nan`/`-nan` (invalid JSON — mapped to null before parsing); the
 * histogram lists non-empty buckets only and there is no overflow count: overflows = cycles − Σ buckets.
 *
 * Units are µs unless -N (ns; then buckets are 1 ns wide).
 */
import {
  histogramEntries,
  mergeHistograms,
  summarize,
  sumBuckets,
  type LatencyUnit,
  type SparseHistogram,
} from "@/server/domain/latency/histogram";
import { threadParts, type LatencyThreadTotals } from "@/server/domain/latency/run";

export class CyclictestParseError extends Error {
  /** 1-based line number the problem was found on (null when it concerns the whole input). */
  readonly line: number | null;
  constructor(message: string, line: number | null) {
    super(line === null ? message : `line ${line}: ${message}`);
    this.name = "CyclictestParseError";
    this.line = line;
  }
}

export type CyclictestFormat = "text-full" | "text-sparse" | "json";
/** Where histogramSize came from: bucket rows (≤ 2.6 prints them all), the command line, or max bucket + 1 (a lower bound). */
export type HistogramSizeSource = "rows" | "cmdline" | "option" | "max-bucket";

export type CyclictestThread = LatencyThreadTotals<SparseHistogram>;

export interface CyclictestResult {
  format: CyclictestFormat;
  unit: LatencyUnit;
  histogramSize: number;
  histogramSizeSource: HistogramSizeSource;
  toolVersion: string | null;
  cmdline: string | null;
  startTime: string | null;
  endTime: string | null;
  threads: CyclictestThread[];
}

export interface CyclictestParseOptions {
  /** "ns" when the run used -N (text output does not say) */
  unit?: LatencyUnit;
  /** the command line, when known (text output does not carry it) */
  cmdline?: string;
  /** histogram size when known; overrides inference for ≥ 2.7 text */
  histogramSize?: number;
  /** CPUs the threads were pinned to, in thread order */
  cpus?: readonly number[];
}

// ---------------------------------------------------------------------------------------------
// Command line

export interface CyclictestCmdlineOptions {
  histogramSize: number | null;
  nsecs: boolean;
  priority: number | null;
  intervalUs: number | null;
  threads: number | null;
  affinity: string | null;
  mainAffinity: string | null;
  durationS: number | null;
}

/** "3s" "1m" "2h" "1d" or plain seconds, as cyclictest's -D takes it. */
export function parseCyclictestDuration(text: string): number | null {
  const m = /^(\d+)([smhd]?)$/i.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const mult: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };
  return n * (mult[(m[2] ?? "").toLowerCase()] ?? 1);
}

/** Pulls the options this project cares about out of a cyclictest command line (tolerant: unknown options are skipped). */
export function parseCyclictestCmdline(cmdline: string): CyclictestCmdlineOptions {
  const out: CyclictestCmdlineOptions = {
    histogramSize: null,
    nsecs: false,
    priority: null,
    intervalUs: null,
    threads: null,
    affinity: null,
    mainAffinity: null,
    durationS: null,
  };
  const tokens = cmdline.trim().split(/\s+/);
  const int = (v: string | undefined): number | null => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] ?? "";
    let name: string;
    let value: string | undefined;
    let inline = false;
    const long = /^--([a-z-]+)(?:=(.*))?$/.exec(tok);
    const short = /^-([a-zA-Z])(.*)$/.exec(tok);
    if (long) {
      name = long[1] ?? "";
      value = long[2];
      inline = value !== undefined;
    } else if (short) {
      name = short[1] ?? "";
      value = short[2] === "" ? undefined : short[2];
      inline = value !== undefined;
    } else continue;
    const next = (): string | undefined => {
      if (inline) return value;
      const n = tokens[i + 1];
      if (n !== undefined && !n.startsWith("-")) {
        i++;
        return n;
      }
      return undefined;
    };
    switch (name) {
      case "h":
      case "histogram":
      case "H":
      case "histofall": {
        const v = int(next());
        if (v !== null) out.histogramSize = v;
        break;
      }
      case "N":
      case "nsecs":
        out.nsecs = true;
        break;
      case "p":
      case "priority":
        out.priority = int(next());
        break;
      case "i":
      case "interval":
        out.intervalUs = int(next());
        break;
      case "t":
      case "threads":
        out.threads = int(next());
        break;
      case "a":
      case "affinity":
        out.affinity = next() ?? null;
        break;
      case "mainaffinity":
        out.mainAffinity = next() ?? null;
        break;
      case "D":
      case "duration": {
        const v = next();
        out.durationS = v === undefined ? null : parseCyclictestDuration(v);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Text

const FOOTER_KEYS = {
  total: /^#\s*Total:(.*)$/,
  min: /^#\s*Min Latencies:(.*)$/,
  avg: /^#\s*Avg Latencies:(.*)$/,
  max: /^#\s*Max Latencies:(.*)$/,
  overflows: /^#\s*Histogram Overflows:(.*)$/,
} as const;
type FooterKey = keyof typeof FOOTER_KEYS;

function parseNumberList(rest: string, line: number, what: string): number[] {
  const parts = rest.trim() === "" ? [] : rest.trim().split(/\s+/);
  return parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new CyclictestParseError(`${what}: '${p}' is not a number`, line);
    const n = Number(p);
    if (!Number.isSafeInteger(n)) throw new CyclictestParseError(`${what}: '${p}' is too large`, line);
    return n;
  });
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function parseCyclictestText(text: string, opts: CyclictestParseOptions = {}): CyclictestResult {
  const lines = splitLines(text);
  const headerIdx = lines.findIndex((l) => /^#\s*Histogram\s*$/.test(l.trim()));
  if (headerIdx < 0) {
    throw new CyclictestParseError("no '# Histogram' line: not cyclictest histogram output (run with -h N)", null);
  }
  const rows: Array<{ bucket: number; counts: number[]; sum: number | null; line: number }> = [];
  const footer: Partial<Record<FooterKey, { values: number[]; line: number }>> = {};
  let footerStarted = false;
  let inOverflowList = false;

  for (let i = headerIdx + 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i] ?? "";
    const l = raw.trim();
    if (l === "") continue;
    if (l.startsWith("#")) {
      footerStarted = true;
      let matched = false;
      for (const key of Object.keys(FOOTER_KEYS) as FooterKey[]) {
        const m = FOOTER_KEYS[key].exec(l);
        if (m) {
          if (footer[key]) throw new CyclictestParseError(`duplicate '${l.split(":")[0]}:' line`, lineNo);
          footer[key] = { values: parseNumberList(m[1] ?? "", lineNo, l.split(":")[0] ?? key), line: lineNo };
          matched = true;
          inOverflowList = false;
          break;
        }
      }
      if (matched) continue;
      if (/^#\s*Histogram Overflow at cycle number:\s*$/.test(l)) {
        inOverflowList = true;
        continue;
      }
      const t = /^#\s*Thread\s+(\d+):(.*)$/.exec(l);
      if (t && inOverflowList) {
        // "c c c … # NNNNN others": the list is truncated; we only check it is well formed
        const [list, others] = (t[2] ?? "").split("#");
        parseNumberList(list ?? "", lineNo, "overflow cycle list");
        if (others !== undefined && !/^\s*\d+\s+others\s*$/.test(others)) {
          throw new CyclictestParseError(`overflow cycle list: expected '# NNNNN others', got '#${others}'`, lineNo);
        }
        continue;
      }
      // other comment lines (# SMIs:, # Thread Ids:, # /dev/cpu_dma_latency …) carry nothing we store
      continue;
    }
    if (/^\d+(\s+\d+)+$/.test(l)) {
      if (footerStarted) throw new CyclictestParseError("histogram row after the footer", lineNo);
      const nums = parseNumberList(l, lineNo, "histogram row");
      const bucket = nums[0] ?? 0;
      const prev = rows[rows.length - 1];
      if (prev && bucket <= prev.bucket) {
        throw new CyclictestParseError(`bucket ${bucket} does not follow bucket ${prev.bucket}`, lineNo);
      }
      rows.push({ bucket, counts: nums.slice(1), sum: null, line: lineNo });
      continue;
    }
    if (footerStarted) throw new CyclictestParseError(`unexpected line after the footer: '${l.slice(0, 60)}'`, lineNo);
    throw new CyclictestParseError(`not a histogram row: '${l.slice(0, 60)}'`, lineNo);
  }

  const endLine = lines.length;
  const need = (key: FooterKey, label: string) => {
    const f = footer[key];
    if (!f) throw new CyclictestParseError(`missing '# ${label}:' line (truncated output?)`, endLine);
    return f;
  };
  const minF = need("min", "Min Latencies");
  const avgF = need("avg", "Avg Latencies");
  const maxF = need("max", "Max Latencies");
  const ovfF = need("overflows", "Histogram Overflows");
  const nThreads = minF.values.length;
  if (nThreads === 0) throw new CyclictestParseError("'# Min Latencies:' lists no thread", minF.line);
  const checkCount = (f: { values: number[]; line: number }, label: string, sumAllowed: boolean) => {
    const ok = f.values.length === nThreads || (sumAllowed && f.values.length === nThreads + 1);
    if (!ok) {
      throw new CyclictestParseError(`'${label}' has ${f.values.length} values for ${nThreads} threads`, f.line);
    }
  };
  checkCount(avgF, "# Avg Latencies:", false);
  checkCount(maxF, "# Max Latencies:", true);
  checkCount(ovfF, "# Histogram Overflows:", true);
  if (footer.total) checkCount(footer.total, "# Total:", true);

  const histograms: SparseHistogram[] = Array.from({ length: nThreads }, () => new Map<number, number>());
  for (const r of rows) {
    if (r.counts.length === nThreads + 1) {
      const sum = r.counts.slice(0, nThreads).reduce((a, b) => a + b, 0);
      if (sum !== r.counts[nThreads]) {
        throw new CyclictestParseError(`sum column ${r.counts[nThreads]} ≠ Σ of thread counts ${sum}`, r.line);
      }
    } else if (r.counts.length !== nThreads) {
      throw new CyclictestParseError(`histogram row has ${r.counts.length} counts for ${nThreads} threads`, r.line);
    }
    for (let t = 0; t < nThreads; t++) {
      const c = r.counts[t] ?? 0;
      if (c > 0) histograms[t]?.set(r.bucket, c);
    }
  }

  const cmd = opts.cmdline ? parseCyclictestCmdline(opts.cmdline) : null;
  const full = footer.total !== undefined;
  let histogramSize: number;
  let histogramSizeSource: HistogramSizeSource;
  if (full) {
    // ≤ 2.6 prints every bucket 0..N-1
    rows.forEach((r, idx) => {
      if (r.bucket !== idx) throw new CyclictestParseError(`bucket ${idx} missing (output with '# Total:' lists every bucket)`, r.line);
    });
    histogramSize = rows.length;
    histogramSizeSource = "rows";
    const total = footer.total;
    if (total) {
      for (let t = 0; t < nThreads; t++) {
        const s = sumBuckets(histograms[t] ?? new Map());
        if (s !== total.values[t]) {
          throw new CyclictestParseError(`'# Total:' says ${total.values[t]} for thread ${t} but its buckets sum to ${s}`, total.line);
        }
      }
    }
  } else if (opts.histogramSize !== undefined) {
    histogramSize = opts.histogramSize;
    histogramSizeSource = "option";
  } else if (cmd?.histogramSize) {
    histogramSize = cmd.histogramSize;
    histogramSizeSource = "cmdline";
  } else {
    // the size is not in ≥ 2.7 text: max bucket + 1 is the best lower bound the file allows
    const last = rows[rows.length - 1];
    histogramSize = last ? last.bucket + 1 : 1;
    histogramSizeSource = "max-bucket";
  }
  const tooHigh = rows.find((r) => r.bucket >= histogramSize);
  if (tooHigh) throw new CyclictestParseError(`bucket ${tooHigh.bucket} ≥ histogram size ${histogramSize}`, tooHigh.line);
  if (histogramSize < 1) throw new CyclictestParseError("histogram has no bucket", headerIdx + 1);

  const threads: CyclictestThread[] = [];
  for (let t = 0; t < nThreads; t++) {
    const histogram = histograms[t] ?? new Map<number, number>();
    const overflows = ovfF.values[t] ?? 0;
    const cycles = sumBuckets(histogram) + overflows;
    const has = cycles > 0;
    threads.push({
      thread: t,
      cpu: opts.cpus?.[t] ?? null,
      cycles,
      overflows,
      min: has ? (minF.values[t] ?? null) : null,
      avg: has ? (avgF.values[t] ?? null) : null,
      max: has ? (maxF.values[t] ?? null) : null,
      histogram,
    });
  }
  return {
    format: full ? "text-full" : "text-sparse",
    unit: opts.unit ?? (cmd?.nsecs ? "ns" : "us"),
    histogramSize,
    histogramSizeSource,
    toolVersion: null,
    cmdline: opts.cmdline ?? null,
    startTime: null,
    endTime: null,
    threads,
  };
}

// ---------------------------------------------------------------------------------------------
// JSON

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

  let histogramSize: number;
  let histogramSizeSource: HistogramSizeSource;
  if (opts.histogramSize !== undefined) {
    histogramSize = opts.histogramSize;
    histogramSizeSource = "option";
  } else if (cmd?.histogramSize) {
    histogramSize = cmd.histogramSize;
    histogramSizeSource = "cmdline";
  } else {
    histogramSize = Math.max(1, maxBucket + 1);
    histogramSizeSource = "max-bucket";
  }
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

/** Text or JSON, decided by the first non-blank character. */
export function parseCyclictest(text: string, opts: CyclictestParseOptions = {}): CyclictestResult {
  if (text.trim() === "") throw new CyclictestParseError("empty input", null);
  return text.trimStart().startsWith("{") ? parseCyclictestJson(text, opts) : parseCyclictestText(text, opts);
}

// ---------------------------------------------------------------------------------------------
// Summary (the `parse-cyclictest FILE --json` shape)

export interface CyclictestSummary {
  format: CyclictestFormat;
  unit: LatencyUnit;
  buckets: number;
  bucketsSource: HistogramSizeSource;
  toolVersion: string | null;
  threads: Array<{
    thread: number;
    cpu: number | null;
    min: number | null;
    avg: number | null;
    max: number | null;
    cycles: number;
    overflows: number;
  }>;
  merged: {
    min: number | null;
    max: number | null;
    avg: number | null;
    cycles: number;
    overflows: number;
    percentiles: Record<string, number | null>;
    lowerBounds: string[];
  };
}

export function summarizeCyclictest(r: CyclictestResult): CyclictestSummary {
  const merged = summarize(mergeHistograms(threadParts(r)));
  return {
    format: r.format,
    unit: r.unit,
    buckets: r.histogramSize,
    bucketsSource: r.histogramSizeSource,
    toolVersion: r.toolVersion,
    threads: r.threads.map((t) => ({
      thread: t.thread,
      cpu: t.cpu,
      min: t.min,
      avg: t.avg,
      max: t.max,
      cycles: t.cycles,
      overflows: t.overflows,
    })),
    merged: {
      min: merged.min,
      max: merged.max,
      avg: merged.mean,
      cycles: merged.cycles,
      overflows: merged.overflows,
      percentiles: merged.percentiles,
      lowerBounds: merged.lowerBounds,
    },
  };
}
