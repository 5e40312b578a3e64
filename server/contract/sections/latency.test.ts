import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setContractClock } from "../common";
import { latencyRunSchema } from "./latency";

// timestamps are checked against the server's clock: pin it to the fixture's day, so no run depends on today
beforeAll(() => setContractClock(() => Date.parse("2026-11-22T12:00:00Z")));
afterAll(() => setContractClock(null));

const valid = {
  runKey: "host-1:run-7",
  startedAt: "2026-11-22T04:50:00.000Z",
  durationS: 3,
  toolVersion: "2.40",
  cmdline: "cyclictest -q -p 80 -i 1000 -D 3s -h 400 -t 2 -a 0,1",
  priority: 80,
  intervalUs: 1000,
  load: "idle",
  unit: "us",
  histogramSize: 400,
  threads: [
    { thread: 0, cpu: 0, cycles: 3000, overflows: 2, min: 14, avg: 25.9, max: 2958, histogram: { "14": 2, "25": 2996 } },
    { thread: 1, cpu: 1, cycles: 10, overflows: 0, min: 20, avg: 21, max: 22, histogram: { "20": 5, "22": 5 } },
  ],
} as const;

describe("latencyRunSchema", () => {
  it("accepts a consistent run", () => {
    expect(latencyRunSchema.parse(valid)).toEqual(valid);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["Σ buckets + overflows ≠ cycles", { ...valid, threads: [{ ...valid.threads[0], cycles: 2999 }] }, /cycles 2999/],
    ["bucket beyond the histogram", { ...valid, histogramSize: 20 }, /histogramSize 20/],
    ["non-numeric bucket key", { ...valid, threads: [{ ...valid.threads[1], histogram: { x: 10 } }] }, /decimal integer/],
    ["negative count", { ...valid, threads: [{ ...valid.threads[1], histogram: { "20": -1 }, cycles: -1 }] }, /./],
    ["duplicate thread", { ...valid, threads: [valid.threads[1], valid.threads[1]] }, /duplicate thread/],
    ["min > max", { ...valid, threads: [{ ...valid.threads[1], min: 30 }] }, /min > max/],
    ["unknown unit", { ...valid, unit: "ms" }, /./],
    ["extra key", { ...valid, extra: 1 }, /./],
    ["no thread", { ...valid, threads: [] }, /./],
  ];
  it("a __proto__ key never reaches the output (zod drops it; the count check then refuses the run)", () => {
    const hostile = JSON.parse('{"__proto__": 10, "20": 10}') as Record<string, number>;
    const r = latencyRunSchema.safeParse({ ...valid, threads: [{ ...valid.threads[1], cycles: 20, histogram: hostile }] });
    expect(r.success).toBe(false);
    const ok = latencyRunSchema.parse({ ...valid, threads: [{ ...valid.threads[1], histogram: hostile }] });
    expect(Object.hasOwn(ok.threads[0]?.histogram ?? {}, "__proto__")).toBe(false);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it.each(bad)("rejects: %s", (_name, input, msg) => {
    const r = latencyRunSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(msg);
  });
});
