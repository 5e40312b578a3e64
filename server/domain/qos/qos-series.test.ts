import { describe, expect, it } from "vitest";
import { buildQosSeries, compareGroups, domainIdOf, qosWindowRange, seriesLabel, type QosReadingRow } from "./qos-series";

const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
const MIN = 60_000;

function row(i: number, total: bigint | null, opts: Partial<QosReadingRow> = {}): QosReadingRow {
  return { atMs: T0 + i * MIN, group: "/", domain: "mon_L3_00", llcOccupancyBytes: 1_048_576n * BigInt(i + 1), mbmTotalBytes: total, mbmLocalBytes: total === null ? null : total / 2n, ...opts };
}

describe("buildQosSeries", () => {
  it("turns cumulative counters into bytes/s; the first point has no rate", () => {
    const [s] = buildQosSeries([row(0, 0n), row(1, 6_000_000_000n), row(2, 12_000_000_000n)]);
    expect(s?.points.map((p) => p.mbmTotalBps)).toEqual([null, 100_000_000, 100_000_000]);
    expect(s?.points.map((p) => p.mbmLocalBps)).toEqual([null, 50_000_000, 50_000_000]);
    expect(s?.points.map((p) => p.occupancyBytes)).toEqual([1_048_576, 2_097_152, 3_145_728]);
    expect(s?.resets).toEqual({ total: 0, local: 0 });
  });

  it.each([
    { name: "a decrease is a reset: a gap, counted, never negative", totals: [100n, 6_000_000_100n, 50n, 6_000_000_050n], rates: [null, 100_000_000, null, 100_000_000], resets: 1 },
    { name: "an unreadable counter is a gap but not a reset", totals: [0n, null, 6_000_000_000n, 12_000_000_000n], rates: [null, null, null, 100_000_000], resets: 0 },
    { name: "two resets in a row", totals: [9_000_000_000n, 5n, 1n, 6_000_000_001n], rates: [null, null, null, 100_000_000], resets: 2 },
  ])("$name", ({ totals, rates, resets }) => {
    const [s] = buildQosSeries(totals.map((t, i) => row(i, t)));
    expect(s?.points.map((p) => p.mbmTotalBps)).toEqual(rates);
    expect(s?.resets.total).toBe(resets);
    expect(s?.resetTimes.length).toBe(resets);
    expect(s?.points.every((p) => p.mbmTotalBps === null || p.mbmTotalBps >= 0)).toBe(true);
  });

  it("splits by group and domain, root group first, readings sorted by time", () => {
    const rows = [row(1, 60n, { group: "rt-vnf" }), row(0, 0n, { group: "rt-vnf" }), row(0, 0n, { domain: "mon_L3_01" }), row(0, 0n), row(1, 120n)];
    const series = buildQosSeries(rows);
    expect(series.map((s) => [s.group, s.domain, s.readings])).toEqual([
      ["/", "mon_L3_00", 2],
      ["/", "mon_L3_01", 1],
      ["rt-vnf", "mon_L3_00", 2],
    ]);
    expect(series[2]?.points.map((p) => p.mbmTotalBps)).toEqual([null, 1]);
  });

  it("downsamples to at most maxPoints with a time-weighted mean rate and mean occupancy", () => {
    // 1,000 readings at a steady 2 GB/s, then 1,001 at 4 GB/s: 2,001 readings → ≤ 300 points
    const rows: QosReadingRow[] = [];
    let bytes = 0n;
    for (let i = 0; i < 2001; i++) {
      if (i > 0) bytes += i <= 1000 ? 120_000_000_000n : 240_000_000_000n;
      rows.push(row(i, bytes, { llcOccupancyBytes: 4_194_304n }));
    }
    const [s] = buildQosSeries(rows, 300);
    expect(s?.readings).toBe(2001);
    expect(s?.points.length).toBeLessThanOrEqual(300);
    expect(s?.points.length).toBeGreaterThan(250);
    expect(s?.points[1]?.mbmTotalBps).toBe(2e9);
    expect(s?.points.at(-1)?.mbmTotalBps).toBe(4e9);
    expect(s?.points.at(-1)?.t).toBe(T0 + 2000 * MIN);
    expect(s?.points.every((p) => p.occupancyBytes === 4_194_304)).toBe(true);
    // times strictly increase
    expect(s?.points.every((p, i, a) => i === 0 || p.t > (a[i - 1]?.t ?? Infinity))).toBe(true);
  });

  it("keeps a bucket that contains a reset a gap after downsampling", () => {
    const rows: QosReadingRow[] = [];
    let bytes = 1_000n;
    for (let i = 0; i < 100; i++) {
      bytes = i === 55 ? 10n : bytes + 60_000_000_000n;
      rows.push(row(i, bytes));
    }
    const [s] = buildQosSeries(rows, 10);
    expect(s?.points.length).toBe(10);
    expect(s?.resets.total).toBe(1);
    const gaps = s?.points.filter((p) => p.mbmTotalBps === null) ?? [];
    expect(gaps.length).toBe(1);
    expect(gaps[0]?.t).toBe(T0 + 59 * MIN);
    expect(s?.points.filter((p) => p.mbmTotalBps !== null).every((p) => p.mbmTotalBps === 1e9)).toBe(true);
  });

  it("returns nothing for no rows", () => {
    expect(buildQosSeries([])).toEqual([]);
  });
});

describe("helpers", () => {
  it.each([
    ["mon_L3_00", 0],
    ["mon_L3_01", 1],
    ["mon_L3_12", 12],
    ["weird", null],
  ])("domainIdOf(%s) = %s", (d, id) => expect(domainIdOf(d)).toBe(id));

  it("labels and orders groups", () => {
    expect(seriesLabel("rt-vnf", "mon_L3_01")).toBe("rt-vnf · L3 #1");
    expect(["b", "/", "a"].sort(compareGroups)).toEqual(["/", "a", "b"]);
  });

  it.each([
    ["24h", 24],
    ["7d", 168],
  ] as const)("window %s covers %i hours ending now", (w, hours) => {
    const now = new Date(T0);
    const r = qosWindowRange(w, now);
    expect(r.to).toEqual(now);
    expect((r.to.getTime() - r.from.getTime()) / 3_600_000).toBe(hours);
  });
});
