import { describe, expect, it } from "vitest";
import { buildCpuMap, summariseCaches } from "@/server/domain/hosts/topology-map";
import type { TopologySection } from "@/server/contract/sections/topology";

type Cpu = TopologySection["cpus"][number];
const cpu = (n: number, pkg: number | null, core: number | null, node: number | null, online = true): Cpu => ({
  cpu: n,
  package: pkg,
  die: pkg === null ? null : 0,
  core,
  node,
  siblings: [n],
  online,
});

// 2 sockets × 2 cores × 2 threads; core ids repeat across packages (as on real Xeons).
const twoSocket = {
  cpus: [cpu(0, 0, 0, 0), cpu(1, 0, 1, 0), cpu(2, 1, 0, 1), cpu(3, 1, 1, 1), cpu(4, 0, 0, 0), cpu(5, 0, 1, 0), cpu(6, 1, 0, 1), cpu(7, 1, 1, 1, false)],
  cores: [
    { package: 0, die: 0, core: 0, node: 0, cpus: [0, 4] },
    { package: 0, die: 0, core: 1, node: 0, cpus: [1, 5] },
    { package: 1, die: 0, core: 0, node: 1, cpus: [2, 6] },
    { package: 1, die: 0, core: 1, node: 1, cpus: [3, 7] },
  ],
};

describe("buildCpuMap", () => {
  it("groups by socket, node and core with roles", () => {
    const map = buildCpuMap(twoSocket, [1, 5, 3, 7]);
    expect(map.map((p) => p.package)).toEqual([0, 1]);
    expect(map[0]?.nodes.map((n) => [n.node, n.cpuCount])).toEqual([[0, 4]]);
    expect(map[1]?.nodes[0]?.cores.map((c) => c.cpus.map((x) => `${x.cpu}:${x.role}`))).toEqual([
      ["2:housekeeping", "6:housekeeping"],
      ["3:isolated", "7:offline"],
    ]);
  });

  it("marks roles unknown without a kernel section", () => {
    const roles = buildCpuMap(twoSocket, null).flatMap((p) => p.nodes.flatMap((n) => n.cores.flatMap((c) => c.cpus.map((x) => x.role))));
    expect(new Set(roles)).toEqual(new Set(["unknown", "offline"]));
  });

  it("places CPUs without core ids (VM) as single-thread cores", () => {
    const vm = { cpus: [cpu(0, null, null, null), cpu(1, null, null, null)], cores: [] };
    const map = buildCpuMap(vm, [1]);
    expect(map).toHaveLength(1);
    expect(map[0]?.package).toBeNull();
    expect(map[0]?.nodes[0]?.cores.map((c) => c.cpus[0])).toEqual([
      { cpu: 0, role: "housekeeping" },
      { cpu: 1, role: "isolated" },
    ]);
  });

  it("is empty for an empty topology", () => {
    expect(buildCpuMap({ cpus: [], cores: [] }, [])).toEqual([]);
  });
});

describe("summariseCaches", () => {
  it("groups identical instances", () => {
    const c = (level: number, type: "Data" | "Instruction" | "Unified", id: number, shared: number[], sizeKb: number) => ({ level, type, id, sizeKb, ways: 8, lineSize: 64, sharedCpus: shared });
    const out = summariseCaches([c(3, "Unified", 1, [2, 3], 46080), c(1, "Instruction", 0, [0], 32), c(1, "Data", 0, [0], 32), c(3, "Unified", 0, [1, 0], 46080)]);
    expect(out.map((s) => [s.level, s.type, s.instances, s.cpusPerInstance])).toEqual([
      [1, "Data", 1, 1],
      [1, "Instruction", 1, 1],
      [3, "Unified", 2, 2],
    ]);
    expect(out[2]?.firstShared).toEqual([2, 3]);
    expect(summariseCaches([])).toEqual([]);
  });
});
