import { describe, expect, it } from "vitest";
import { DEFAULT_SLO, effectiveSlo, sloVerdict } from "./slo";
import { emptyStats, type LatencyStats } from "./stats";

const stats = (over: Partial<LatencyStats>): LatencyStats => ({ ...emptyStats(), cycles: 1000, runs: 1, ...over });
const p = (v: number) => ({ "50": v, "99": v, "99.9": v, "99.99": v, "99.999": v });

describe("sloVerdict", () => {
  it.each([
    ["max within", stats({ max: 20, percentiles: p(9) }), { maxUs: 20, p99999Us: null }, "pass", []],
    ["max over", stats({ max: 21, percentiles: p(9) }), { maxUs: 20, p99999Us: null }, "fail", ["max 21 µs > 20 µs"]],
    ["p99.999 over", stats({ max: 18, percentiles: p(16) }), { maxUs: 20, p99999Us: 15 }, "fail", ["p99.999 16 µs > 15 µs"]],
    [
      "p99.999 in the overflow tail beyond the target",
      stats({ max: 900, percentiles: p(400), lowerBounds: ["99.999"] }),
      { maxUs: null, p99999Us: 15 },
      "fail",
      ["p99.999 > 400 µs (overflow tail) cannot be shown ≤ 15 µs"],
    ],
    // size 10, target 15: p99.999 only known as "> 10", but the true max 12 ≤ 15 bounds it
    ["overflow tail bounded by the true max", stats({ max: 12, percentiles: p(10), lowerBounds: ["99.999"] }), { maxUs: null, p99999Us: 15 }, "pass", []],
    ["ns stats compare in ns", stats({ unit: "ns", max: 19_500, percentiles: p(9000) }), { maxUs: 20, p99999Us: 10 }, "pass", []],
    ["no cycles", stats({ cycles: 0 }), DEFAULT_SLO, "no-data", []],
    ["no targets", stats({ max: 5 }), { maxUs: null, p99999Us: null }, "no-target", []],
  ] as const)("%s", (_n, s, t, status, reasons) => {
    expect(sloVerdict(s, t)).toEqual({ status, reasons: [...reasons] });
  });
});

describe("effectiveSlo", () => {
  it("defaults to max ≤ 20 µs", () => {
    expect(effectiveSlo(null)).toEqual({ maxUs: 20, p99999Us: null });
    expect(effectiveSlo({ sloMaxUs: null, sloP99999Us: null })).toEqual({ maxUs: 20, p99999Us: null });
  });
  it("takes the profile's targets", () => {
    expect(effectiveSlo({ sloMaxUs: null, sloP99999Us: 15 })).toEqual({ maxUs: null, p99999Us: 15 });
  });
});
