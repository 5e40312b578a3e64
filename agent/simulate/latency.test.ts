import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latencyRunSchema } from "@/server/contract/sections/latency";
import { mergeHistograms, summarize } from "@/server/domain/latency/histogram";
import { simulateLatencyRun, simulateThreadHistogram, TUNED_RT_SHAPE, cyclictestCmdline, formatDuration, type LatencyRunPlan } from "@/agent/simulate/latency";
import { hostProfile, HOST_KINDS } from "@/agent/simulate/hosts";
import { setContractClock } from "@/server/contract/common";

// timestamps are checked against the server's clock: pin it to the fixture's day, so no run depends on today
beforeAll(() => setContractClock(() => Date.parse("2026-11-22T12:00:00Z")));
afterAll(() => setContractClock(null));
import { createRandom } from "@/agent/simulate/random";

const plan = (over: Partial<LatencyRunPlan> = {}): LatencyRunPlan => ({
  runKey: "r1",
  startedAt: new Date("2026-11-20T10:00:00Z"),
  durationS: 300,
  intervalUs: 200,
  priority: 95,
  histogramSize: 400,
  cpus: [11, 12, 13, 14],
  mainAffinity: [0],
  load: "idle",
  shape: TUNED_RT_SHAPE,
  seed: "s1",
  ...over,
});

function stats(run: ReturnType<typeof simulateLatencyRun>) {
  const m = mergeHistograms(run.threads.map((t) => ({ histogramSize: run.histogramSize, histogram: t.histogram, overflows: t.overflows, cycles: t.cycles, min: t.min, max: t.max, avg: t.avg })));
  return { m, s: summarize(m) };
}

describe("simulateLatencyRun", () => {
  it("prints the command line a real agent runs", () => {
    expect(cyclictestCmdline(plan())).toBe("cyclictest -m -n -q -p95 -t 4 -a 11-14 -h 400 -i 200 -D 5m --mainaffinity=0");
    expect([formatDuration(300), formatDuration(3600), formatDuration(90)]).toEqual(["5m", "1h", "90s"]);
  });

  it("is deterministic for a seed and differs across seeds", () => {
    expect(simulateLatencyRun(plan())).toEqual(simulateLatencyRun(plan()));
    expect(simulateLatencyRun(plan({ seed: "s2" })).threads[0]?.histogram).not.toEqual(simulateLatencyRun(plan()).threads[0]?.histogram);
  });

  it.each(HOST_KINDS.flatMap((kind) => (["idle", "stress-ng cpu"] as const).map((load) => [kind, load] as const)))(
    "%s (%s): valid run, Σ buckets + overflows = cycles, min ≤ p50 ≤ max",
    (kind, load) => {
      const p = hostProfile(kind);
      const run = simulateLatencyRun(plan({ shape: p.shape, histogramSize: p.histogramSize, cpus: p.latencyCpus, load, seed: `${kind}/${load}` }));
      expect(latencyRunSchema.safeParse(run).success).toBe(true);
      for (const t of run.threads) {
        const sum = Object.values(t.histogram).reduce((a, b) => a + b, 0);
        expect(sum + t.overflows).toBe(t.cycles);
        expect(t.cycles).toBe(1_500_000);
        for (const k of Object.keys(t.histogram)) expect(Number(k)).toBeLessThan(run.histogramSize);
        expect(t.min).not.toBeNull();
        expect(t.min as number).toBeLessThanOrEqual(t.avg as number);
        expect(t.avg as number).toBeLessThanOrEqual(t.max as number);
        if (t.overflows > 0) expect(t.max as number).toBeGreaterThanOrEqual(run.histogramSize);
      }
      const { s } = stats(run);
      const p50 = s.percentiles["50"] ?? Number.NaN;
      expect(s.min as number).toBeLessThanOrEqual(p50);
      expect(p50).toBeLessThanOrEqual(s.max as number);
    },
  );

  it("a tuned RT host looks like the slides: min 7, ≥ 99.5 % at 8–9 µs, max in the teens", () => {
    const { m, s } = stats(simulateLatencyRun(plan()));
    const at89 = (m.histogram.get(8) ?? 0) + (m.histogram.get(9) ?? 0);
    expect(at89 / m.cycles).toBeGreaterThan(0.995);
    expect(s.min).toBe(7);
    expect(s.max as number).toBeGreaterThanOrEqual(11);
    expect(s.max as number).toBeLessThanOrEqual(25);
    expect(m.overflows).toBe(0);
  });

  it("a noisy VM tails into thousands of µs and overflows its histogram", () => {
    const p = hostProfile("vm-guest");
    const { m, s } = stats(simulateLatencyRun(plan({ shape: p.shape, histogramSize: p.histogramSize, cpus: p.latencyCpus })));
    expect(m.overflows).toBeGreaterThan(0);
    expect(s.max as number).toBeGreaterThan(1000);
  });

  it("handles tiny runs without going negative", () => {
    for (const cycles of [0, 1, 2, 10]) {
      const h = simulateThreadHistogram(hostProfile("vm-guest").shape, cycles, 50, createRandom(cycles));
      const sum = Object.values(h.histogram).reduce((a, b) => a + b, 0);
      expect(sum + h.overflows).toBe(cycles);
      for (const n of Object.values(h.histogram)) expect(n).toBeGreaterThan(0);
      expect(h.overflows).toBeGreaterThanOrEqual(0);
    }
  });
});
