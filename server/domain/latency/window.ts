/**
 * Report windows. Presets are aligned so they are served from rollups alone (rollups are kept up to
 * date on ingest, so the current hour/day row already holds every run so far):
 *   24h → the 24 UTC hours ending with the current hour, 7d / 30d → the N UTC days ending with today.
 * Custom windows may be any instants; their partial hours are read from raw runs.
 */
import { DomainError } from "@/server/errors";
import { DAY_MS, HOUR_MS, floorUtc } from "./time-buckets";
import type { TimeRange } from "./window-cover";

export const WINDOW_PRESETS = ["24h", "7d", "30d"] as const;
export type WindowPreset = (typeof WINDOW_PRESETS)[number];

export type WindowSpec = { preset: WindowPreset } | { from: Date; to: Date };

/** Longest custom window: enough for a quarter plus slack, bounded so a fleet query stays cheap. */
export const MAX_WINDOW_DAYS = 400;

export interface ResolvedWindow extends TimeRange {
  label: string;
}

export function resolveWindow(spec: WindowSpec, now: Date): ResolvedWindow {
  if ("preset" in spec) {
    switch (spec.preset) {
      case "24h": {
        const to = new Date(floorUtc(now, "hour").getTime() + HOUR_MS);
        return { from: new Date(to.getTime() - 24 * HOUR_MS), to, label: "last 24 h" };
      }
      case "7d":
      case "30d": {
        const days = spec.preset === "7d" ? 7 : 30;
        const to = new Date(floorUtc(now, "day").getTime() + DAY_MS);
        return { from: new Date(to.getTime() - days * DAY_MS), to, label: `last ${days} days` };
      }
    }
  }
  const { from, to } = spec;
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new DomainError("INVALID", "window: invalid date");
  if (from.getTime() >= to.getTime()) throw new DomainError("INVALID", "window: 'from' must be before 'to'");
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
    throw new DomainError("INVALID", `window: at most ${MAX_WINDOW_DAYS} days`);
  }
  return { from, to, label: `${from.toISOString()} – ${to.toISOString()}` };
}
