import { describe, expect, it } from "vitest";
import type { ResctrlSection } from "@/server/contract/sections/resctrl";
import { catGrid, describeCell, maskWays, maskWidth, parseBitUsage } from "./cat-grid";

const cacheInfo = (cbmMask: string, shareableBits = "0") => ({ numClosids: 16, cbmMask, minCbmBits: 1, shareableBits, bitUsage: null });

function section(over: Partial<ResctrlSection> & { cdp?: boolean }): ResctrlSection {
  const { cdp = false, ...rest } = over;
  return {
    mounted: true,
    inProcMounts: true,
    mountOptions: [],
    info: {
      l3: cdp ? null : cacheInfo("7ff", "600"),
      l3Code: cdp ? cacheInfo("fff") : null,
      l3Data: cdp ? cacheInfo("fff") : null,
      l2: null,
      cdp,
      mb: null,
      l3Mon: null,
      lastCmdStatus: "ok",
    },
    controlGroups: [],
    monGroups: [],
    warnings: [],
    ...rest,
  };
}

describe("maskWidth / maskWays", () => {
  it.each([
    ["7ff", 11],
    ["fffff", 20],
    ["1", 1],
    ["0", 0],
    ["zz", 0],
    [null, 0],
  ] as const)("maskWidth(%s) = %i", (hex, w) => expect(maskWidth(hex)).toBe(w));

  it("bit i is way i", () => {
    expect(maskWays("600", 11)).toEqual([false, false, false, false, false, false, false, false, false, true, true]);
    expect(maskWays("3", 4)).toEqual([true, true, false, false]);
    expect(maskWays("x", 4)).toBeNull();
  });
});

describe("catGrid", () => {
  it("one L3 row per control group, root first, per domain masks, MB values, shareable ways", () => {
    const g = catGrid(
      section({
        controlGroups: [
          { path: "rt-vnf", schemata: [{ resource: "L3", domains: [{ id: 0, value: "600" }, { id: 1, value: "7ff" }] }, { resource: "MB", domains: [{ id: 1, value: "100" }, { id: 0, value: "50" }] }], cpusList: "4-7", taskCount: 3, mode: "shareable" },
          { path: "/", schemata: [{ resource: "L3", domains: [{ id: 0, value: "7ff" }, { id: 1, value: "7ff" }] }], cpusList: "0-79", taskCount: 5, mode: "shareable" },
        ],
      }),
    );
    expect(g.ways).toBe(11);
    expect(g.domains).toEqual([0, 1]);
    expect(g.rows.map((r) => [r.group, r.resource])).toEqual([
      ["/", "L3"],
      ["rt-vnf", "L3"],
    ]);
    expect(g.rows[1]?.cells.map((c) => [c.domain, c.mask, c.wayCount])).toEqual([
      [0, "600", 2],
      [1, "7ff", 11],
    ]);
    expect(g.mb).toEqual([{ group: "rt-vnf", values: [{ domain: 0, value: "50" }, { domain: 1, value: "100" }] }]);
    expect(g.mbUnit).toBe("%");
    expect(g.shareableWays.flatMap((on, i) => (on ? [i] : []))).toEqual([9, 10]);
    expect(g.groups.map((x) => [x.group, x.cpusList, x.taskCount])).toEqual([
      ["/", "0-79", 5],
      ["rt-vnf", "4-7", 3],
    ]);
  });

  it("with CDP: CODE and DATA rows per group, width from info/L3CODE", () => {
    const g = catGrid(
      section({
        cdp: true,
        mountOptions: ["rw", "cdp", "mba_MBps"],
        controlGroups: [
          { path: "/", schemata: [{ resource: "L3CODE", domains: [{ id: 0, value: "fff" }] }, { resource: "L3DATA", domains: [{ id: 0, value: "ff0" }] }, { resource: "MB", domains: [{ id: 0, value: "2048" }] }], cpusList: null, taskCount: null, mode: null },
        ],
      }),
    );
    expect(g.cdp).toBe(true);
    expect(g.ways).toBe(12);
    expect(g.rows.map((r) => r.resource)).toEqual(["L3CODE", "L3DATA"]);
    expect(g.rows[1]?.cells[0]?.wayCount).toBe(8);
    expect(g.mbUnit).toBe("MBps");
  });

  it("without cbm_mask, the widest mask sets the width; a missing domain is 'no allocation'", () => {
    const s = section({
      controlGroups: [
        { path: "/", schemata: [{ resource: "L3", domains: [{ id: 0, value: "fffff" }, { id: 1, value: "fffff" }] }], cpusList: null, taskCount: null, mode: null },
        { path: "g", schemata: [{ resource: "L3", domains: [{ id: 0, value: "f" }] }], cpusList: null, taskCount: null, mode: null },
      ],
    });
    const g = catGrid({ ...s, info: null });
    expect(g.ways).toBe(20);
    const cell = g.rows[1]?.cells[1];
    expect(cell?.mask).toBeNull();
    expect(cell && describeCell(cell, g.ways)).toBe("no allocation");
  });

  it("no L3 schemata (MBA only): no rows", () => {
    const g = catGrid(section({ controlGroups: [{ path: "/", schemata: [{ resource: "MB", domains: [{ id: 0, value: "100" }] }], cpusList: null, taskCount: null, mode: null }] }));
    expect(g.rows).toEqual([]);
    expect(g.mb.length).toBe(1);
  });
});

describe("describeCell", () => {
  it.each([
    ["600", 11, "mask 600: ways 9–10 of 11 (2 ways)"],
    ["7ff", 11, "mask 7ff: ways 0–10 of 11 (11 ways)"],
    ["5", 4, "mask 5: ways 0, 2 of 4 (2 ways)"],
    ["0", 4, "mask 0: no ways"],
  ] as const)("%s over %i ways", (mask, ways, text) => {
    const bits = maskWays(mask, ways);
    expect(describeCell({ domain: 0, mask, ways: bits, wayCount: bits?.filter(Boolean).length ?? 0 }, ways)).toBe(text);
  });
});

describe("parseBitUsage", () => {
  it("most significant bit first: the last letter is way 0", () => {
    const u = parseBitUsage("0=HHXXXXXXSSS;1=SSSSSSSSSSS", 11);
    expect(u.get(0)?.[10]).toBe("H");
    expect(u.get(0)?.[8]).toBe("X");
    expect(u.get(0)?.[0]).toBe("S");
    expect(u.get(1)?.every((l) => l === "S")).toBe(true);
  });

  it.each([null, "", "garbage", "0=hh"])("%s → nothing", (text) => {
    expect(parseBitUsage(text, 11).size).toBe(0);
  });
});
