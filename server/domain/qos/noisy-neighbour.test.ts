import { describe, expect, it } from "vitest";
import { detectNoisyNeighbours } from "@/server/domain/qos/noisy-neighbour";
import type { QosReadingRow } from "@/server/domain/qos/qos-series";

const MIB = 1024 * 1024;
const STEP_MS = 10_000;
const DPI = "mon_groups/nfvdeck-dpi";
const FW = "mon_groups/nfvdeck-fw";

interface GroupSim {
  group: string;
  domain?: string;
  /** bandwidth (bytes/s) over the interval ending at t */
  bps: (tMs: number) => number;
  occupancy: (tMs: number) => number;
  /** the cumulative counter restarts from 0 at this time (group re-created, RMID recycled) */
  resetAtMs?: number;
}

/** Readings every 10 s over [0, endMs]: cumulative mbm_total_bytes from the bandwidth function. */
function simulate(groups: readonly GroupSim[], endMs = 600_000): QosReadingRow[] {
  const rows: QosReadingRow[] = [];
  for (const g of groups) {
    let bytes = 5_000_000_000_000n;
    for (let t = 0; t <= endMs; t += STEP_MS) {
      if (t > 0) bytes += BigInt(Math.round((g.bps(t) * STEP_MS) / 1000));
      if (g.resetAtMs !== undefined && t === g.resetAtMs) bytes = 1_000_000n;
      rows.push({ atMs: t, group: g.group, domain: g.domain ?? "mon_L3_00", llcOccupancyBytes: BigInt(g.occupancy(t)), mbmTotalBytes: bytes, mbmLocalBytes: null });
    }
  }
  return rows;
}

const step = (atMs: number, before: number, after: number) => (t: number) => (t > atMs ? after : before);
const occStep = (atMs: number, before: number, after: number) => (t: number) => (t >= atMs ? after : before);

describe("detectNoisyNeighbours", () => {
  it("true positive: dpi's bandwidth and occupancy jump while fw loses occupancy on the same L3", () => {
    const rows = simulate([
      { group: DPI, bps: step(300_000, 200e6, 2000e6), occupancy: occStep(300_000, 4 * MIB, 18 * MIB) },
      { group: FW, bps: () => 300e6, occupancy: occStep(300_000, 20 * MIB, 6 * MIB) },
    ]);
    const events = detectNoisyNeighbours(rows);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({ domain: "mon_L3_00", aggressor: DPI, victim: FW, fromMs: 240_000, toMs: 360_000, jumped: ["bandwidth", "occupancy"] });
    expect(e.aggressorBefore.mbmTotalBps).toBeCloseTo(200e6, -3);
    // window [300 s, 360 s): the interval ending at 300 s is still the old rate, the five after it the new one
    expect(e.aggressorAfter.mbmTotalBps).toBeCloseTo((200e6 + 5 * 2000e6) / 6, -3);
    expect(e.aggressorAfter.occupancyBytes).toBe(18 * MIB);
    expect([e.victimOccupancyBefore, e.victimOccupancyAfter]).toEqual([20 * MIB, 6 * MIB]);
  });

  it("a plain load rise with no victim is not flagged", () => {
    const rows = simulate([
      { group: DPI, bps: step(300_000, 200e6, 2000e6), occupancy: occStep(300_000, 4 * MIB, 18 * MIB) },
      // fw loses 10 %: below the victim threshold
      { group: FW, bps: () => 300e6, occupancy: occStep(300_000, 20 * MIB, 18 * MIB) },
    ]);
    expect(detectNoisyNeighbours(rows)).toEqual([]);
  });

  it("a victim on another L3 domain is not this jump's victim", () => {
    const rows = simulate([
      { group: DPI, domain: "mon_L3_00", bps: step(300_000, 200e6, 2000e6), occupancy: () => 4 * MIB },
      { group: FW, domain: "mon_L3_01", bps: () => 300e6, occupancy: occStep(300_000, 20 * MIB, 6 * MIB) },
    ]);
    expect(detectNoisyNeighbours(rows)).toEqual([]);
  });

  it("a counter reset does not look like a jump, even while a neighbour loses occupancy", () => {
    const groups: GroupSim[] = [
      // dpi's real bandwidth never changes; its counter restarts at 300 s
      { group: DPI, bps: () => 200e6, occupancy: () => 4 * MIB, resetAtMs: 300_000 },
      { group: FW, bps: () => 300e6, occupancy: occStep(300_000, 20 * MIB, 6 * MIB) },
    ];
    const rows = simulate(groups);
    expect(detectNoisyNeighbours(rows)).toEqual([]);
    // the same data read as a u64 wrap (2^64 − before + after) would be a 10^16-byte "jump": make sure
    // the reset really is in the data the detector saw
    const dpi = rows.filter((r) => r.group === DPI);
    expect(dpi.find((r) => r.atMs === 300_000)!.mbmTotalBytes! < dpi.find((r) => r.atMs === 290_000)!.mbmTotalBytes!).toBe(true);
  });

  it("a jump while the host's latency worsens is flagged with the latency numbers (no occupancy victim)", () => {
    const rows = simulate([
      { group: DPI, bps: step(300_000, 200e6, 2000e6), occupancy: () => 4 * MIB },
      { group: FW, bps: () => 300e6, occupancy: () => 20 * MIB },
    ]);
    const latency = [0, 60_000, 120_000, 180_000, 240_000, 300_000, 360_000].map((atMs) => ({ atMs: atMs + 5_000, maxUs: atMs >= 300_000 ? 85 : 20 }));
    const events = detectNoisyNeighbours(rows, latency);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ aggressor: DPI, victim: null, latencyBeforeUs: 20, latencyAfterUs: 85, jumped: ["bandwidth"], fromMs: 240_000, toMs: 360_000 });
    // the same latency rise without a bandwidth/occupancy jump flags nothing
    const quiet = simulate([
      { group: DPI, bps: () => 200e6, occupancy: () => 4 * MIB },
      { group: FW, bps: () => 300e6, occupancy: () => 20 * MIB },
    ]);
    expect(detectNoisyNeighbours(quiet, latency)).toEqual([]);
  });

  it("a jump spread over consecutive windows is one event", () => {
    const rows = simulate([
      // ramps ×2.5 per minute for two minutes
      { group: DPI, bps: (t) => (t > 360_000 ? 2500e6 : t > 300_000 ? 1000e6 : 400e6), occupancy: () => 4 * MIB },
      { group: FW, bps: () => 300e6, occupancy: (t) => (t >= 360_000 ? 3 * MIB : t >= 300_000 ? 10 * MIB : 20 * MIB) },
    ]);
    const events = detectNoisyNeighbours(rows);
    expect(events.map((e) => [e.aggressor, e.victim, e.fromMs, e.toMs])).toEqual([[DPI, FW, 240_000, 420_000]]);
  });

  it("the victim getting its lines back when the aggressor stops is a recovery, not a second event", () => {
    const rows = simulate([
      { group: DPI, bps: (t) => (t > 300_000 && t <= 480_000 ? 2000e6 : 200e6), occupancy: (t) => (t >= 300_000 && t < 480_000 ? 18 * MIB : 4 * MIB) },
      { group: FW, bps: () => 300e6, occupancy: (t) => (t >= 300_000 && t < 480_000 ? 6 * MIB : 20 * MIB) },
    ]);
    expect(detectNoisyNeighbours(rows).map((e) => [e.aggressor, e.victim, e.fromMs])).toEqual([[DPI, FW, 240_000]]);
  });

  it("hourly cyclictest runs: the last run before the jump against the worst within 10 min after it", () => {
    const rows = simulate(
      [
        { group: DPI, bps: step(3_600_000, 200e6, 2000e6), occupancy: () => 4 * MIB },
        { group: FW, bps: () => 300e6, occupancy: () => 20 * MIB },
      ],
      4_200_000,
    );
    // runs end at 0:05, 0:35 (before) and 1:04 (during the streaming), none in the jump window itself
    const latency = [
      { atMs: 300_000, maxUs: 14 },
      { atMs: 2_100_000, maxUs: 16 },
      { atMs: 3_840_000, maxUs: 95 },
    ];
    const events = detectNoisyNeighbours(rows, latency);
    expect(events.map((e) => [e.aggressor, e.victim, e.latencyBeforeUs, e.latencyAfterUs])).toEqual([[DPI, null, 16, 95]]);
    // a run more than 10 min after the jump says nothing about it
    expect(detectNoisyNeighbours(rows, [{ atMs: 2_100_000, maxUs: 16 }, { atMs: 4_300_000, maxUs: 95 }])).toEqual([]);
  });
});
