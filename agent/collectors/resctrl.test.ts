import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { resctrlSection } from "@/server/contract/sections/resctrl";
import { qosSampleSchema } from "@/server/contract/sections/qos";
import { setContractClock } from "@/server/contract/common";
import { countTasks, parseMonValue, parseResctrlMount, parseSchemata, read, readQosSamples, readResctrl } from "./resctrl";

// timestamps are checked against the server's clock: pin it to the fixture's day, so no run depends on today
beforeAll(() => setContractClock(() => Date.parse("2026-11-22T12:00:00Z")));
afterAll(() => setContractClock(null));

describe("parseSchemata", () => {
  it.each([
    ["L3:0=fffff;1=fffff\nMB:0=100;1=100\n", [
      { resource: "L3", domains: [{ id: 0, value: "fffff" }, { id: 1, value: "fffff" }] },
      { resource: "MB", domains: [{ id: 0, value: "100" }, { id: 1, value: "100" }] },
    ]],
    // the kernel pads resource names and values: "    MB:0=100;1= 50"
    ["    L3:0=fffff;1=ffff0\n    MB:0=100;1= 50\n", [
      { resource: "L3", domains: [{ id: 0, value: "fffff" }, { id: 1, value: "ffff0" }] },
      { resource: "MB", domains: [{ id: 0, value: "100" }, { id: 1, value: "50" }] },
    ]],
    ["L3DATA:0=fffff;1=fffff\nL3CODE:0=fffff;1=fffff\n", [
      { resource: "L3DATA", domains: [{ id: 0, value: "fffff" }, { id: 1, value: "fffff" }] },
      { resource: "L3CODE", domains: [{ id: 0, value: "fffff" }, { id: 1, value: "fffff" }] },
    ]],
    ["", []],
  ])("%j", (text, want) => {
    expect(parseSchemata(text)).toEqual(want);
  });

  it.each([["L3 0=fffff"], ["L3:0:fffff"], ["L3:x=ff"]])("malformed %j names the line", (text) => {
    expect(() => parseSchemata(`MB:0=100\n${text}`)).toThrow(/schemata line 2/);
  });
});

describe("monitoring values", () => {
  it.each([
    ["123456\n", { value: "123456", status: "ok" }],
    ["18446744073709551615", { value: "18446744073709551615", status: "ok" }],
    ["18446744073709551616", { value: null, status: "invalid" }],
    ["Error\n", { value: null, status: "Error" }],
    ["Unavailable\n", { value: null, status: "Unavailable" }],
    ["Unassigned\n", { value: null, status: "Unassigned" }],
    ["-1", { value: null, status: "invalid" }],
    [null, { value: null, status: "missing" }],
  ])("%j", (text, want) => {
    expect(parseMonValue(text)).toEqual(want);
  });

  it("tasks and mounts", () => {
    expect(countTasks("1\n22\n333\n")).toBe(3);
    expect(countTasks("")).toBe(0);
    expect(parseResctrlMount("sysfs /sys sysfs rw 0 0\nresctrl /sys/fs/resctrl resctrl rw,relatime,cdp,mba_MBps 0 0\n")).toEqual(["rw", "relatime", "cdp", "mba_MBps"]);
    expect(parseResctrlMount("proc /proc proc rw 0 0\n")).toBeNull();
  });
});

// A two-socket host with CAT + CMT + MBM + MBA, in the formats of Documentation/arch/x86/resctrl.rst.
const R = "sys/fs/resctrl";
const TREE: Record<string, string> = {
  "proc/mounts": "resctrl /sys/fs/resctrl resctrl rw,relatime 0 0\n",
  [`${R}/info/last_cmd_status`]: "ok\n",
  [`${R}/info/L3/num_closids`]: "16\n",
  [`${R}/info/L3/cbm_mask`]: "fffff\n",
  [`${R}/info/L3/min_cbm_bits`]: "1\n",
  [`${R}/info/L3/shareable_bits`]: "c0000\n",
  [`${R}/info/L3/bit_usage`]: "0=SSSSSSSSSSSSSSSSSSSS;1=SSSSSSSSSSSSSSSSSSSS\n",
  [`${R}/info/MB/num_closids`]: "8\n",
  [`${R}/info/MB/bandwidth_gran`]: "10\n",
  [`${R}/info/MB/min_bandwidth`]: "10\n",
  [`${R}/info/MB/delay_linear`]: "1\n",
  [`${R}/info/MB/thread_throttle_mode`]: "max\n",
  [`${R}/info/L3_MON/num_rmids`]: "176\n",
  [`${R}/info/L3_MON/mon_features`]: "llc_occupancy\nmbm_total_bytes\nmbm_local_bytes\n",
  [`${R}/info/L3_MON/max_threshold_occupancy`]: "1441792\n",
  [`${R}/schemata`]: "    MB:0=100;1=100\n    L3:0=fffff;1=fffff\n",
  [`${R}/cpus_list`]: "0-1,4-79\n",
  [`${R}/tasks`]: "1\n2\n3\n",
  [`${R}/mode`]: "shareable\n",
  [`${R}/mon_data/mon_L3_00/llc_occupancy`]: "2359296\n",
  [`${R}/mon_data/mon_L3_00/mbm_total_bytes`]: "191692800\n",
  [`${R}/mon_data/mon_L3_00/mbm_local_bytes`]: "150994944\n",
  [`${R}/mon_data/mon_L3_01/llc_occupancy`]: "1179648\n",
  [`${R}/mon_data/mon_L3_01/mbm_total_bytes`]: "Unavailable\n",
  [`${R}/mon_data/mon_L3_01/mbm_local_bytes`]: "Error\n",
  [`${R}/vnf-rt/schemata`]: "    MB:0= 50;1=100\n    L3:0=00f00;1=fffff\n",
  [`${R}/vnf-rt/cpus_list`]: "2-3\n",
  [`${R}/vnf-rt/tasks`]: "4242\n",
  [`${R}/vnf-rt/mode`]: "exclusive\n",
  [`${R}/vnf-rt/mon_data/mon_L3_00/llc_occupancy`]: "983040\n",
  [`${R}/vnf-rt/mon_data/mon_L3_00/mbm_total_bytes`]: "18446744073709551000\n",
  [`${R}/vnf-rt/mon_data/mon_L3_00/mbm_local_bytes`]: "Unassigned\n",
  [`${R}/vnf-rt/mon_groups/vm-a/cpus_list`]: "\n",
  [`${R}/vnf-rt/mon_groups/vm-a/tasks`]: "4242\n",
  [`${R}/vnf-rt/mon_groups/vm-a/mon_data/mon_L3_00/llc_occupancy`]: "65536\n",
  [`${R}/vnf-rt/mon_groups/vm-a/mon_data/mon_L3_00/mbm_total_bytes`]: "4096\n",
  [`${R}/vnf-rt/mon_groups/vm-a/mon_data/mon_L3_00/mbm_local_bytes`]: "4096\n",
};

const dirs: string[] = [];
function tree(files: Record<string, string>, extraDirs: string[] = []): HostFs {
  const root = mkdtempSync(path.join(os.tmpdir(), "resctrl-"));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  for (const d of extraDirs) mkdirSync(path.join(root, d), { recursive: true });
  return new HostFs(root);
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("read (tree)", () => {
  it("not mounted → null (not available), no throw", async () => {
    expect(await read(tree({ "proc/mounts": "proc /proc proc rw 0 0\n" }))).toBeNull();
    expect(await readQosSamples(tree({}))).toEqual([]);
  });

  it("full host: info, groups, schemata, monitoring statuses", async () => {
    const s = await read(tree(TREE, [`${R}/vnf-rt/mon_groups`, `${R}/mon_groups`]));
    if (s === null) throw new Error("expected a section");
    expect(resctrlSection.parse(s)).toEqual(s);
    expect(s.mounted).toBe(true);
    expect(s.inProcMounts).toBe(true);
    expect(s.info).toMatchObject({
      l3: { numClosids: 16, cbmMask: "fffff", minCbmBits: 1, shareableBits: "c0000" },
      cdp: false,
      l3Code: null,
      mb: { numClosids: 8, bandwidthGran: 10, minBandwidth: 10, delayLinear: true, threadThrottleMode: "max" },
      l3Mon: { numRmids: 176, monFeatures: ["llc_occupancy", "mbm_total_bytes", "mbm_local_bytes"], maxThresholdOccupancy: 1441792 },
      lastCmdStatus: "ok",
    });
    expect(s.controlGroups.map((g) => [g.path, g.cpusList, g.taskCount, g.mode])).toEqual([
      ["/", "0-1,4-79", 3, "shareable"],
      ["vnf-rt", "2-3", 1, "exclusive"],
    ]);
    expect(s.controlGroups[1]?.schemata).toEqual([
      { resource: "MB", domains: [{ id: 0, value: "50" }, { id: 1, value: "100" }] },
      { resource: "L3", domains: [{ id: 0, value: "00f00" }, { id: 1, value: "fffff" }] },
    ]);
    expect(s.monGroups.map((g) => [g.path, g.controlGroup, g.domains.map((d) => [d.domain, d.llcOccupancy, d.mbmTotalBytes, d.mbmLocalBytes])])).toEqual([
      ["/", "/", [["mon_L3_00", "ok", "ok", "ok"], ["mon_L3_01", "ok", "Unavailable", "Error"]]],
      ["vnf-rt", "vnf-rt", [["mon_L3_00", "ok", "ok", "Unassigned"]]],
      ["vnf-rt/mon_groups/vm-a", "vnf-rt", [["mon_L3_00", "ok", "ok", "ok"]]],
    ]);
    expect(s.monGroups[2]?.cpusList).toBe("");
  });

  it("QoS samples carry the values (u64 as strings), null where the kernel said no", async () => {
    const samples = await readQosSamples(tree(TREE), new Date("2026-11-22T10:00:00Z"));
    for (const x of samples) qosSampleSchema.parse(x);
    expect(samples).toEqual([
      { at: "2026-11-22T10:00:00.000Z", group: "/", domain: "mon_L3_00", llcOccupancyBytes: "2359296", mbmTotalBytes: "191692800", mbmLocalBytes: "150994944" },
      { at: "2026-11-22T10:00:00.000Z", group: "/", domain: "mon_L3_01", llcOccupancyBytes: "1179648", mbmTotalBytes: null, mbmLocalBytes: null },
      { at: "2026-11-22T10:00:00.000Z", group: "vnf-rt", domain: "mon_L3_00", llcOccupancyBytes: "983040", mbmTotalBytes: "18446744073709551000", mbmLocalBytes: null },
      { at: "2026-11-22T10:00:00.000Z", group: "vnf-rt/mon_groups/vm-a", domain: "mon_L3_00", llcOccupancyBytes: "65536", mbmTotalBytes: "4096", mbmLocalBytes: "4096" },
    ]);
  });

  it("CDP: L3CODE + L3DATA info and schemata", async () => {
    const cdp: Record<string, string> = {
      [`${R}/info/L3CODE/num_closids`]: "8\n",
      [`${R}/info/L3CODE/cbm_mask`]: "7ff\n",
      [`${R}/info/L3CODE/min_cbm_bits`]: "1\n",
      [`${R}/info/L3CODE/shareable_bits`]: "0\n",
      [`${R}/info/L3DATA/num_closids`]: "8\n",
      [`${R}/info/L3DATA/cbm_mask`]: "7ff\n",
      [`${R}/info/L3DATA/min_cbm_bits`]: "1\n",
      [`${R}/info/L3DATA/shareable_bits`]: "0\n",
      [`${R}/schemata`]: "L3DATA:0=7ff;1=7ff\nL3CODE:0=7ff;1=7ff\n",
      [`${R}/cpus_list`]: "0-7\n",
      [`${R}/tasks`]: "",
    };
    const s = await read(tree(cdp));
    expect(s?.info?.cdp).toBe(true);
    expect(s?.info?.l3).toBeNull();
    expect(s?.info?.l3Data).toMatchObject({ numClosids: 8, cbmMask: "7ff" });
    expect(s?.controlGroups[0]?.schemata.map((l) => l.resource)).toEqual(["L3DATA", "L3CODE"]);
    expect(s?.controlGroups[0]?.taskCount).toBe(0);
    expect(s?.inProcMounts).toBeNull();
  });

  it("garbage values become null + a warning, a bad schemata a warning; the section still validates", async () => {
    const bad = {
      ...TREE,
      [`${R}/info/L3/num_closids`]: "sixteen\n",
      [`${R}/info/L3/cbm_mask`]: "zz\n",
      [`${R}/vnf-rt/schemata`]: "L3:0=fffff;garbage\n",
    };
    const r = await readResctrl(tree(bad));
    if (r === null) throw new Error("expected a reading");
    expect(resctrlSection.parse(r.section)).toBeTruthy();
    expect(r.section.info?.l3?.numClosids).toBeNull();
    expect(r.section.info?.l3?.cbmMask).toBeNull();
    expect(r.section.controlGroups[1]?.schemata).toEqual([]);
    expect(r.section.warnings.join("\n")).toMatch(/num_closids: not a count/);
    expect(r.section.warnings.join("\n")).toMatch(/vnf-rt: schemata line 1/);
  });
});

describe("fixture trees (agent/fixtures/ht-on-rdt, ht-on-rdt-cdp)", () => {
  const FIX = path.join(import.meta.dirname, "..", "fixtures");
  const fileText = (tree: string, rel: string) => readFileSync(path.join(FIX, tree, "sys/fs/resctrl", rel), "utf8").trim();

  it.each(["ht-on-rdt", "ht-on-rdt-cdp"])("%s: section validates; every sample equals its file", async (name) => {
    const fs = new HostFs(path.join(FIX, name));
    const r = await readResctrl(fs);
    if (r === null) throw new Error("expected resctrl");
    expect(resctrlSection.parse(r.section)).toEqual(r.section);
    expect(r.section.warnings).toEqual([]);
    expect(r.section.controlGroups.map((g) => g.path)).toEqual(["/", "rt-vnf"]);
    expect(r.section.monGroups.map((g) => g.path)).toEqual(["/", "mon_groups/vnf-a", "rt-vnf", "rt-vnf/mon_groups/vnf-rt-0"]);
    expect(r.section.controlGroups[1]?.cpusList).toBe(fileText(name, "rt-vnf/cpus_list"));
    const samples = await readQosSamples(fs, new Date(0));
    expect(samples).toHaveLength(8);
    for (const s of samples) {
      const dir = s.group === "/" ? "" : `${s.group}/`;
      for (const [key, file] of [["llcOccupancyBytes", "llc_occupancy"], ["mbmTotalBytes", "mbm_total_bytes"], ["mbmLocalBytes", "mbm_local_bytes"]] as const) {
        const t = fileText(name, `${dir}mon_data/${s.domain}/${file}`);
        expect(s[key]).toBe(/^\d+$/.test(t) ? t : null);
      }
    }
  });

  it("ht-on-rdt: CAT + MBA, no CDP; padded MB value", async () => {
    const s = await read(new HostFs(path.join(FIX, "ht-on-rdt")));
    expect(s?.info).toMatchObject({ cdp: false, l3: { numClosids: 16, cbmMask: "7ff", minCbmBits: 1 }, mb: { bandwidthGran: 10, delayLinear: true }, l3Mon: { numRmids: 176 } });
    expect(s?.controlGroups[1]?.schemata).toEqual([
      { resource: "L3", domains: [{ id: 0, value: "600" }, { id: 1, value: "7ff" }] },
      { resource: "MB", domains: [{ id: 0, value: "50" }, { id: 1, value: "100" }] },
    ]);
  });

  it("ht-on-rdt-cdp: CDP detected, L3DATA/L3CODE schemata, an Unavailable counter", async () => {
    const s = await read(new HostFs(path.join(FIX, "ht-on-rdt-cdp")));
    expect(s?.info).toMatchObject({ cdp: true, l3: null, l3Code: { numClosids: 8 }, l3Data: { numClosids: 8 } });
    expect(s?.controlGroups[0]?.schemata.map((l) => l.resource)).toEqual(["L3DATA", "L3CODE", "MB"]);
    const rt = s?.monGroups.find((g) => g.path === "rt-vnf");
    expect(rt?.domains.find((d) => d.domain === "mon_L3_01")?.mbmTotalBytes).toBe("Unavailable");
  });
});
