import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qosSampleSchema } from "@/server/contract/sections/qos";
import { mbmRate } from "@/server/domain/qos/mbm-rate";
import { QosSeries, qosGroupsFromResctrl, simulateQosSamples } from "@/agent/simulate/qos";
import { setContractClock } from "@/server/contract/common";

// timestamps are checked against the server's clock: pin it to the fixture's day, so no run depends on today
beforeAll(() => setContractClock(() => Date.parse("2026-11-22T12:00:00Z")));
afterAll(() => setContractClock(null));

const groups = [
  { group: "/", domains: ["mon_L3_00", "mon_L3_01"] },
  { group: "rt-vnf/mon_groups/vnf-rt-0", domains: ["mon_L3_00", "mon_L3_01"] },
];

function bySeries(samples: ReturnType<typeof simulateQosSamples>) {
  const out = new Map<string, typeof samples>();
  for (const s of samples) out.set(`${s.group}|${s.domain}`, [...(out.get(`${s.group}|${s.domain}`) ?? []), s]);
  return out;
}

describe("QoS counters", () => {
  it("validate, are deterministic, and keep occupancy within the L3", () => {
    const o = { groups, seed: "q", from: new Date("2026-11-20T00:00:00Z"), samples: 50, everySeconds: 60, l3Bytes: 28_835_840 };
    const a = simulateQosSamples(o);
    expect(a).toEqual(simulateQosSamples(o));
    expect(a).toHaveLength(50 * 4);
    for (const s of a) {
      expect(qosSampleSchema.safeParse(s).success).toBe(true);
      expect(Number(s.llcOccupancyBytes)).toBeLessThanOrEqual(28_835_840);
    }
  });

  it("MBM counters only grow, except at a reset; local ≤ total; no negative bandwidth", () => {
    // A reset every ~20 readings on average, so this run surely has some.
    const samples = simulateQosSamples({ groups, seed: "resets", from: new Date("2026-11-20T00:00:00Z"), samples: 400, everySeconds: 60, meanResetIntervalS: 1200 });
    let resets = 0;
    for (const series of bySeries(samples).values()) {
      for (let i = 1; i < series.length; i++) {
        const prev = series[i - 1]!;
        const cur = series[i]!;
        const total = BigInt(cur.mbmTotalBytes!);
        const local = BigInt(cur.mbmLocalBytes!);
        expect(local).toBeLessThanOrEqual(total);
        const r = mbmRate({ atMs: Date.parse(prev.at), bytes: prev.mbmTotalBytes }, { atMs: Date.parse(cur.at), bytes: cur.mbmTotalBytes });
        if (total < BigInt(prev.mbmTotalBytes!)) {
          resets++;
          expect(r.status).toBe("reset");
          // after a reset the counter restarts near zero: at most one interval's worth of bytes
          expect(total).toBeLessThan(10n ** 12n);
        } else {
          expect(r.status).toBe("ok");
          expect(r.bytesPerSecond as number).toBeGreaterThanOrEqual(0);
        }
      }
    }
    expect(resets).toBeGreaterThan(0);
  });

  it("never goes back in time", () => {
    const s = new QosSeries({ groups, seed: "t" });
    s.readAt(new Date(2000));
    expect(() => s.readAt(new Date(1000))).toThrow(/forward/);
  });

  it("reads groups and domains from a resctrl section", () => {
    expect(qosGroupsFromResctrl(null)).toEqual([]);
    expect(qosGroupsFromResctrl({ monGroups: [{ path: "/", domains: [{ domain: "mon_L3_00" }, { domain: "bad name" }] }, { path: "x", domains: [] }] })).toEqual([{ group: "/", domains: ["mon_L3_00"] }]);
  });
});
