import { describe, expect, it } from "vitest";
import { nearestRank } from "@/server/bench/nearest-rank";

const ascending = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("nearestRank", () => {
  it("p95 of 20 timings is the 19th, not the slowest", () => {
    expect(nearestRank(ascending(20), 0.95)).toBe(19);
    expect(nearestRank(ascending(20), 1)).toBe(20);
  });
  it("p50 is the lower middle of an even count and the middle of an odd one", () => {
    expect(nearestRank(ascending(20), 0.5)).toBe(10);
    expect(nearestRank(ascending(21), 0.5)).toBe(11);
  });
  it("p99 of 1,000 is the 990th; q = 0 is the smallest; one value is every quantile", () => {
    expect(nearestRank(ascending(1000), 0.99)).toBe(990);
    expect(nearestRank(ascending(1000), 0)).toBe(1);
    expect(nearestRank([7], 0.95)).toBe(7);
  });
  it("is NaN for no values", () => {
    expect(nearestRank([], 0.5)).toBeNaN();
  });
});
