import { describe, expect, it } from "vitest";
import type { ResctrlSection } from "@/server/contract/sections/resctrl";
import { validateVnfMask } from "@/server/domain/qos/vnf-mask";

const cache = { numClosids: 16, cbmMask: "7ff", minCbmBits: 2, shareableBits: "600", bitUsage: null };
const section = (mode: string | null): ResctrlSection => ({
  mounted: true,
  inProcMounts: true,
  mountOptions: [],
  info: { l3: cache, l3Code: null, l3Data: null, l2: null, cdp: false, mb: null, l3Mon: null, lastCmdStatus: null },
  controlGroups: [
    { path: "/", schemata: [{ resource: "L3", domains: [{ id: 0, value: "0ff" }] }], cpusList: null, taskCount: null, mode: "shareable" },
    { path: "rt", schemata: [{ resource: "L3", domains: [{ id: 0, value: "300" }] }], cpusList: null, taskCount: null, mode },
    { path: "nfvdeck-fw", schemata: [{ resource: "L3", domains: [{ id: 0, value: "0f0" }] }], cpusList: null, taskCount: null, mode: "shareable" },
  ],
  monGroups: [],
  warnings: [],
});

describe("validateVnfMask", () => {
  it.each([
    ["800", /outside cbm_mask/],
    ["1", /at least 2/],
    ["5", /not contiguous/],
  ])("mask %s is refused by tune.cat's rules", (mask, why) => {
    const f = validateVnfMask(section("shareable"), "nfvdeck-fw", mask);
    expect(f).toEqual([{ severity: "error", message: expect.stringMatching(why) }]);
  });

  it("overlap with other classes and shareable bits; its own current mask does not count", () => {
    const f = validateVnfMask(section("exclusive"), "nfvdeck-fw", "700");
    expect(f.map((x) => x.severity)).toEqual(["warning", "error"]);
    expect(f[0]?.message).toMatch(/shareable_bits 600/);
    expect(f[1]?.message).toMatch(/class rt .* ways 300: that class is exclusive/);
    expect(validateVnfMask(section("shareable"), "nfvdeck-fw", "030")).toEqual([{ severity: "warning", message: expect.stringMatching(/default class .* ways 30$/) }]);
  });
});
