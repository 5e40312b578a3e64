import { describe, expect, it } from "vitest";
import {
  CpuListError,
  formatCpuList,
  formatCpuMask,
  parseCpuList,
  parseCpuMask,
  subtractCpus,
  tryParseCpuList,
  unionCpus,
} from "@/server/domain/cpuset/cpuset";

describe("parseCpuList", () => {
  it.each([
    ["", []],
    ["  \n", []],
    ["0", [0]],
    ["0-3", [0, 1, 2, 3]],
    ["0-3,8,10-11\n", [0, 1, 2, 3, 8, 10, 11]],
    ["11-15,31-35", [11, 12, 13, 14, 15, 31, 32, 33, 34, 35]],
    ["3,1,1,2", [1, 2, 3]],
    ["0-15:2/4", [0, 1, 4, 5, 8, 9, 12, 13]],
    ["2-3, 5", [2, 3, 5]],
  ])("valid %j", (text, cpus) => {
    expect(parseCpuList(text)).toEqual(cpus);
  });

  it.each([["(null)"], ["abc"], ["2-"], ["5-3"], ["1,,2"], ["0x3"], ["-1"], ["1-2:0/4"], ["9000"], ["managed_irq,2-5"]])(
    "malformed %j throws CpuListError",
    (text) => {
      expect(() => parseCpuList(text)).toThrow(CpuListError);
      expect(tryParseCpuList(text)).toBeNull();
    },
  );
});

describe("formatCpuList", () => {
  it.each([
    [[], ""],
    [[5], "5"],
    [[0, 1, 2, 3, 8, 10, 11], "0-3,8,10-11"],
    [[35, 31, 32, 33, 34, 11, 12, 13, 14, 15], "11-15,31-35"],
    [[1, 1, 3], "1,3"],
  ])("%j → %j", (cpus, text) => {
    expect(formatCpuList(cpus)).toBe(text);
  });

  it("round-trips", () => {
    for (const text of ["0-79", "0-3,40-43", "1,3,5,7", "4-19,44-59"]) expect(formatCpuList(parseCpuList(text))).toBe(text);
  });
});

describe("cpu masks", () => {
  it.each([
    ["0", []],
    ["1", [0]],
    ["f", [0, 1, 2, 3]],
    ["00000000,00000f0f", [0, 1, 2, 3, 8, 9, 10, 11]],
    ["1,00000000", [32]],
    ["0x0000f800", [11, 12, 13, 14, 15]],
    ["ffff,ffffffff,ffffffff", Array.from({ length: 80 }, (_, i) => i)],
  ])("parse %j", (mask, cpus) => {
    expect(parseCpuMask(mask)).toEqual(cpus);
  });

  it.each([["zz"], ["1,,2"], ["not-a-mask"]])("malformed %j throws", (mask) => {
    expect(() => parseCpuMask(mask)).toThrow(CpuListError);
  });

  it.each([
    [[], "0"],
    [[0], "1"],
    [[11, 12, 13, 14, 15], "f800"],
    [[32], "1,00000000"],
  ])("format %j → %j", (cpus, mask) => {
    expect(formatCpuMask(cpus)).toBe(mask);
  });

  it("round-trips through format", () => {
    const cpus = [0, 5, 31, 32, 63, 64, 79];
    expect(parseCpuMask(formatCpuMask(cpus))).toEqual(cpus);
  });
});

describe("set operations", () => {
  it("union and subtract", () => {
    expect(unionCpus([3, 1], [2, 3], [])).toEqual([1, 2, 3]);
    expect(subtractCpus([0, 1, 2, 3, 4], [1, 3, 9])).toEqual([0, 2, 4]);
  });
});
