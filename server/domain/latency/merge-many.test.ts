import { describe, expect, it } from "vitest";
import { mergeHistograms, type HistogramPart } from "./histogram";
import { mergeManyParts } from "./merge-many";
import { rng } from "@/server/test/rng";

describe("mergeManyParts equals mergeHistograms", () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])("random parts, seed %i", (seed) => {
    const rand = rng(seed);
    const parts: HistogramPart[] = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => {
      const size = [10, 50, 400][Math.floor(rand() * 3)] ?? 10;
      const histogram: Record<string, number> = {};
      for (let i = 0; i < rand() * 20; i++) histogram[String(Math.floor(rand() * size))] = Math.floor(rand() * 1000);
      const withSum = rand() < 0.5;
      return {
        histogramSize: size,
        histogram,
        overflows: Math.floor(rand() * 3),
        min: rand() < 0.1 ? null : Math.floor(rand() * 5),
        max: rand() < 0.1 ? null : Math.floor(rand() * 2000),
        ...(withSum ? { weightedSum: rand() * 1e5, runs: 1 + Math.floor(rand() * 300) } : { avg: rand() * 30 }),
      };
    });
    const a = mergeManyParts(parts);
    const b = mergeHistograms(parts);
    expect({ ...a, histogram: [...a.histogram.entries()].sort((x, y) => x[0] - y[0]) }).toEqual({
      ...b,
      histogram: [...b.histogram.entries()].sort((x, y) => x[0] - y[0]),
    });
  });
  it.each([
    ["empty list", []],
    ["mixed units", [{ unit: "us", histogramSize: 5, histogram: {}, overflows: 0, min: null, max: null }, { unit: "ns", histogramSize: 5, histogram: {}, overflows: 0, min: null, max: null }]],
    ["bad key", [{ histogramSize: 5, histogram: { x: 1 }, overflows: 0, min: null, max: null }]],
  ] as Array<[string, HistogramPart[]]>)("falls back on %s", (_n, parts) => {
    let a: unknown;
    let b: unknown;
    try {
      a = mergeManyParts(parts);
    } catch (e) {
      a = String(e);
    }
    try {
      b = mergeHistograms(parts);
    } catch (e) {
      b = String(e);
    }
    expect(a).toEqual(b);
  });
});
