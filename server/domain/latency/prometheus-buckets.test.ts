import { describe, expect, it } from "vitest";
import { addPrometheusLatencyCounts, emptyPrometheusLatencyCounts, PROMETHEUS_LATENCY_BOUNDS_US, prometheusLatencyCountsOf } from "@/server/domain/latency/prometheus-buckets";

describe("prometheusLatencyCountsOf", () => {
  it("counts whole-µs buckets into every bound at or above them (cumulative)", () => {
    const c = prometheusLatencyCountsOf({ histogramSize: 400, histogram: { "4": 10, "5": 3, "6": 2, "16": 1, "250": 1 }, overflows: 0, cycles: 17, min: 4, max: 250, avg: 20 });
    expect(PROMETHEUS_LATENCY_BOUNDS_US).toEqual([5, 10, 15, 20, 30, 50, 100, 200, 500, 1000]);
    expect(c.le).toEqual([13, 15, 15, 16, 16, 16, 16, 16, 17, 17]);
    expect(c.count).toBe(17);
    expect(c.sumSeconds).toBeCloseTo((20 * 17) / 1e6, 12);
  });

  it("counts overflows only in +Inf, never in a finite bound above the histogram size", () => {
    const c = prometheusLatencyCountsOf({ histogramSize: 100, histogram: { "8": 5 }, overflows: 2, cycles: 7, min: 8, max: 900, avg: 100 });
    expect(c.le.at(-1)).toBe(5); // le=1000 µs does not claim the two samples ≥ 100 µs
    expect(c.count).toBe(7);
  });

  it("uses Σ buckets + overflows when cycles is absent or too small, and a rollup's weightedSum for _sum", () => {
    const c = prometheusLatencyCountsOf({ histogramSize: 50, histogram: new Map([[9, 4]]), overflows: 1, cycles: 2, min: 9, max: 60, weightedSum: 90 });
    expect(c.count).toBe(5);
    expect(c.sumSeconds).toBeCloseTo(90e-6, 12);
  });

  it("adds as counters", () => {
    const a = prometheusLatencyCountsOf({ histogramSize: 400, histogram: { "7": 2 }, overflows: 0, cycles: 2, min: 7, max: 7, avg: 7 });
    const sum = addPrometheusLatencyCounts(addPrometheusLatencyCounts(emptyPrometheusLatencyCounts(), a), a);
    expect(sum.le[0]).toBe(0);
    expect(sum.le[1]).toBe(4);
    expect(sum.count).toBe(4);
  });
});
