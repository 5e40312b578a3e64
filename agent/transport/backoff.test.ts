import { describe, expect, it } from "vitest";
import { backoffCeilingMs, fullJitterDelayMs, type BackoffPolicy } from "@/agent/transport/backoff";

const policy: BackoffPolicy = { baseMs: 500, maxMs: 60_000 };

describe("backoffCeilingMs", () => {
  it.each([
    [0, 500],
    [1, 1000],
    [2, 2000],
    [6, 32_000],
    [7, 60_000],
    [50, 60_000],
    [5000, 60_000],
    [-1, 500],
    [Number.NaN, 500],
    [2.7, 2000],
  ])("attempt %s → %s ms", (attempt, ceiling) => {
    expect(backoffCeilingMs(policy, attempt)).toBe(ceiling);
  });

  it("never exceeds the base when base > max", () => {
    expect(backoffCeilingMs({ baseMs: 100, maxMs: 50 }, 0)).toBe(50);
  });
});

describe("fullJitterDelayMs", () => {
  it.each([
    [0, 3, 0],
    [0.5, 3, 2000],
    [0.25, 0, 125],
    [0.999999, 10, 59_999],
    [1, 10, 59_999], // a random source that returns 1 stays below the ceiling
    [-0.2, 4, 0],
    [Number.NaN, 4, 0],
  ])("random %s, attempt %s → %s ms", (r, attempt, delay) => {
    expect(fullJitterDelayMs(policy, attempt, () => r)).toBe(delay);
  });

  it("spreads delays over the whole window (full jitter, not equal jitter)", () => {
    let seed = 42;
    const lcg = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delays = Array.from({ length: 2000 }, () => fullJitterDelayMs(policy, 4, lcg));
    expect(Math.min(...delays)).toBeLessThan(800); // equal jitter would never go below 4000
    expect(Math.max(...delays)).toBeGreaterThan(7200);
    expect(delays.every((d) => d >= 0 && d < 8000)).toBe(true);
  });
});
