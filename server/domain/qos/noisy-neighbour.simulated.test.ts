/**
 * The detector on the simulator's series (agent/simulate/qos.ts, the same the demo and the e2e seed send):
 * noisy CMT/MBM readings, counter resets, a noisy-neighbour episode, and cyclictest runs as latency points.
 */
import { describe, expect, it } from "vitest";
import { simulateQosSamples, type QosGroupSpec } from "@/agent/simulate/qos";
import { detectNoisyNeighbours } from "@/server/domain/qos/noisy-neighbour";
import { latencyPointsOfRuns } from "@/server/domain/qos/latency-points";
import type { QosReadingRow } from "@/server/domain/qos/qos-series";

const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
const DPI = "mon_groups/nfvdeck-dpi";
const RT = "rt-vnf/mon_groups/nfvdeck-rt";
const GROUPS: QosGroupSpec[] = [
  { group: "/", domains: ["mon_L3_00", "mon_L3_01"] },
  { group: DPI, domains: ["mon_L3_00", "mon_L3_01"] },
  { group: RT, domains: ["mon_L3_00", "mon_L3_01"] },
];
const EPISODE = { aggressor: DPI, victim: RT, domain: "mon_L3_00", fromMs: T0 + 3_600_000, toMs: T0 + 3_600_000 + 300_000 };

function rows(opts: { episodes?: (typeof EPISODE)[]; seed?: string; meanResetIntervalS?: number }): QosReadingRow[] {
  // two hours every 15 s: the agent's cycle
  return simulateQosSamples({ groups: GROUPS, seed: opts.seed ?? "sim", from: new Date(T0), samples: 480, everySeconds: 15, episodes: opts.episodes, meanResetIntervalS: opts.meanResetIntervalS }).map((s) => ({
    atMs: Date.parse(s.at),
    group: s.group,
    domain: s.domain,
    llcOccupancyBytes: s.llcOccupancyBytes === null ? null : BigInt(s.llcOccupancyBytes),
    mbmTotalBytes: s.mbmTotalBytes === null ? null : BigInt(s.mbmTotalBytes),
    mbmLocalBytes: s.mbmLocalBytes === null ? null : BigInt(s.mbmLocalBytes),
  }));
}

describe("detectNoisyNeighbours on simulated series", () => {
  it("flags the simulated episode once, on its domain, with the aggressor's and the victim's numbers", () => {
    for (const seed of ["a", "b", "c", "d"]) {
      const events = detectNoisyNeighbours(rows({ episodes: [EPISODE], seed }));
      expect(events.map((e) => [e.aggressor, e.victim, e.domain, e.fromMs])).toEqual([[DPI, RT, "mon_L3_00", EPISODE.fromMs - 60_000]]);
      const e = events[0]!;
      expect(e.jumped).toContain("bandwidth");
      expect(e.aggressorAfter.mbmTotalBps!).toBeGreaterThan(e.aggressorBefore.mbmTotalBps! * 3);
      expect(e.victimOccupancyAfter!).toBeLessThan(e.victimOccupancyBefore! * 0.5);
    }
  });

  it("the same series without the episode, with frequent counter resets, flags nothing", () => {
    for (const seed of ["a", "b", "c", "d"]) expect(detectNoisyNeighbours(rows({ seed, meanResetIntervalS: 1800 }))).toEqual([]);
  });

  it("a victim by latency: cyclictest runs (every 20 min, 60 s each) worsen while the aggressor streams with no occupancy victim", () => {
    // the aggressor's "victim" here is another domain's group: no same-L3 occupancy loss, so only latency can flag it
    const episode = { ...EPISODE, victim: "/", domain: "mon_L3_00", victimOccupancyFactor: 1 };
    const runs = [0, 20, 40, 60, 80, 100].map((min) => ({
      startedAt: new Date(T0 + min * 60_000 + 30_000),
      durationS: 60,
      unit: "us",
      max: T0 + min * 60_000 + 30_000 >= EPISODE.fromMs && T0 + min * 60_000 < EPISODE.toMs ? 140 : 18,
    }));
    const latency = latencyPointsOfRuns(runs);
    expect(latency.filter((p) => p.maxUs === 140)).toHaveLength(1);
    const events = detectNoisyNeighbours(rows({ episodes: [episode] }), latency);
    expect(events.map((e) => [e.aggressor, e.victim, e.latencyBeforeUs, e.latencyAfterUs])).toEqual([[DPI, null, 18, 140]]);
    // no latency measured: nothing
    expect(detectNoisyNeighbours(rows({ episodes: [episode] }))).toEqual([]);
  });

  it("latency points: a run's end, in µs (-N runs report ns), runs without a max skipped", () => {
    expect(
      latencyPointsOfRuns([
        { startedAt: new Date(T0 + 60_000), durationS: 30, max: 25_000, unit: "ns" },
        { startedAt: new Date(T0), durationS: 10, max: 12, unit: "us" },
        { startedAt: new Date(T0), durationS: 10, max: null, unit: "us" },
      ]),
    ).toEqual([
      { atMs: T0 + 10_000, maxUs: 12 },
      { atMs: T0 + 90_000, maxUs: 25 },
    ]);
  });
});
