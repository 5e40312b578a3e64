import { describe, expect, it } from "vitest";
import { latencyWindowQuery, tuneLatencyWindows } from "@/server/domain/tuning/latency-windows";

const t = (iso: string) => new Date(iso);

describe("tuneLatencyWindows", () => {
  it("a lone change: the day before the job started, a week from when it finished; the job's own span in neither", () => {
    const w = tuneLatencyWindows({ startedAt: t("2026-03-10T12:00:00Z"), finishedAt: t("2026-03-10T12:00:02Z") }, { previousFinishedAt: null, nextStartedAt: null });
    expect(w.before).toEqual({ from: t("2026-03-09T12:00:00Z"), to: t("2026-03-10T12:00:00Z") });
    expect(w.after).toEqual({ from: t("2026-03-10T12:00:02Z"), to: t("2026-03-17T12:00:02Z") });
  });

  it("cut at the neighbouring changes: before starts when the previous change finished, after ends when the next one started", () => {
    const w = tuneLatencyWindows({ startedAt: t("2026-03-10T12:00:00Z"), finishedAt: t("2026-03-10T12:00:02Z") }, { previousFinishedAt: t("2026-03-10T08:00:00Z"), nextStartedAt: t("2026-03-10T13:30:00Z") });
    expect(w.before).toEqual({ from: t("2026-03-10T08:00:00Z"), to: t("2026-03-10T12:00:00Z") });
    expect(w.after).toEqual({ from: t("2026-03-10T12:00:02Z"), to: t("2026-03-10T13:30:00Z") });
    // a neighbour further away than the cap does not widen a window
    const far = tuneLatencyWindows({ startedAt: t("2026-03-10T12:00:00Z"), finishedAt: t("2026-03-10T12:00:02Z") }, { previousFinishedAt: t("2026-03-01T00:00:00Z"), nextStartedAt: t("2026-04-01T00:00:00Z") });
    expect(far.before.from).toEqual(t("2026-03-09T12:00:00Z"));
    expect(far.after.to).toEqual(t("2026-03-17T12:00:02Z"));
  });

  it("never empty: back-to-back changes still give from < to", () => {
    const w = tuneLatencyWindows({ startedAt: t("2026-03-10T12:00:00Z"), finishedAt: t("2026-03-10T12:00:02Z") }, { previousFinishedAt: t("2026-03-10T12:00:00Z"), nextStartedAt: t("2026-03-10T12:00:02Z") });
    expect(w.before.from.getTime()).toBeLessThan(w.before.to.getTime());
    expect(w.after.from.getTime()).toBeLessThan(w.after.to.getTime());
  });

  it("the latency view's query for a window", () => {
    expect(latencyWindowQuery({ from: t("2026-03-10T12:00:00Z"), to: t("2026-03-10T13:00:00.500Z") })).toBe("window=custom&from=2026-03-10T12%3A00%3A00.000Z&to=2026-03-10T13%3A00%3A00.500Z");
  });
});
