import { describe, expect, it } from "vitest";
import { resolveWindow, WINDOW_PRESETS } from "./window";
import { planWindowCover } from "./window-cover";
import { summaryExpiresAt, summaryWindow } from "./window-summary";

const at = (s: string) => new Date(s);

describe("summaryWindow", () => {
  it("24h: the 24 whole hours before the current hour", () => {
    const w = summaryWindow("24h", at("2031-03-04T10:37:12Z"));
    expect(w.from).toEqual(at("2031-03-03T10:00:00Z"));
    expect(w.to).toEqual(at("2031-03-04T10:00:00Z"));
    expect(w.asOf).toEqual(w.to);
  });

  it("7d / 30d: the preset's days ending with today, cut at the current hour", () => {
    expect(summaryWindow("7d", at("2031-03-04T10:37:12Z"))).toMatchObject({ from: at("2031-02-26T00:00:00Z"), to: at("2031-03-04T10:00:00Z") });
    expect(summaryWindow("30d", at("2031-03-04T10:37:12Z"))).toMatchObject({ from: at("2031-02-03T00:00:00Z"), to: at("2031-03-04T10:00:00Z") });
    // just after midnight: the N whole days before it
    expect(summaryWindow("7d", at("2031-03-04T00:10:00Z"))).toMatchObject({ from: at("2031-02-25T00:00:00Z"), to: at("2031-03-04T00:00:00Z") });
  });

  it("is the preset window resolved one instant before its end, cut there; covered by rollups alone", () => {
    for (const preset of WINDOW_PRESETS) {
      for (const now of ["2031-03-04T00:00:00Z", "2031-03-04T00:59:59.999Z", "2031-03-04T13:20:00Z", "2031-03-04T23:59:59Z"]) {
        const w = summaryWindow(preset, at(now));
        const p = resolveWindow({ preset }, new Date(w.to.getTime() - 1));
        expect(w.from).toEqual(p.from);
        expect(w.to.getTime()).toBeLessThanOrEqual(p.to.getTime());
        expect(w.to.getTime()).toBeLessThanOrEqual(at(now).getTime());
        expect(planWindowCover(w.from, w.to).raw).toEqual([]);
        expect(w.label).toBe(p.label);
      }
    }
  });

  it("does not move inside an hour; expires at the next hour", () => {
    expect(summaryWindow("24h", at("2031-03-04T10:00:00Z"))).toEqual(summaryWindow("24h", at("2031-03-04T10:59:59.999Z")));
    expect(summaryWindow("24h", at("2031-03-04T11:00:00Z")).to).toEqual(at("2031-03-04T11:00:00Z"));
    expect(summaryExpiresAt(at("2031-03-04T10:37:00Z"))).toEqual(at("2031-03-04T11:00:00Z"));
  });
});
