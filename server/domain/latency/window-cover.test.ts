import { describe, expect, it } from "vitest";
import { planWindowCover } from "./window-cover";
import { ceilUtc, floorUtc, rollupKeysFor } from "./time-buckets";
import { resolveWindow } from "./window";
import { DomainError } from "@/server/errors";

const d = (s: string) => new Date(s);
const iso = (r: { from: Date; to: Date }) => [r.from.toISOString(), r.to.toISOString()];

describe("UTC buckets", () => {
  it.each([
    ["2026-11-22T10:17:03.500Z", "hour", "2026-11-22T10:00:00.000Z", "2026-11-22T11:00:00.000Z"],
    ["2026-11-22T10:00:00.000Z", "hour", "2026-11-22T10:00:00.000Z", "2026-11-22T10:00:00.000Z"],
    ["2026-11-22T23:59:59.999Z", "day", "2026-11-22T00:00:00.000Z", "2026-11-23T00:00:00.000Z"],
    ["1999-12-31T00:00:00.000Z", "day", "1999-12-31T00:00:00.000Z", "1999-12-31T00:00:00.000Z"],
  ] as const)("%s %s → floor %s, ceil %s", (t, g, f, c) => {
    expect(floorUtc(d(t), g).toISOString()).toBe(f);
    expect(ceilUtc(d(t), g).toISOString()).toBe(c);
  });
  it("a run belongs to its hour and its day", () => {
    const [h, day] = rollupKeysFor(d("2026-03-29T01:30:00Z"));
    expect(h.bucketStart.toISOString()).toBe("2026-03-29T01:00:00.000Z");
    expect(day.bucketStart.toISOString()).toBe("2026-03-29T00:00:00.000Z");
  });
});

describe("planWindowCover", () => {
  it("empty and reversed windows read nothing", () => {
    expect(planWindowCover(d("2026-01-01T00:00Z"), d("2026-01-01T00:00Z"))).toEqual({ days: null, hours: [], raw: [] });
    expect(planWindowCover(d("2026-01-02T00:00Z"), d("2026-01-01T00:00Z"))).toEqual({ days: null, hours: [], raw: [] });
  });
  it("inside one hour: raw runs only", () => {
    const c = planWindowCover(d("2026-01-01T10:05Z"), d("2026-01-01T10:50Z"));
    expect(c.days).toBeNull();
    expect(c.hours).toEqual([]);
    expect(c.raw.map(iso)).toEqual([["2026-01-01T10:05:00.000Z", "2026-01-01T10:50:00.000Z"]]);
  });
  it("across one boundary without a whole hour: raw runs only", () => {
    const c = planWindowCover(d("2026-01-01T10:05Z"), d("2026-01-01T11:50Z"));
    expect(c.hours).toEqual([]);
    expect(c.raw.map(iso)).toEqual([["2026-01-01T10:05:00.000Z", "2026-01-01T11:50:00.000Z"]]);
  });
  it("hour-aligned 24 h window inside two days: hours only, no raw", () => {
    const c = planWindowCover(d("2026-01-01T11:00Z"), d("2026-01-02T11:00Z"));
    expect(c.raw).toEqual([]);
    expect(c.days).toBeNull();
    expect(c.hours.map(iso)).toEqual([["2026-01-01T11:00:00.000Z", "2026-01-02T11:00:00.000Z"]]);
  });
  it("day-aligned 30 d window: exactly 30 day rows", () => {
    const c = planWindowCover(d("2026-01-01T00:00Z"), d("2026-01-31T00:00Z"));
    expect(c.days && iso(c.days)).toEqual(["2026-01-01T00:00:00.000Z", "2026-01-31T00:00:00.000Z"]);
    expect(c.hours).toEqual([]);
    expect(c.raw).toEqual([]);
  });
  it("ragged window: raw edges, hour edges, whole days between", () => {
    const c = planWindowCover(d("2026-01-01T22:30Z"), d("2026-01-04T01:15Z"));
    expect(c.raw.map(iso)).toEqual([
      ["2026-01-01T22:30:00.000Z", "2026-01-01T23:00:00.000Z"],
      ["2026-01-04T01:00:00.000Z", "2026-01-04T01:15:00.000Z"],
    ]);
    expect(c.hours.map(iso)).toEqual([
      ["2026-01-01T23:00:00.000Z", "2026-01-02T00:00:00.000Z"],
      ["2026-01-04T00:00:00.000Z", "2026-01-04T01:00:00.000Z"],
    ]);
    expect(c.days && iso(c.days)).toEqual(["2026-01-02T00:00:00.000Z", "2026-01-04T00:00:00.000Z"]);
  });
  it("covers every instant exactly once (sampled)", () => {
    const from = d("2026-01-01T22:30:00Z");
    const to = d("2026-01-05T03:10:00Z");
    const c = planWindowCover(from, to);
    const count = (t: Date) => {
      let n = 0;
      const h = floorUtc(t, "hour").getTime();
      const day = floorUtc(t, "day").getTime();
      for (const r of c.raw) if (t >= r.from && t < r.to) n++;
      for (const r of c.hours) if (h >= r.from.getTime() && h < r.to.getTime()) n++;
      if (c.days && day >= c.days.from.getTime() && day < c.days.to.getTime()) n++;
      return n;
    };
    for (let t = from.getTime() - 3_600_000; t < to.getTime() + 3_600_000; t += 7 * 60_000) {
      const inside = t >= from.getTime() && t < to.getTime();
      expect(count(new Date(t)), new Date(t).toISOString()).toBe(inside ? 1 : 0);
    }
  });
});

describe("resolveWindow", () => {
  const now = d("2026-11-22T10:17:00Z");
  it.each([
    ["24h", "2026-11-21T11:00:00.000Z", "2026-11-22T11:00:00.000Z"],
    ["7d", "2026-11-16T00:00:00.000Z", "2026-11-23T00:00:00.000Z"],
    ["30d", "2026-10-24T00:00:00.000Z", "2026-11-23T00:00:00.000Z"],
  ] as const)("preset %s", (preset, from, to) => {
    expect(iso(resolveWindow({ preset }, now))).toEqual([from, to]);
  });
  it("custom windows pass through", () => {
    expect(iso(resolveWindow({ from: d("2026-01-01T00:00Z"), to: d("2026-01-02T00:00Z") }, now))).toEqual([
      "2026-01-01T00:00:00.000Z",
      "2026-01-02T00:00:00.000Z",
    ]);
  });
  it.each([
    ["reversed", "2026-01-02T00:00Z", "2026-01-01T00:00Z"],
    ["empty", "2026-01-01T00:00Z", "2026-01-01T00:00Z"],
    ["too long", "2024-01-01T00:00Z", "2026-01-01T00:00Z"],
    ["invalid", "nope", "2026-01-01T00:00Z"],
  ])("rejects %s custom windows", (_n, from, to) => {
    expect(() => resolveWindow({ from: d(from), to: d(to) }, now)).toThrow(DomainError);
  });
});
