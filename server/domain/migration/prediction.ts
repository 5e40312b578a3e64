/**
 * Pre-flight prediction of a pre-copy migration from a sampled dirty rate and the bandwidth it will get.
 *
 * Pre-copy sends all memory once, then in each further pass what the guest dirtied during the previous
 * pass; it stops the VM when what is left fits in the downtime limit at the current bandwidth. A pass
 * of x bytes lasts x/B and leaves what the guest dirtied meanwhile. QEMU's page-sampling counts a page
 * once per sample window however often it is written, so what a pass shorter than the window leaves is
 * unknown up to a whole window's worth; we assume the worst (a hot working set is rewritten all the
 * time — measured on a guest looping over 16 MiB: 14 MiB/s sampled, yet every 0.5 s pass left 13 MiB).
 * Hence each pass leaves D · max(pass time, window), and it converges only when a window's worth of
 * dirtying fits in the downtime limit.
 *
 * The first pass walks all of RAM, but QEMU sends a zero page as a header only (8-byte offset + 1 flag
 * byte, no data), so it costs the non-zero part (with a 8-byte header per page) plus ~9 bytes per zero
 * page, all at the bandwidth (max-bandwidth throttles the headers too: on an idle 256 MiB guest at
 * 300 kB/s, 65 555 zero pages and 115 data pages were 1.06 MB and 3.3 s). When the non-zero part is
 * unknown the first pass is all of RAM, an upper bound. Walking RAM costs QEMU CPU time too (dirty
 * bitmap, a zero check of every page): FIRST_PASS_NS_PER_PAGE, so the first pass lasts the longer of the
 * two (the rate limiter sleeps while the walk goes on). The convergence verdict depends only on the
 * dirty rate, the window and the limit, not on this.
 */
import type { MigrationPrediction } from "@/server/contract/migration";
import { formatBytes, formatBytesPerS } from "@/server/domain/migration/units";

export type PredictionInput = {
  dirtyBytesPerS: number;
  bandwidthBytesPerS: number;
  downtimeLimitMs: number;
  /** Guest RAM walked by the first pass. */
  memoryBytes: number;
  /** The non-zero part of it (estimated from the host), or null when unknown: then all of RAM is counted. */
  nonZeroBytes?: number | null;
  /** Guest page size (x86: 4096). */
  pageSize?: number;
  /** calc-dirty-rate's calc-time. */
  sampleWindowMs: number;
};

/** Past this many passes we call it non-converging: every pass costs another full copy of the dirty set. */
export const MAX_PREDICTED_PASSES = 30;
/** What QEMU puts on the wire per page: 8-byte offset+flags, plus 1 byte for a zero page, plus the data for others. */
export const PAGE_HEADER_BYTES = 8;
export const ZERO_PAGE_WIRE_BYTES = 9;
/**
 * QEMU 7.2's CPU cost per page of the first pass when the wire is not the limit: measured on an idle
 * 256 MiB TCG guest at 128 MiB/s on a 2-core box, 20-45 ms for 65 536 pages of which ~1 MB went on the
 * wire (≈ 300-700 ns a page; up to 86 ms under parallel load). The low end: a floor, not a bound.
 */
export const FIRST_PASS_NS_PER_PAGE = 300;

/** Bytes the first pass puts on the wire: the non-zero pages in full, the zero ones as headers. */
export function firstPassWireBytes(memoryBytes: number, nonZeroBytes: number | null | undefined, pageSize = 4096): number {
  if (nonZeroBytes === null || nonZeroBytes === undefined) return memoryBytes;
  const pages = Math.ceil(memoryBytes / pageSize);
  const dataPages = Math.min(pages, Math.ceil(Math.max(0, nonZeroBytes) / pageSize));
  return dataPages * (pageSize + PAGE_HEADER_BYTES) + (pages - dataPages) * ZERO_PAGE_WIRE_BYTES;
}

export function predictMigration(input: PredictionInput): MigrationPrediction {
  const { dirtyBytesPerS: dirty, bandwidthBytesPerS: bandwidth, downtimeLimitMs: limitMs, memoryBytes, sampleWindowMs } = input;
  const base = { dirtyBytesPerS: dirty, bandwidthBytesPerS: bandwidth, downtimeLimitMs: limitMs };
  const rates = `dirty rate ${formatBytesPerS(dirty)} vs ${formatBytesPerS(bandwidth)}`;
  if (!(bandwidth > 0)) {
    return { ...base, converges: false, predictedTotalMs: null, predictedDowntimeMs: null, message: `${rates}: no bandwidth, will not converge` };
  }
  const thresholdBytes = (bandwidth * limitMs) / 1000;
  const estimated = input.nonZeroBytes !== null && input.nonZeroBytes !== undefined;
  const firstWire = firstPassWireBytes(Math.max(0, memoryBytes), input.nonZeroBytes, input.pageSize);
  // QEMU compares what is left (counted in RAM bytes) with the threshold; the wire bytes set how long a pass lasts.
  let pending = Math.max(0, memoryBytes);
  let totalMs = 0;
  for (let pass = 1; pass <= MAX_PREDICTED_PASSES; pass++) {
    const wire = pass === 1 ? firstWire : pending;
    if (pending <= thresholdBytes) {
      const downtimeMs = (wire / bandwidth) * 1000;
      totalMs += downtimeMs;
      return {
        ...base,
        converges: true,
        predictedTotalMs: Math.round(totalMs),
        predictedDowntimeMs: round1(downtimeMs),
        message:
          `${rates}: converges at ${limitMs} ms in ${pass} pass${pass === 1 ? "" : "es"}, ` +
          `≈ ${formatMs(totalMs)} total (${estimated ? `${formatBytes(firstWire)} first pass, ${formatBytes(input.nonZeroBytes ?? 0)} of ${formatBytes(memoryBytes)} non-zero` : `at most; ${formatBytes(memoryBytes)} first pass`}), downtime ≈ ${formatMs(downtimeMs)}`,
      };
    }
    const wireMs = (wire / bandwidth) * 1000;
    const passMs = pass === 1 && estimated ? Math.max(wireMs, (Math.ceil(memoryBytes / (input.pageSize ?? 4096)) * FIRST_PASS_NS_PER_PAGE) / 1e6) : wireMs;
    totalMs += passMs;
    pending = Math.min(memoryBytes, (dirty * Math.max(passMs, sampleWindowMs)) / 1000);
  }
  // What stopping the VM would cost once a window of dirtying has piled up: the floor of every pass.
  const floorBytes = Math.min(memoryBytes, (dirty * sampleWindowMs) / 1000);
  const downtimeMs = (floorBytes / bandwidth) * 1000;
  return {
    ...base,
    converges: false,
    predictedTotalMs: null,
    predictedDowntimeMs: round1(downtimeMs),
    message: `${rates}: will not converge at ${limitMs} ms (${formatBytes(floorBytes)} dirtied per ${formatMs(sampleWindowMs)} needs ≈ ${formatMs(downtimeMs)} of downtime)`,
  };
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
