import { describe, expect, it } from "vitest";
import { nextRowIndex, windowRange } from "./windowed-table";

describe("windowRange", () => {
  it("renders every row before it is measured (server render, no JS)", () => {
    expect(windowRange(null, 100, 36, 8)).toEqual({ start: 0, end: 100 });
  });
  it("renders the rows in view plus the overscan, clamped to the list", () => {
    expect(windowRange({ top: 0, height: 360 }, 100, 36, 8)).toEqual({ start: 0, end: 18 });
    expect(windowRange({ top: 3600, height: 360 }, 20_000, 36, 8)).toEqual({ start: 92, end: 118 });
    expect(windowRange({ top: 3590, height: 360 }, 100, 36, 8)).toEqual({ start: 91, end: 100 });
    expect(windowRange({ top: 0, height: 360 }, 0, 36, 8)).toEqual({ start: 0, end: 0 });
  });
});

describe("nextRowIndex", () => {
  it("moves by one row, by a screen, to the ends, and stays inside the list", () => {
    expect(nextRowIndex("ArrowDown", 0, 10, 4, true)).toBe(1);
    expect(nextRowIndex("ArrowDown", 9, 10, 4, true)).toBe(9);
    expect(nextRowIndex("ArrowUp", 0, 10, 4, true)).toBe(0);
    expect(nextRowIndex("PageDown", 3, 10, 4, true)).toBe(7);
    expect(nextRowIndex("PageDown", 8, 10, 4, true)).toBe(9);
    expect(nextRowIndex("PageUp", 3, 10, 4, true)).toBe(0);
    expect(nextRowIndex("End", 3, 10, 4, true)).toBe(9);
    expect(nextRowIndex("Home", 3, 10, 4, true)).toBe(0);
  });
  it("leaves Home/End to a focused control inside the row, and other keys alone", () => {
    expect(nextRowIndex("Home", 3, 10, 4, false)).toBeNull();
    expect(nextRowIndex("End", 3, 10, 4, false)).toBeNull();
    expect(nextRowIndex("a", 3, 10, 4, true)).toBeNull();
    expect(nextRowIndex("ArrowDown", 0, 0, 4, true)).toBeNull();
  });
});
