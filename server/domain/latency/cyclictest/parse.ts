/** Entry points: parse either format, and the `parse-cyclictest FILE --json` summary. Pure. */
import { mergeHistograms, summarize, type LatencyUnit } from "@/server/domain/latency/histogram";
import { threadParts } from "@/server/domain/latency/run";
import { CyclictestParseError, type CyclictestFormat, type CyclictestParseOptions, type CyclictestResult, type HistogramSizeSource } from "./result";
import { parseCyclictestJson } from "./json";
import { parseCyclictestText } from "./text";


/** Text or JSON, decided by the first non-blank character. */
export function parseCyclictest(text: string, opts: CyclictestParseOptions = {}): CyclictestResult {
  if (text.trim() === "") throw new CyclictestParseError("empty input", null);
  return text.trimStart().startsWith("{") ? parseCyclictestJson(text, opts) : parseCyclictestText(text, opts);
}


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
