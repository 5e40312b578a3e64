import { describe, expect, it } from "vitest";
import { isExpired, parsePartitionName, partitionName, partitionRangeOf, planFamily, PARTITION_FAMILIES, rangesAhead } from "@/server/domain/housekeeping/partitions";

const d = (s: string) => new Date(s);

describe("time partitions", () => {
  it("days and ISO weeks in UTC", () => {
    expect(partitionRangeOf(d("2026-12-01T23:59:59.999Z"), "day")).toEqual({ from: d("2026-12-01T00:00:00Z"), to: d("2026-12-02T00:00:00Z") });
    // 2026-12-06 is a Sunday: its week starts Monday 11-30
    expect(partitionRangeOf(d("2026-12-06T12:00:00Z"), "week")).toEqual({ from: d("2026-11-30T00:00:00Z"), to: d("2026-12-07T00:00:00Z") });
    expect(partitionRangeOf(d("2026-11-30T00:00:00Z"), "week").from).toEqual(d("2026-11-30T00:00:00Z"));
    expect(rangesAhead(d("2026-12-31T10:00:00Z"), "day", 2).map((r) => partitionName("QosSample", r.from))).toEqual(["QosSample_p20261231", "QosSample_p20270101", "QosSample_p20270102"]);
  });

  it("names round-trip; foreign names are ignored", () => {
    expect(parsePartitionName("LatencyRun", "LatencyRun_p20260229")).toBeNull(); // not a date
    expect(parsePartitionName("LatencyRun", "LatencyRun_p20280229")).toEqual(d("2028-02-29T00:00:00Z"));
    expect(parsePartitionName("LatencyRun", "LatencyRun_default")).toBeNull();
    expect(parsePartitionName("LatencyRun", "LatencyThread_p20261201")).toBeNull();
  });

  it("a partition expires only when all of it is past retention", () => {
    const now = d("2026-12-31T12:00:00Z");
    // cutoff 12-01 12:00: [11-30, 12-01) is all older, [12-01, 12-02) still holds rows inside retention
    expect(isExpired(partitionRangeOf(d("2026-11-30T00:00:00Z"), "day"), now, 30)).toBe(true);
    expect(isExpired(partitionRangeOf(d("2026-12-01T00:00:00Z"), "day"), now, 30)).toBe(false);
  });

  it("plans creation ahead and drops in order", () => {
    const qos = PARTITION_FAMILIES.find((f) => f.name === "qos");
    if (!qos) throw new Error("no qos family");
    const now = d("2026-12-10T06:00:00Z");
    const existing = ["2026-11-08", "2026-11-09", "2026-11-10", "2026-12-10"].map((s) => d(`${s}T00:00:00Z`));
    const plan = planFamily(qos, existing, now, { latency: 30, qos: 30, history: 365 });
    expect(plan.drop.map((r) => r.from.toISOString().slice(0, 10))).toEqual(["2026-11-08", "2026-11-09"]);
    expect(plan.create.map((r) => r.from.toISOString().slice(0, 10))).toEqual(["2026-12-11", "2026-12-12", "2026-12-13", "2026-12-14", "2026-12-15", "2026-12-16", "2026-12-17"]);
  });
});
