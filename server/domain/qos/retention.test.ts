import { describe, expect, it } from "vitest";
import { QOS_RETENTION_MS, retainedTableBytes, steadyStateRowsPerSeries, thinReadingTimes } from "@/server/domain/qos/retention";

const S10 = 10_000;
const DAY = 86_400_000;
// an arbitrary fixed "now", aligned on 30 min so the tier boundaries fall on bucket edges
const NOW = Date.UTC(2026, 10, 30, 0, 0, 0);

describe("QoS retention", () => {
  it("30 simulated days of 10 s readings of one series thin to the steady-state count, idempotently", () => {
    const times: number[] = [];
    for (let t = NOW - 31 * DAY; t <= NOW; t += S10) times.push(t);
    const kept = thinReadingTimes(times, NOW);
    expect(kept.length).toBe(steadyStateRowsPerSeries(S10));
    // 6 h raw (2160) + 5 min to 7 d (1944) + 30 min to 30 d (1104), +1 per cut boundary bucket
    expect(steadyStateRowsPerSeries(S10)).toBe(2160 + 1944 + 1104 + 2);
    // at an unaligned now the bound still holds
    const later = NOW + 7 * 60_000 + 3_000;
    const keptLater = thinReadingTimes([...times, ...Array.from({ length: 42 }, (_, i) => NOW + (i + 1) * S10)], later);
    expect(keptLater.length).toBeLessThanOrEqual(steadyStateRowsPerSeries(S10));
    expect(keptLater.length).toBeGreaterThanOrEqual(steadyStateRowsPerSeries(S10) - 3);
    expect(thinReadingTimes(kept, NOW)).toEqual(kept);
    expect(Math.min(...kept)).toBeGreaterThan(NOW - QOS_RETENTION_MS);
    // the newest 6 h are all there
    expect(kept.filter((t) => t > NOW - 6 * 3_600_000).length).toBe(2160);
  });

  it("keeps the last reading of each bucket (counters stay exact over the longer interval)", () => {
    const base = NOW - 2 * DAY;
    const kept = thinReadingTimes([base + 10_000, base + 200_000, base + 290_000, base + 310_000], NOW);
    expect(kept).toEqual([base + 290_000, base + 310_000]);
  });

  it("1,000 hosts × 20 groups × 2 domains at 10 s, with the measured 162 B per row", () => {
    const r = retainedTableBytes({ hosts: 1000, groups: 20, domains: 2, sampleMs: S10, bytesPerRow: 162 });
    expect(r.rows).toBe(40_000 * 5210);
    expect(Math.round(r.bytes / 1e9)).toBe(34);
  });
});
