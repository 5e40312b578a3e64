import { describe, expect, it } from "vitest";
import { mbmRate, mbmRates } from "./mbm-rate";

describe("mbmRate", () => {
  it.each([
    { name: "steady", prev: { atMs: 0, bytes: "1000" }, cur: { atMs: 2000, bytes: "5000" }, want: { bytesPerSecond: 2000, status: "ok" } },
    { name: "idle counter", prev: { atMs: 0, bytes: 7 }, cur: { atMs: 1000, bytes: 7 }, want: { bytesPerSecond: 0, status: "ok" } },
    { name: "decrease = reset, never negative", prev: { atMs: 0, bytes: "9000000" }, cur: { atMs: 1000, bytes: "100" }, want: { bytesPerSecond: null, status: "reset" } },
    { name: "Unavailable on one side", prev: { atMs: 0, bytes: null }, cur: { atMs: 1000, bytes: "100" }, want: { bytesPerSecond: null, status: "missing" } },
    { name: "same timestamp", prev: { atMs: 5, bytes: "1" }, cur: { atMs: 5, bytes: "2" }, want: { bytesPerSecond: null, status: "bad-interval" } },
    { name: "garbage text", prev: { atMs: 0, bytes: "12x" }, cur: { atMs: 1000, bytes: "100" }, want: { bytesPerSecond: null, status: "missing" } },
  ] as const)("$name", ({ prev, cur, want }) => {
    expect(mbmRate(prev, cur)).toEqual(want);
  });

  it("counters beyond 2^53 keep an exact Δ", () => {
    // 2^60 + 3e9 − 2^60 over 1 s = 3 GB/s: as doubles both values would round to the same number
    const base = 2n ** 60n;
    expect(mbmRate({ atMs: 0, bytes: base.toString() }, { atMs: 1000, bytes: (base + 3_000_000_000n).toString() })).toEqual({ bytesPerSecond: 3e9, status: "ok" });
  });
});

describe("mbmRates", () => {
  it("sorts, and restarts after a reset", () => {
    const pts = mbmRates([
      { atMs: 3000, bytes: "500" }, // after the reset
      { atMs: 0, bytes: "0" },
      { atMs: 1000, bytes: "1000" },
      { atMs: 2000, bytes: "100" }, // reset
    ]);
    expect(pts.map((p) => [p.fromMs, p.atMs, p.status, p.bytesPerSecond])).toEqual([
      [0, 1000, "ok", 1000],
      [1000, 2000, "reset", null],
      [2000, 3000, "ok", 400],
    ]);
    expect(pts.every((p) => p.bytesPerSecond === null || p.bytesPerSecond >= 0)).toBe(true);
  });

  it("fewer than two readings → no points", () => {
    expect(mbmRates([])).toEqual([]);
    expect(mbmRates([{ atMs: 0, bytes: "1" }])).toEqual([]);
  });
});
