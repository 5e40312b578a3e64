import { describe, expect, it } from "vitest";
import { cbmProblem, sameMask } from "@/server/domain/tuning/cat-mask";

describe("CAT capacity bitmask validation", () => {
  const intel = { cbmMask: "7ff", minCbmBits: 2, sparseAllowed: false };
  it("accepts contiguous masks within cbm_mask with enough ways", () => {
    for (const m of ["7ff", "7f0", "003", "0x600"]) expect(cbmProblem(m, intel), m).toBeNull();
  });
  it("names why the kernel would refuse a mask", () => {
    expect(cbmProblem("70f", intel)).toMatch(/not contiguous/);
    expect(cbmProblem("800", intel)).toMatch(/outside cbm_mask 7ff/);
    expect(cbmProblem("4", intel)).toMatch(/1 way\(s\) set; this CPU needs at least 2/);
    expect(cbmProblem("0", { ...intel, minCbmBits: 0 })).toMatch(/at least 1/);
    expect(cbmProblem("zz", intel)).toMatch(/not a hex bitmask/);
  });
  it("allows sparse masks where the CPU does (sparse_masks = 1)", () => {
    expect(cbmProblem("70f", { ...intel, sparseAllowed: true })).toBeNull();
  });
  it("compares masks by value", () => {
    expect(sameMask("07FF", "7ff")).toBe(true);
    expect(sameMask("7fe", "7ff")).toBe(false);
  });
});
