import { describe, expect, it } from "vitest";
import { fleetReportCsv } from "./csv";
import { driftEventLabel, driftMarkers, type DriftEventLike } from "./drift-markers";
import { emptyStats, formatLatency, formatPercentile, statsOfParts } from "./stats";
import { chooseTrendResolution, trendPoint } from "./trend";

describe("formatLatency", () => {
  it.each([
    [17, "us", false, "17 µs"],
    [400, "us", true, "> 400 µs"],
    [9.4213, "us", false, "9.42 µs"],
    [1200, "ns", false, "1200 ns"],
    [null, "us", false, "—"],
  ] as const)("%s %s lb=%s → %s", (v, u, lb, out) => {
    expect(formatLatency(v, u, lb)).toBe(out);
  });
  it("formats a percentile in the overflow tail as a lower bound", () => {
    const s = statsOfParts([{ histogramSize: 10, histogram: { "3": 9 }, overflows: 1, min: 3, max: 99 }]);
    expect(formatPercentile(s, "50")).toBe("3 µs");
    expect(formatPercentile(s, "99")).toBe("> 10 µs");
  });
});

describe("trendPoint", () => {
  it("per-period merged percentiles with lower-bound flags", () => {
    const t = new Date("2026-01-01T00:00:00Z");
    const pt = trendPoint(t, [{ histogramSize: 10, histogram: { "3": 98, "4": 1 }, overflows: 1, min: 3, max: 77 }]);
    expect(pt).toEqual({ t: t.getTime(), runs: 1, cycles: 100, p50: 3, p99: 4, p9999: 10, p99999: 10, max: 77, lowerBounds: ["p9999", "p99999"] });
  });
  it("an empty period has no values", () => {
    const pt = trendPoint(new Date(0), []);
    expect([pt.p50, pt.max, pt.cycles]).toEqual([null, null, 0]);
  });
  it.each([
    [86_400_000, "run"],
    [7 * 86_400_000, "hour"],
    [90 * 86_400_000, "day"],
  ] as const)("resolution for %d ms → %s", (ms, r) => expect(chooseTrendResolution(ms)).toBe(r));
});

describe("drift markers", () => {
  const ev = (over: Partial<DriftEventLike>): DriftEventLike => ({
    at: new Date("2026-01-01T10:00:00Z"),
    kind: "snapshot",
    section: "kernel",
    key: "irqbalance.active",
    oldValue: "inactive",
    newValue: "active",
    ruleId: null,
    oldStatus: null,
    newStatus: null,
    ...over,
  });
  it.each([
    [ev({}), "irqbalance started"],
    [ev({ oldValue: "active", newValue: "inactive" }), "irqbalance stopped"],
    [ev({ kind: "compliance", ruleId: "irq-affinity", oldStatus: "pass", newStatus: "fail" }), "rule irq-affinity: pass → fail"],
    [ev({ key: "cmdline", oldValue: "quiet", newValue: null }), "kernel.cmdline: quiet → ∅"],
  ])("%# label", (e, label) => expect(driftEventLabel(e)).toBe(label));
  it("events at the same instant share a marker, sorted by time", () => {
    const later = new Date("2026-01-01T11:00:00Z");
    const m = driftMarkers([ev({ at: later, key: "cmdline", oldValue: "a", newValue: "b" }), ev({}), ev({ kind: "compliance", ruleId: "r1", oldStatus: "pass", newStatus: "fail" })]);
    expect(m.map((x) => x.label)).toEqual(["irqbalance started (+1)", "kernel.cmdline: a → b"]);
    expect(m[0]?.details).toHaveLength(2);
  });
});

describe("fleetReportCsv", () => {
  it("one header, one row per host, lower bounds flagged, fields escaped", () => {
    const s = statsOfParts([{ histogramSize: 10, histogram: { "3": 9 }, overflows: 1, min: 3, max: 99, avg: 4 }]);
    const csv = fleetReportCsv(
      [
        { hostId: "h1", hostname: 'lab,"a"', stats: s, slo: { status: "fail", reasons: ["max 99 µs > 20 µs"] } },
        { hostId: "h2", hostname: "=cmd", stats: emptyStats(), slo: { status: "no-data", reasons: [] } },
      ],
      { from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-01-02T00:00:00Z") },
    );
    const lines = csv.trimEnd().split("\r\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      "host,host_id,window_from,window_to,unit,p50,p99,p99.9,p99.99,p99.999,p50_is_lower_bound,p99_is_lower_bound,p99.9_is_lower_bound,p99.99_is_lower_bound,p99.999_is_lower_bound,min,max,mean,cycles,overflows,runs,slo,slo_reasons",
    );
    expect(lines[1]).toBe(
      '"lab,""a""",h1,2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z,us,3,10,10,10,10,false,true,true,true,true,3,99,4,10,1,1,fail,max 99 µs > 20 µs',
    );
    expect(lines[2]?.startsWith("'=cmd,h2,")).toBe(true);
  });
});
