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
 * dirtying fits in the downtime limit. The first pass is taken as the whole of RAM, so the duration is an
 * upper bound: zero pages cost QEMU almost nothing to send.
 */
import type { MigrationPrediction } from "@/server/contract/migration";
import { formatBytes, formatBytesPerS } from "@/server/domain/migration/units";

export type PredictionInput = {
  dirtyBytesPerS: number;
  bandwidthBytesPerS: number;
  downtimeLimitMs: number;
  /** Guest RAM to send in the first pass. */
  memoryBytes: number;
  /** calc-dirty-rate's calc-time. */
  sampleWindowMs: number;
};

/** Past this many passes we call it non-converging: every pass costs another full copy of the dirty set. */
export const MAX_PREDICTED_PASSES = 30;

export function predictMigration(input: PredictionInput): MigrationPrediction {
  const { dirtyBytesPerS: dirty, bandwidthBytesPerS: bandwidth, downtimeLimitMs: limitMs, memoryBytes, sampleWindowMs } = input;
  const base = { dirtyBytesPerS: dirty, bandwidthBytesPerS: bandwidth, downtimeLimitMs: limitMs };
  const rates = `dirty rate ${formatBytesPerS(dirty)} vs ${formatBytesPerS(bandwidth)}`;
  if (!(bandwidth > 0)) {
    return { ...base, converges: false, predictedTotalMs: null, predictedDowntimeMs: null, message: `${rates}: no bandwidth, will not converge` };
  }
  const thresholdBytes = (bandwidth * limitMs) / 1000;
  let pending = Math.max(0, memoryBytes);
  let totalMs = 0;
  for (let pass = 1; pass <= MAX_PREDICTED_PASSES; pass++) {
    if (pending <= thresholdBytes) {
      const downtimeMs = (pending / bandwidth) * 1000;
      totalMs += downtimeMs;
      return {
        ...base,
        converges: true,
        predictedTotalMs: Math.round(totalMs),
        predictedDowntimeMs: round1(downtimeMs),
        message:
          `${rates}: converges at ${limitMs} ms in ${pass} pass${pass === 1 ? "" : "es"}, ` +
          `≈ ${formatMs(totalMs)} total (at most; ${formatBytes(memoryBytes)} first pass), downtime ≈ ${formatMs(downtimeMs)}`,
      };
    }
    const passMs = (pending / bandwidth) * 1000;
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
