import path from "node:path";
import { describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { parseHugepageDirName, parseHugepages, parseMeminfoValue, read } from "@/agent/collectors/hugepages";

const FIXTURES = path.join(import.meta.dirname, "../fixtures");

describe("hugepages parsing", () => {
  it.each([["hugepages-2048kB", 2048], ["hugepages-1048576kB", 1048576], ["hugepages-oops", null], ["", null]])("dir %j", (n, kb) => {
    expect(parseHugepageDirName(n)).toBe(kb);
  });

  it.each([
    ["MemTotal:       32823432 kB\nHugepagesize:    1048576 kB\n", "Hugepagesize", 1048576],
    ["Node 1 MemTotal:       32823432 kB\n", "MemTotal", 32823432],
    ["", "MemTotal", null],
    ["MemTotal: lots", "MemTotal", null],
  ])("meminfo %#", (text, key, value) => {
    expect(parseMeminfoValue(text, key)).toBe(value);
  });

  it("garbage counts become null with a warning", () => {
    const s = parseHugepages({ meminfo: null, sizes: [{ sizeKb: 2048, files: { nr_hugepages: "x12", free_hugepages: null, resv_hugepages: "-3" } }], nodes: [] });
    expect(s.sizes[0]).toEqual({ sizeKb: 2048, nr: null, free: null, resv: null, surplus: null, overcommit: null });
    expect(s.warnings.length).toBe(2);
  });
});

describe("hugepages from fixtures", () => {
  it("kvm4nfv-baseline: 16 × 1G, 8 per node, default size 1G", async () => {
    const s = (await read(new HostFs(path.join(FIXTURES, "kvm4nfv-baseline"))))!;
    expect(s.defaultSizeKb).toBe(1048576);
    expect(s.sizes.find((x) => x.sizeKb === 1048576)).toMatchObject({ nr: 16, resv: 0 });
    expect(s.nodes.map((n) => n.sizes.find((x) => x.sizeKb === 1048576)?.nr)).toEqual([8, 8]);
    expect(Object.keys(s.nodes[0]!.sizes[0]!)).not.toContain("resv");
  });

  it("empty tree: not available", async () => {
    expect(await read(new HostFs(path.join(FIXTURES, "empty-tree")))).toBeNull();
  });
});
