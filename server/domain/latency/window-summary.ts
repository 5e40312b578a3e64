/**
 * The windows the precomputed per-host latency summaries cover (server/repo/latency-window-summary.ts).
 * A preset's summary is the preset window as of the last whole UTC hour T = ⌊now⌋ₕ, cut at T:
 *   24h → [T − 24 h, T) (the 24 whole hours before T);
 *   7d / 30d → [start of the N UTC days that end with the day of T − 1 ms, T).
 * It is the preset window (window.ts) resolved at T − 1 ms with its end moved to T, so it needs no raw runs
 * (whole days and whole hours only) and does not change while the current hour fills: runs that start in
 * the current hour belong to the next summary. It moves once an hour; a summary for an older T is expired.
 */
import { HOUR_MS, floorUtc } from "./time-buckets";
import { resolveWindow, type ResolvedWindow, type WindowPreset } from "./window";

export interface SummaryWindow extends ResolvedWindow {
  /** T: the summary holds every run that started before this whole hour (and inside the window) */
  asOf: Date;
}

export function summaryWindow(preset: WindowPreset, now: Date): SummaryWindow {
  const asOf = floorUtc(now, "hour");
  const preset0 = resolveWindow({ preset }, new Date(asOf.getTime() - 1));
  return { from: preset0.from, to: asOf, asOf, label: preset0.label };
}

/** When a summary computed at `now` expires: the next whole hour. */
export function summaryExpiresAt(now: Date): Date {
  return new Date(floorUtc(now, "hour").getTime() + HOUR_MS);
}
