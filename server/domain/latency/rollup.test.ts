import { describe, expect, it } from "vitest";
import { mergeIntoRollup, rollupPartOfRun, type RunForRollup } from "./rollup";
import { statsOfParts } from "./stats";
import { runTotals, type LatencyRunData } from "./run";
import { DomainError } from "@/server/errors";

const run = (over: Partial<RunForRollup>): RunForRollup => ({
  unit: "us",
  histogramSize: 100,
  cycles: 0,
  overflows: 0,
  min: null,
  max: null,
  avg: null,
  histogram: {},
  ...over,
});

describe("rollupPartOfRun (µs rollups)", () => {
  it("µs runs pass through", () => {
    const p = rollupPartOfRun(run({ histogram: { "7": 3 }, cycles: 3, min: 7, max: 7, avg: 7 }));
    expect(p).toMatchObject({ unit: "us", histogramSize: 100, histogram: { "7": 3 }, overflows: 0 });
  });
  it("ns runs fold into µs buckets exactly; the partial last µs becomes overflow", () => {
    // N = 2500 ns → 2 whole µs buckets; 999 ns → bucket 0, 1000/1999 → 1, 2000 → overflow (≥ 2 µs)
    const p = rollupPartOfRun(
      run({ unit: "ns", histogramSize: 2500, histogram: { "999": 4, "1000": 2, "1999": 1, "2000": 5 }, overflows: 3, cycles: 15, min: 999, max: 9000, avg: 1500 }),
    );
    expect(p).toMatchObject({ histogramSize: 2, histogram: { "0": 4, "1": 3 }, overflows: 8, min: 0.999, max: 9, avg: 1.5 });
  });
  it("ns runs smaller than 1 µs are not expressible", () => {
    expect(rollupPartOfRun(run({ unit: "ns", histogramSize: 400, histogram: { "300": 1 }, cycles: 1 }))).toBeNull();
  });
});

describe("mergeIntoRollup", () => {
  const a = run({ histogram: { "5": 90, "6": 9 }, overflows: 1, cycles: 100, min: 5, max: 250, avg: 6 });
  const b = run({ histogramSize: 10, histogram: { "5": 10, "8": 5, "9": 5 }, cycles: 20, min: 5, max: 9, avg: 7 });
  const pa = rollupPartOfRun(a);
  const pb = rollupPartOfRun(b);
  if (!pa || !pb) throw new Error("fixture");

  it("incremental merge equals merging the raw runs at once", () => {
    const once = mergeIntoRollup(null, [pa, pb]);
    const stepwise = mergeIntoRollup(mergeIntoRollup(null, [pa]), [pb]);
    expect(stepwise).toEqual(once);
    expect(once.runs).toBe(2);
  });
  it("hand-computed: sizes mix at the smaller size, true max kept, mean weighted by cycles", () => {
    const r = mergeIntoRollup(null, [pa, pb]);
    expect(r).toEqual({
      unit: "us",
      histogramSize: 10,
      runs: 2,
      cycles: 120,
      overflows: 1,
      min: 5,
      max: 250,
      weightedSum: 6 * 100 + 7 * 20,
      histogram: { "5": 100, "6": 9, "8": 5, "9": 5 },
    });
    // 120 cycles: p50 → rank 60 → bucket 5; p99 → 118.8 → cum(8)=114, cum(9)=119 → 9; p99.9 → 119.88 → overflow tail
    const s = statsOfParts([pa, pb]);
    expect(s.percentiles).toEqual({ "50": 5, "99": 9, "99.9": 10, "99.99": 10, "99.999": 10 });
    expect(s.lowerBounds).toEqual(["99.9", "99.99", "99.999"]);
    expect(s.mean).toBeCloseTo(740 / 120, 10);
  });
  it("a bucket above the smaller size becomes overflow when a later run is smaller", () => {
    const big = rollupPartOfRun(run({ histogram: { "50": 1 }, cycles: 1, min: 50, max: 50, avg: 50 }));
    if (!big) throw new Error("fixture");
    const r = mergeIntoRollup(mergeIntoRollup(null, [big]), [pb]);
    expect(r.histogramSize).toBe(10);
    expect(r.overflows).toBe(1);
    expect(r.histogram["50"]).toBeUndefined();
  });
  it("an empty run adds a run but no cycles", () => {
    const empty = rollupPartOfRun(run({}));
    if (!empty) throw new Error("fixture");
    const r = mergeIntoRollup(mergeIntoRollup(null, [pa]), [empty]);
    expect(r.runs).toBe(2);
    expect(r.cycles).toBe(100);
    expect(r.min).toBe(5);
  });
});

describe("runTotals", () => {
  const base: LatencyRunData = {
    startedAt: new Date("2026-01-01T00:00:00Z"),
    durationS: 1,
    toolVersion: null,
    cmdline: null,
    priority: null,
    intervalUs: null,
    load: "idle",
    unit: "us",
    histogramSize: 20,
    threads: [
      { thread: 0, cpu: 2, cycles: 4, overflows: 1, min: 3, avg: 10, max: 40, histogram: { "3": 2, "4": 1 } },
      { thread: 1, cpu: 3, cycles: 2, overflows: 0, min: 5, avg: 5, max: 6, histogram: { "5": 1, "6": 1 } },
    ],
  };
  it("merges threads: footer max, weighted mean", () => {
    expect(runTotals(base)).toEqual({ cycles: 6, overflows: 1, min: 3, max: 40, avg: 50 / 6, histogram: { "3": 2, "4": 1, "5": 1, "6": 1 } });
  });
  it.each([
    ["no threads", { ...base, threads: [] }],
    ["bucket ≥ size", { ...base, histogramSize: 5 }],
  ])("rejects %s", (_n, r) => {
    expect(() => runTotals(r)).toThrow(DomainError);
  });
});
