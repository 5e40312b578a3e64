/**
 * The two latency windows a tuning change is judged by (pure): BEFORE is the day before the job started
 * (cut at the previous change on the host, so it never mixes two states), AFTER runs from the moment the
 * job finished to the next change (at most a week). A run that overlaps the job itself belongs to neither:
 * windows select runs by their start, and the job's own span [startedAt, finishedAt) is left out.
 */
export const BEFORE_WINDOW_MS = 24 * 3600_000;
export const AFTER_WINDOW_MS = 7 * 24 * 3600_000;

export interface TimeWindow {
  from: Date;
  to: Date;
}

export interface TuneChangeSpan {
  startedAt: Date;
  finishedAt: Date;
}

export function tuneLatencyWindows(change: TuneChangeSpan, neighbours: { previousFinishedAt: Date | null; nextStartedAt: Date | null }): { before: TimeWindow; after: TimeWindow } {
  const beforeTo = change.startedAt.getTime();
  let beforeFrom = beforeTo - BEFORE_WINDOW_MS;
  if (neighbours.previousFinishedAt) beforeFrom = Math.max(beforeFrom, neighbours.previousFinishedAt.getTime());
  const afterFrom = change.finishedAt.getTime();
  let afterTo = afterFrom + AFTER_WINDOW_MS;
  if (neighbours.nextStartedAt) afterTo = Math.min(afterTo, neighbours.nextStartedAt.getTime());
  // a window is never empty or inverted (the latency services want from < to): at least 1 ms
  return {
    before: { from: new Date(Math.min(beforeFrom, beforeTo - 1)), to: new Date(beforeTo) },
    after: { from: new Date(afterFrom), to: new Date(Math.max(afterTo, afterFrom + 1)) },
  };
}

/** The URL query of the host latency view for a window (?window=custom&from=…&to=…, ISO instants). */
export function latencyWindowQuery(w: TimeWindow): string {
  return `window=custom&from=${encodeURIComponent(w.from.toISOString())}&to=${encodeURIComponent(w.to.toISOString())}`;
}
