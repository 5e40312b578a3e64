import { describe, expect, it } from "vitest";
import type { ResctrlSection } from "@/server/contract/sections/resctrl";
import type { NoisyNeighbourEvent } from "@/server/domain/qos/noisy-neighbour";
import { classMaskOf, classOfGroupPath, vnfGroupOf, vnfNoisyEvents, vnfSeriesPaths } from "@/server/domain/qos/vnf-qos";

const cache = (cbmMask: string) => ({ numClosids: 16, cbmMask, minCbmBits: 1, shareableBits: "c00", bitUsage: null });

function section(cdp: boolean): ResctrlSection {
  const l3 = (v0: string, v1: string) => (cdp ? [{ resource: "L3CODE", domains: [{ id: 0, value: v0 }, { id: 1, value: v1 }] }, { resource: "L3DATA", domains: [{ id: 0, value: v0 }, { id: 1, value: v1 }] }] : [{ resource: "L3", domains: [{ id: 0, value: v0 }, { id: 1, value: v1 }] }]);
  return {
    mounted: true,
    inProcMounts: true,
    mountOptions: cdp ? ["rw", "cdp"] : ["rw"],
    info: { l3: cdp ? null : cache("fff"), l3Code: cdp ? cache("fff") : null, l3Data: cdp ? cache("fff") : null, l2: null, l2Code: null, l2Data: null, mb: null, l3Mon: null },
    controlGroups: [
      { path: "/", schemata: [...l3("fff", "fff"), { resource: "MB", domains: [{ id: 0, value: "100" }] }], cpusList: null, taskCount: null, mode: "shareable" },
      { path: "rt", schemata: l3("00F0", "f00"), cpusList: null, taskCount: null, mode: "exclusive" },
    ],
    monGroups: [],
    vnfGroups: [
      { vnf: "fw", path: "rt/mon_groups/nfvdeck-fw", status: "monitored", message: null, taskCount: 4 },
      { vnf: "big", path: null, status: "no-rmid", message: "mkdir: ENOSPC", taskCount: null },
    ],
    warnings: [],
  } as unknown as ResctrlSection;
}

function ev(aggressor: string, victim: string | null): NoisyNeighbourEvent {
  const w = { occupancyBytes: 1, mbmTotalBps: 1 };
  return { domain: "mon_L3_00", aggressor, victim, fromMs: 0, toMs: 120_000, jumped: ["bandwidth"], aggressorBefore: w, aggressorAfter: w, victimOccupancyBefore: null, victimOccupancyAfter: null, latencyBeforeUs: null, latencyAfterUs: null };
}

describe("a VNF's view of its host's resctrl section", () => {
  it.each([
    ["mon_groups/nfvdeck-a", "/"],
    ["/", "/"],
    ["rt/mon_groups/nfvdeck-a", "rt"],
    ["nfvdeck-a", "nfvdeck-a"],
  ])("class of %s is %s", (path, cls) => expect(classOfGroupPath(path)).toBe(cls));

  it("the agent's entry and the group paths read for a VNF (listed path, else both the agent may use)", () => {
    const s = section(false);
    expect(vnfGroupOf(s, "fw")?.path).toBe("rt/mon_groups/nfvdeck-fw");
    expect(vnfSeriesPaths(vnfGroupOf(s, "fw"), "fw")).toEqual(["rt/mon_groups/nfvdeck-fw"]);
    expect(vnfSeriesPaths(vnfGroupOf(s, "big"), "big")).toEqual(["mon_groups/nfvdeck-big", "nfvdeck-big/mon_groups/nfvdeck-big"]);
    expect(vnfGroupOf(s, "nope")).toBeNull();
  });

  it("the class's mask rows per domain (lower-cased, bits counted), CDP as code and data rows, MB ignored", () => {
    expect(classMaskOf(section(false), "rt")).toEqual({
      vnfClass: "rt",
      mode: "exclusive",
      ways: 12,
      cbmMask: "fff",
      minCbmBits: 1,
      shareableBits: "c00",
      cdp: false,
      rows: [
        { resource: "L3", domain: 0, mask: "00f0", bits: 4 },
        { resource: "L3", domain: 1, mask: "f00", bits: 4 },
      ],
    });
    const cdp = classMaskOf(section(true), "rt");
    expect(cdp?.cdp).toBe(true);
    expect(cdp?.rows.map((r) => `${r.domain}:${r.resource}`)).toEqual(["0:L3CODE", "0:L3DATA", "1:L3CODE", "1:L3DATA"]);
    expect(classMaskOf(section(false), "gone")).toBeNull();
  });

  it("events: as aggressor, as victim (by the group's VNF name, in its class or not), others left out", () => {
    const events = [ev("mon_groups/nfvdeck-fw", "rt/mon_groups/nfvdeck-dpi"), ev("mon_groups/nfvdeck-dpi", "rt/mon_groups/nfvdeck-fw"), ev("mon_groups/nfvdeck-dpi", null), ev("mon_groups/other", "mon_groups/nfvdeck-fwx")];
    expect(vnfNoisyEvents(events, "fw").map((e) => [e.role, e.event.aggressor])).toEqual([
      ["aggressor", "mon_groups/nfvdeck-fw"],
      ["victim", "mon_groups/nfvdeck-dpi"],
    ]);
    expect(vnfNoisyEvents(events, "dpi").map((e) => e.role)).toEqual(["victim", "aggressor", "aggressor"]);
  });
});
