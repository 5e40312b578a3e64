/**
 * Non-convergence of a running pre-copy migration, read from its progress series (query-migrate samples).
 *
 * Each pass starts right after a dirty-bitmap sync with `remaining` at its peak (what the guest dirtied
 * during the previous pass) and drains from there. We compare those peaks across passes: when they do
 * not shrink — or shrink too slowly to reach the downtime limit within a few more passes — and the
 * downtime they would cost is far above the limit, QEMU will keep iterating until something stops it.
 * Pass 1 (the bulk copy of all RAM) says nothing about convergence and is ignored.
 */
import type { MigrateProgress } from "@/server/contract/migration";
import { formatBytes, mbpsToBytesPerS } from "@/server/domain/migration/units";

export type ConvergenceSample = Pick<MigrateProgress, "status" | "pass" | "remainingBytes" | "expectedDowntimeMs" | "mbps">;

export type ConvergenceOptions = {
  downtimeLimitMs: number;
  /** Iterative passes (after the bulk pass) needed before judging: 2 to see a trend, 1 right after a policy step. */
  minPasses: number;
  /** Only passes after this one count (the pass during which the last policy step was taken). */
  afterPass?: number;
  /** "Far above the limit": below limit × this we let QEMU finish by itself. */
  farFactor?: number;
  /** A peak at least this fraction of the previous one is "not shrinking". */
  shrinkRatio?: number;
  /** Shrinking, but reaching the limit would take more passes than this: not converging either. */
  maxProjectedPasses?: number;
};

export type PassPeak = { pass: number; peakRemainingBytes: number; expectedDowntimeMs: number | null };

export type ConvergenceAssessment =
  | { kind: "undecided"; peaks: PassPeak[] }
  | { kind: "converging"; peaks: PassPeak[] }
  | { kind: "not-converging"; peaks: PassPeak[]; reason: string; expectedDowntimeMs: number };

const ITERATING = new Set(["active", "pre-switchover"]);

/** The peak `remaining` of each iterative pass, with the downtime stopping at that peak would cost. */
export function passPeaks(samples: readonly ConvergenceSample[], afterPass = 1): PassPeak[] {
  const byPass = new Map<number, { peak: number; qemuExpected: number | null; bandwidth: number | null }>();
  for (const s of samples) {
    if (!ITERATING.has(s.status) || s.pass === null || s.remainingBytes === null) continue;
    if (s.pass < 2 || s.pass <= afterPass) continue;
    const entry = byPass.get(s.pass) ?? { peak: 0, qemuExpected: null, bandwidth: null };
    entry.peak = Math.max(entry.peak, s.remainingBytes);
    if (s.expectedDowntimeMs !== null) entry.qemuExpected = Math.max(entry.qemuExpected ?? 0, s.expectedDowntimeMs);
    if (s.mbps !== null && s.mbps > 0) entry.bandwidth = mbpsToBytesPerS(s.mbps);
    byPass.set(s.pass, entry);
  }
  return [...byPass.entries()]
    .sort(([a], [b]) => a - b)
    .map(([pass, e]) => {
      const fromPeak = e.bandwidth !== null ? (e.peak / e.bandwidth) * 1000 : null;
      const candidates = [fromPeak, e.qemuExpected].filter((v): v is number => v !== null);
      return { pass, peakRemainingBytes: e.peak, expectedDowntimeMs: candidates.length > 0 ? Math.max(...candidates) : null };
    });
}

export function assessConvergence(samples: readonly ConvergenceSample[], options: ConvergenceOptions): ConvergenceAssessment {
  const { downtimeLimitMs: limit, minPasses, afterPass = 1, farFactor = 2, shrinkRatio = 0.9, maxProjectedPasses = 10 } = options;
  const peaks = passPeaks(samples, afterPass);
  // The newest pass's peak is already known: the action samples right after each MIGRATION_PASS event.
  if (peaks.length < minPasses) return { kind: "undecided", peaks };
  const latest = peaks[peaks.length - 1];
  if (latest === undefined || latest.expectedDowntimeMs === null) return { kind: "undecided", peaks };
  const expected = latest.expectedDowntimeMs;
  if (expected <= limit * farFactor) return { kind: "converging", peaks };
  const passWord = (n: number) => `${n} pass${n === 1 ? "" : "es"}`;
  const previous = peaks.length >= 2 ? peaks[peaks.length - 2] : undefined;
  if (previous === undefined) {
    return {
      kind: "not-converging",
      peaks,
      expectedDowntimeMs: expected,
      reason: `pass ${latest.pass} still leaves ${formatBytes(latest.peakRemainingBytes)}: expected downtime ${Math.round(expected)} ms vs limit ${limit} ms`,
    };
  }
  const ratio = previous.peakRemainingBytes > 0 ? latest.peakRemainingBytes / previous.peakRemainingBytes : 1;
  const trend = `${formatBytes(previous.peakRemainingBytes)} → ${formatBytes(latest.peakRemainingBytes)}`;
  if (ratio >= shrinkRatio) {
    return {
      kind: "not-converging",
      peaks,
      expectedDowntimeMs: expected,
      reason: `${passWord(latest.pass)}, remaining not shrinking (${trend}), expected downtime ${Math.round(expected)} ms vs limit ${limit} ms`,
    };
  }
  const projected = Math.ceil(Math.log(limit / expected) / Math.log(ratio));
  if (projected > maxProjectedPasses) {
    return {
      kind: "not-converging",
      peaks,
      expectedDowntimeMs: expected,
      reason: `${passWord(latest.pass)}, remaining shrinking too slowly (${trend}: ${projected} more passes), expected downtime ${Math.round(expected)} ms vs limit ${limit} ms`,
    };
  }
  return { kind: "converging", peaks };
}

/** The "raise" policy: double the downtime limit, never past the cap; null once the cap is reached. */
export const RAISE_CAP_MS = 2_000;

export function nextDowntimeLimitMs(currentMs: number, capMs: number = RAISE_CAP_MS): number | null {
  const cap = Math.max(capMs, currentMs);
  if (currentMs >= cap) return null;
  return Math.min(cap, currentMs * 2);
}
