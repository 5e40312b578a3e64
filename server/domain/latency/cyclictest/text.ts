/** cyclictest histogram text (both generations; see result.ts). Pure. */
import { sumBuckets, type SparseHistogram } from "@/server/domain/latency/histogram";
import { CyclictestParseError, statedHistogramSize, type CyclictestParseOptions, type CyclictestResult, type CyclictestThread, type HistogramSizeSource } from "./result";
import { parseCyclictestCmdline } from "./cmdline";


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
  const stated = statedHistogramSize(opts, cmd?.histogramSize);
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
  } else if (stated) {
    ({ histogramSize, histogramSizeSource } = stated);
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
