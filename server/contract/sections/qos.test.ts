import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setContractClock } from "../common";
import { qosSampleSchema } from "./qos";

// timestamps are checked against the server's clock: pin it to the fixture's day, so no run depends on today
beforeAll(() => setContractClock(() => Date.parse("2026-11-22T12:00:00Z")));
afterAll(() => setContractClock(null));

const sample = { at: "2026-11-22T10:00:00.000Z", group: "rt-vnf/mon_groups/vnf-rt-0", domain: "mon_L3_00", llcOccupancyBytes: "3407872", mbmTotalBytes: "18446744073709551615", mbmLocalBytes: null };

describe("qosSampleSchema", () => {
  it("accepts u64 counters as decimal strings and null for unreadable ones", () => {
    expect(qosSampleSchema.parse(sample)).toEqual(sample);
  });
  it.each([
    ["beyond u64", { ...sample, mbmTotalBytes: "18446744073709551616" }],
    ["a JSON number", { ...sample, llcOccupancyBytes: 3407872 }],
    ["negative", { ...sample, llcOccupancyBytes: "-1" }],
    ["leading zero", { ...sample, llcOccupancyBytes: "01" }],
    ["bad domain", { ...sample, domain: "L3_00" }],
    ["extra key", { ...sample, rate: 1 }],
  ])("rejects %s", (_n, input) => {
    expect(qosSampleSchema.safeParse(input).success).toBe(false);
  });
});
