import { describe, expect, it } from "vitest";
import {
  HistogramError,
  meanOf,
  mergeHistograms,
  percentiles,
  summarize,
  toHistogramRecord,
  type HistogramPart,
} from "./histogram";

const part = (over: Partial<HistogramPart> & Pick<HistogramPart, "histogram">): HistogramPart => ({
  histogramSize: 10,
  overflows: 0,
  min: null,
  max: null,
  ...over,
});

describe("percentiles (hand-computed)", () => {
  const cases: Array<{
    name: string;
    hist: Record<string, number>;
    overflows: number;
    size: number;
    expect: Record<string, number | null>;
    lower: string[];
  }> = [
    {
      // 100 samples: 50 at 3, 49 at 5, 1 at 9 → p50 = 3 (cum 50 ≥ 50), p99 = 5 (cum 99 ≥ 99), p99.9 = 9
      name: "no overflow",
      hist: { "3": 50, "5": 49, "9": 1 },
      overflows: 0,
      size: 10,
      expect: { "50": 3, "99": 5, "99.9": 9, "99.99": 9, "99.999": 9 },
      lower: [],
    },
    {
      // 1000 samples: 990 at 7, 9 at 8, 1 overflow → p99 = 7 (990 ≥ 990), p99.9 = 8 (999 ≥ 999),
      // p99.99 needs 999.9 → only reached with the overflow → lower bound 10
      name: "overflow tail",
      hist: { "7": 990, "8": 9 },
      overflows: 1,
      size: 10,
      expect: { "50": 7, "99": 7, "99.9": 8, "99.99": 10, "99.999": 10 },
      lower: ["99.99", "99.999"],
    },
    {
      name: "all overflow",
      hist: {},
      overflows: 5,
      size: 400,
      expect: { "50": 400, "99": 400, "99.9": 400, "99.99": 400, "99.999": 400 },
      lower: ["50", "99", "99.9", "99.99", "99.999"],
    },
    {
      name: "empty run",
      hist: {},
      overflows: 0,
      size: 400,
      expect: { "50": null, "99": null, "99.9": null, "99.99": null, "99.999": null },
      lower: [],
    },
    {
      // exactness: 100000 samples, 99999 at 1 and 1 at 2: p99.999 needs 99999 → bucket 1 (no float drift)
      name: "exact decimal rank",
      hist: { "1": 99999, "2": 1 },
      overflows: 0,
      size: 10,
      expect: { "50": 1, "99": 1, "99.9": 1, "99.99": 1, "99.999": 1 },
      lower: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = percentiles({ histogram: new Map(Object.entries(c.hist).map(([k, v]) => [Number(k), v])), overflows: c.overflows, histogramSize: c.size });
      expect(r.values).toEqual(c.expect);
      expect(r.lowerBounds).toEqual(c.lower);
    });
  }

  it("p100 of a histogram without overflow is its highest bucket", () => {
    expect(percentiles({ histogram: new Map([[2, 1], [6, 1]]), overflows: 0, histogramSize: 10 }, ["100"]).values["100"]).toBe(6);
  });

  it("rejects a malformed percentile", () => {
    expect(() => percentiles({ histogram: new Map([[1, 1]]), overflows: 0, histogramSize: 10 }, ["abc"])).toThrow(HistogramError);
  });
});

describe("mergeHistograms", () => {
  it("sums buckets, overflows, cycles; min of mins, true max from footers; cycle-weighted mean", () => {
    const a = part({ histogram: { "2": 3, "4": 1 }, overflows: 1, min: 2, max: 31, avg: 10 });
    const b = part({ histogram: new Map([[4, 2], [5, 4]]), overflows: 0, min: 4, max: 5, avg: 4.5 });
    const m = mergeHistograms([a, b]);
    expect(toHistogramRecord(m.histogram)).toEqual({ "2": 3, "4": 3, "5": 4 });
    expect(m.overflows).toBe(1);
    expect(m.cycles).toBe(11);
    expect(m.min).toBe(2);
    expect(m.max).toBe(31);
    // (10·5 + 4.5·6) / 11 = 77 / 11 = 7
    expect(meanOf(m)).toBe(7);
    expect(m.runs).toBe(2);
  });

  it("merges at the smallest size: larger histograms' buckets beyond it become overflows", () => {
    const small = part({ histogramSize: 5, histogram: { "1": 1 }, overflows: 2 });
    const large = part({ histogramSize: 10, histogram: { "1": 1, "4": 1, "5": 3, "9": 1 }, overflows: 1 });
    const m = mergeHistograms([small, large]);
    expect(m.histogramSize).toBe(5);
    expect(toHistogramRecord(m.histogram)).toEqual({ "1": 2, "4": 1 });
    expect(m.overflows).toBe(2 + 1 + 3 + 1);
    expect(m.cycles).toBe(10);
  });

  it("uses weightedSum of rollups when present", () => {
    const r1 = part({ histogram: { "1": 10 }, weightedSum: 15, weightedCycles: 10, runs: 3 });
    const r2 = part({ histogram: { "3": 10 }, weightedSum: 35, weightedCycles: 10, runs: 4 });
    const m = mergeHistograms([r1, r2]);
    expect(meanOf(m)).toBe(2.5);
    expect(m.runs).toBe(7);
  });

  it("an empty run contributes nothing (its min/max sentinel is ignored)", () => {
    const empty = part({ histogram: {}, overflows: 0, cycles: 0, min: 1000000, max: 0, avg: null });
    const real = part({ histogram: { "6": 2 }, min: 6, max: 6, avg: 6 });
    const m = mergeHistograms([empty, real]);
    expect(m.min).toBe(6);
    expect(m.max).toBe(6);
    expect(meanOf(m)).toBe(6);
    const s = summarize(mergeHistograms([empty]));
    expect(s.cycles).toBe(0);
    expect(s.mean).toBeNull();
    expect(s.percentiles["99"]).toBeNull();
  });

  it("no parts → empty", () => {
    const s = summarize(mergeHistograms([]));
    expect(s.cycles).toBe(0);
    expect(s.min).toBeNull();
  });

  it("refuses µs with ns, bad keys and bad counts", () => {
    expect(() => mergeHistograms([part({ histogram: {}, unit: "us" }), part({ histogram: {}, unit: "ns" })])).toThrow(/µs and ns/);
    expect(() => mergeHistograms([part({ histogram: { x: 1 } })])).toThrow(/bad bucket/);
    expect(() => mergeHistograms([part({ histogram: { "1": -1 } })])).toThrow(/bad count/);
    expect(() => mergeHistograms([part({ histogram: {}, histogramSize: 0 })])).toThrow(/histogram size/);
  });

  it("merged percentiles equal percentiles over the concatenated samples", () => {
    // two runs whose p99 differ: merged must be computed from counts, not averaged
    const a = part({ histogramSize: 100, histogram: { "10": 99, "50": 1 } });
    const b = part({ histogramSize: 100, histogram: { "20": 100 } });
    const s = summarize(mergeHistograms([a, b]));
    // 200 samples sorted: 99×10, 100×20, 1×50 → p50 (100) = 20, p99 (198) = 20, p99.9 (199.8) = 50
    expect(s.percentiles).toEqual({ "50": 20, "99": 20, "99.9": 50, "99.99": 50, "99.999": 50 });
  });
});
