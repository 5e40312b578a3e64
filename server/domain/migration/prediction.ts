/**
 * Pre-flight prediction of a pre-copy migration from a sampled dirty rate and the bandwidth it will get.
 *
 * Pre-copy sends all memory once, then in each further pass what the guest dirtied during the previous
 * pass; it stops the VM when what is left fits in the downtime limit at the current bandwidth. A pass
 * of x bytes lasts x/B, during which the guest dirties D·x/B: passes shrink by D/B each time, so a
 * guest that dirties as fast as the link sends (D ≥ B) never converges unless everything already fits.
 * The first pass is taken as the whole of RAM, so the duration is an upper bound: zero pages cost QEMU
 * almost nothing to send.
 */
import type { MigrationPrediction } from "@/server/contract/migration";
import { formatBytes, formatBytesPerS } from "@/server/domain/migration/units";

export type PredictionInput = {
  dirtyBytesPerS: number;
  bandwidthBytesPerS: number;
  downtimeLimitMs: number;
  /** Guest RAM to send in the first pass. */
  memoryBytes: number;
};

/** Past this many passes we call it non-converging: every pass costs another full copy of the dirty set. */
export const MAX_PREDICTED_PASSES = 30;

export function predictMigration(input: PredictionInput): MigrationPrediction {
  const { dirtyBytesPerS: dirty, bandwidthBytesPerS: bandwidth, downtimeLimitMs: limitMs, memoryBytes } = input;
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
    pending = Math.min(memoryBytes, (dirty * passMs) / 1000);
  }
  // What stopping the VM would cost once a second of dirtying has piled up: the floor of each pass.
  const downtimeMs = (Math.min(memoryBytes, dirty) / bandwidth) * 1000;
  return {
    ...base,
    converges: false,
    predictedTotalMs: null,
    predictedDowntimeMs: round1(downtimeMs),
    message: `${rates}: will not converge at ${limitMs} ms (a second of dirtying needs ≈ ${formatMs(downtimeMs)} of downtime)`,
  };
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
