import { describe, expect, it } from "vitest";
import type { HugepagesSection } from "@/server/contract/sections/hugepages";
import { hugepagesPerNode } from "@/server/domain/hosts/hugepages-view";

const G = 1048576;
// the ht-on-rdt fixture's hugepages (2 MiB and 1 GiB, two nodes); node 1 lists only 2 MiB here
const hp: HugepagesSection = {
  defaultSizeKb: G,
  memTotalKb: 393216000,
  sizes: [
    { sizeKb: G, nr: 32, free: 24, resv: 0, surplus: 0, overcommit: 0 },
    { sizeKb: 2048, nr: 1024, free: 812, resv: 12, surplus: 0, overcommit: 0 },
  ],
  nodes: [
    { node: 1, memTotalKb: null, sizes: [{ sizeKb: 2048, nr: 512, free: 512, surplus: 0 }] },
    { node: 0, memTotalKb: null, sizes: [{ sizeKb: 2048, nr: 512, free: 300, surplus: 0 }, { sizeKb: G, nr: 16, free: 8, surplus: 0 }] },
  ],
  warnings: [],
};
const nodeCpus = [
  { node: 0, cpus: [0, 1, 4, 5] },
  { node: 1, cpus: [2, 3, 6, 7] },
];

describe("hugepagesPerNode", () => {
  it("orders sizes and nodes, marks the default size, fills a size a node does not list with null", () => {
    const v = hugepagesPerNode(hp, nodeCpus, [4, 5]);
    expect(v.map((s) => [s.sizeKb, s.isDefault, s.global?.resv])).toEqual([
      [2048, false, 12],
      [G, true, 0],
    ]);
    expect(v[1]?.nodes.map((n) => [n.node, n.nr, n.free, n.surplus])).toEqual([
      [0, 16, 8, 0],
      [1, null, null, null],
    ]);
  });

  it.each([
    { name: "isolated CPUs on node 0 only", iso: [4, 5], topo: nodeCpus, want: [[4, 5], []] },
    { name: "isolated on both nodes", iso: [5, 6, 7], topo: nodeCpus, want: [[5], [6, 7]] },
    { name: "isolation unknown", iso: null, topo: nodeCpus, want: [[], []] },
    { name: "topology unknown", iso: [4, 5], topo: null, want: [[], []] },
  ])("$name", ({ iso, topo, want }) => {
    const v = hugepagesPerNode(hp, topo, iso);
    expect(v[0]?.nodes.map((n) => n.isolatedCpus)).toEqual(want);
    expect(v[0]?.nodes[0]?.cpus).toEqual(topo === null ? null : [0, 1, 4, 5]);
  });

  it("a size known only per node still shows (global null)", () => {
    const v = hugepagesPerNode({ ...hp, sizes: [] }, nodeCpus, []);
    expect(v.map((s) => [s.sizeKb, s.global])).toEqual([
      [2048, null],
      [G, null],
    ]);
  });
});
