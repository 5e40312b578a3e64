import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ExistingAssignment, PlacementResult, VnfShape } from "../../contract/placement";
import { reportInput } from "../../contract/report";
import { allocateVnfCpus } from "./allocate-vnf-cpus";
import { hostPlacementSnapshot } from "./host-snapshot";
import { intelLayout, syntheticHost } from "./synthetic-host";

function vnf(over: Partial<VnfShape> = {}): VnfShape {
  return {
    name: "vnf-new",
    vcpus: 2,
    memoryMib: 0,
    pageSize: "4K",
    numaNode: null,
    threadPolicy: "prefer",
    emulatorThreads: "share",
    cacheWays: null,
    ...over,
  };
}

function pins(r: PlacementResult): number[] {
  if (!r.ok) throw new Error(`expected a fit, got: ${r.reason}`);
  return r.vcpuPins.map((p) => p.cpu);
}

function vcpuAt(cpus: number[], vnfName = "vnf-old"): ExistingAssignment[] {
  return cpus.map((cpu, i) => ({ cpu, vnf: vnfName, role: { kind: "vcpu", vcpu: i } }));
}

function fixtureHost(name: string) {
  const file = path.join(__dirname, "../../../agent/fixtures", name, "expected-report.json");
  const raw = JSON.parse(readFileSync(file, "utf8")) as { hostname: string; sections: unknown };
  const sections = reportInput.shape.sections.parse(raw.sections);
  return hostPlacementSnapshot(sections, raw.hostname);
}

/**
 * 2 nodes × 4 cores × 2 threads, Intel numbering: node 0 = cores (0,8) (1,9) (2,10) (3,11),
 * node 1 = (4,12) (5,13) (6,14) (7,15). Cores 1–3 and 5–7 isolated (both threads).
 */
const smtHost = () =>
  syntheticHost({
    cores: intelLayout(2, 4, 2),
    isolated: [1, 2, 3, 9, 10, 11, 5, 6, 7, 13, 14, 15],
    hugepagesFree: [
      { node: 0, pageSize: "1G", free: 2 },
      { node: 1, pageSize: "1G", free: 8 },
      { node: 0, pageSize: "2M", free: 1024 },
      { node: 1, pageSize: "2M", free: 0 },
    ],
  });

describe("allocateVnfCpus — thread policy prefer (Nova: siblings preferred; kubelet: partial cores first)", () => {
  it("packs an even VNF onto sibling pairs: vCPU 0/1 share a core", () => {
    const r = allocateVnfCpus(smtHost(), [], vnf({ vcpus: 4 }));
    expect(pins(r)).toEqual([1, 9, 2, 10]);
    expect(r.ok && r.reservedCpus).toEqual([]);
  });

  it("takes the free sibling of a partly used core before breaking a whole free core (kubelet 'take one cpu … core from partially allocated')", () => {
    const r = allocateVnfCpus(smtHost(), vcpuAt([2]), vnf({ vcpus: 1 }));
    expect(pins(r)).toEqual([10]);
    expect(r.ok && r.warnings.filter((w) => w.code === "sibling-shared").map((w) => w.cpu)).toEqual([10]);
  });

  it("fills both partial cores, then one thread of a whole core, for 3 vCPUs", () => {
    const r = allocateVnfCpus(smtHost(), vcpuAt([1, 10]), vnf({ vcpus: 3 }));
    expect(r.ok && r.numaNode).toBe(0);
    expect(pins(r).sort((a, b) => a - b)).toEqual([2, 3, 9]);
  });

  it("best fit prefers the node with a partial core (breaks fewer whole cores)", () => {
    const r = allocateVnfCpus(smtHost(), vcpuAt([6]), vnf({ vcpus: 1 }));
    expect(r.ok && r.numaNode).toBe(1);
    expect(pins(r)).toEqual([14]);
  });

  it("works on a non-SMT host (one thread per core)", () => {
    const host = syntheticHost({ cores: intelLayout(1, 6, 1), isolated: [2, 3, 4, 5] });
    expect(pins(allocateVnfCpus(host, vcpuAt([2]), vnf({ vcpus: 3 })))).toEqual([3, 4, 5]);
  });
});

describe("allocateVnfCpus — thread policy isolate (Nova: siblings unusable by others)", () => {
  it("one vCPU per wholly free core, siblings reserved", () => {
    const r = allocateVnfCpus(smtHost(), [], vnf({ vcpus: 2, threadPolicy: "isolate" }));
    expect(pins(r)).toEqual([1, 2]);
    expect(r.ok && r.reservedCpus).toEqual([9, 10]);
  });

  it("skips a core whose sibling is taken; refuses when not enough whole cores are left", () => {
    const existing = vcpuAt([9, 10]);
    const r = allocateVnfCpus(smtHost(), existing, vnf({ vcpus: 2, threadPolicy: "isolate", numaNode: 0 }));
    expect(r).toMatchObject({ ok: false, reason: "node 0: 1 free isolated core, 2 needed" });
    const r1 = allocateVnfCpus(smtHost(), existing, vnf({ vcpus: 1, threadPolicy: "isolate", numaNode: 0 }));
    expect(pins(r1)).toEqual([3]);
    expect(r1.ok && r1.reservedCpus).toEqual([11]);
  });

  it("emulator isolate takes its own whole core, sibling reserved too", () => {
    const r = allocateVnfCpus(smtHost(), [], vnf({ vcpus: 2, threadPolicy: "isolate", emulatorThreads: "isolate" }));
    expect(pins(r)).toEqual([1, 2]);
    expect(r.ok && r.emulatorCpus).toEqual([3]);
    expect(r.ok && r.reservedCpus).toEqual([9, 10, 11]);
  });

  it("prefers a core whose sibling is offline (nothing wasted to reservation)", () => {
    const host = syntheticHost({ cores: intelLayout(1, 4, 2), isolated: [1, 2, 3, 5, 6, 7], offline: [7] });
    const r = allocateVnfCpus(host, [], vnf({ vcpus: 1, threadPolicy: "isolate" }));
    expect(pins(r)).toEqual([3]);
    expect(r.ok && r.reservedCpus).toEqual([]);
  });
});

describe("allocateVnfCpus — thread policy require (Nova: host must have SMT)", () => {
  it("refuses a non-SMT host", () => {
    const host = syntheticHost({ cores: intelLayout(2, 4, 1), isolated: [1, 2, 3, 5, 6, 7] });
    expect(allocateVnfCpus(host, [], vnf({ threadPolicy: "require" }))).toMatchObject({
      ok: false,
      reason: "thread policy require needs SMT: this host has one thread per core",
    });
  });

  it("fills whole cores; an odd count leaves the last sibling reserved", () => {
    const r = allocateVnfCpus(smtHost(), [], vnf({ vcpus: 3, threadPolicy: "require" }));
    expect(pins(r)).toEqual([1, 9, 2]);
    expect(r.ok && r.reservedCpus).toEqual([10]);
  });

  it("odd count + emulator isolate: the emulator takes the spare sibling", () => {
    const r = allocateVnfCpus(smtHost(), [], vnf({ vcpus: 3, threadPolicy: "require", emulatorThreads: "isolate" }));
    expect(r.ok && r.emulatorCpus).toEqual([10]);
    expect(r.ok && r.reservedCpus).toEqual([]);
  });

  it("even count + emulator isolate: the emulator breaks one more core, its sibling reserved", () => {
    const r = allocateVnfCpus(smtHost(), [], vnf({ vcpus: 4, threadPolicy: "require", emulatorThreads: "isolate" }));
    expect(pins(r)).toEqual([1, 9, 2, 10]);
    expect(r.ok && r.emulatorCpus).toEqual([3]);
    expect(r.ok && r.reservedCpus).toEqual([11]);
  });

  it("never uses a half-taken core", () => {
    const r = allocateVnfCpus(smtHost(), vcpuAt([9, 10, 11]), vnf({ vcpus: 2, threadPolicy: "require", numaNode: 0 }));
    expect(r).toMatchObject({ ok: false, reason: "node 0: 0 free isolated SMT cores, 1 needed" });
  });
});

describe("allocateVnfCpus — nodes, hugepages, emulator share, reasons", () => {
  it("stays on the asked node and says why it does not fit there", () => {
    const r = allocateVnfCpus(smtHost(), [], vnf({ vcpus: 7, numaNode: 1 }));
    expect(r).toEqual({ ok: false, reason: "node 1: 6 free isolated CPUs, 7 needed", perNode: [{ node: 1, reason: "6 free isolated CPUs, 7 needed" }] });
  });

  it("an unknown node is refused by name", () => {
    expect(allocateVnfCpus(smtHost(), [], vnf({ numaNode: 3 }))).toMatchObject({ ok: false, reason: "node 3 does not exist on this host (nodes: 0, 1)" });
  });

  it("per-node reasons name cores and hugepages (the issue's example)", () => {
    const existing = vcpuAt([7, 15]);
    const r = allocateVnfCpus(smtHost(), existing, vnf({ vcpus: 3, threadPolicy: "isolate", memoryMib: 4096, pageSize: "1G" }));
    expect(r).toMatchObject({ ok: false, reason: "node 0: 1G hugepages 2 free, 4 needed; node 1: 2 free isolated cores, 3 needed" });
  });

  it("moves to the node with enough hugepages", () => {
    const r = allocateVnfCpus(smtHost(), [], vnf({ vcpus: 2, memoryMib: 3072, pageSize: "1G" }));
    expect(r.ok && r.numaNode).toBe(1);
    expect(r.ok && r.hugepagesNeeded).toEqual({ node: 1, pageSize: "1G", pages: 3 });
    const r2 = allocateVnfCpus(smtHost(), [], vnf({ vcpus: 2, memoryMib: 1001, pageSize: "2M" }));
    expect(r2.ok && r2.hugepagesNeeded).toEqual({ node: 0, pageSize: "2M", pages: 501 });
  });

  it("4K pages need no hugepages", () => {
    const r = allocateVnfCpus(smtHost(), [], vnf({ memoryMib: 65536, pageSize: "4K" }));
    expect(r.ok && r.hugepagesNeeded).toBeNull();
  });

  it("says isolcpus is not set when nothing is isolated", () => {
    const host = syntheticHost({ cores: intelLayout(2, 2, 2), isolated: [] });
    expect(allocateVnfCpus(host, [], vnf())).toMatchObject({ ok: false, reason: "no isolated CPUs on this host: isolcpus is not set" });
  });

  it("a node without isolated CPUs says so", () => {
    const host = syntheticHost({ cores: intelLayout(2, 2, 1), isolated: [1] });
    expect(allocateVnfCpus(host, [], vnf({ vcpus: 1, numaNode: 1 }))).toMatchObject({ ok: false, reason: "node 1: no isolated CPUs" });
  });

  it("emulator share: the node's housekeeping CPUs; all housekeeping CPUs when the node has none", () => {
    expect(allocateVnfCpus(smtHost(), [], vnf({ numaNode: 1 }))).toMatchObject({ ok: true, emulatorCpus: [4, 12] });
    // node 1 wholly isolated (an asymmetric tuning)
    const host = syntheticHost({ cores: intelLayout(2, 2, 1), isolated: [1, 2, 3] });
    const r = allocateVnfCpus(host, [], vnf({ vcpus: 1, numaNode: 1 }));
    expect(r).toMatchObject({ ok: true, emulatorCpus: [0] });
    expect(r.ok && r.warnings.map((w) => w.code)).toContain("emulator-cross-node");
  });

  it("asymmetric host: a small node and a big node, best fit packs the smaller one while it fits", () => {
    const host = syntheticHost({
      cores: [
        { node: 0, cpus: [0] },
        { node: 0, cpus: [1] },
        { node: 0, cpus: [2] },
        { node: 1, cpus: [3] },
        { node: 1, cpus: [4] },
        { node: 1, cpus: [5] },
        { node: 1, cpus: [6] },
        { node: 1, cpus: [7] },
      ],
      isolated: [1, 2, 4, 5, 6, 7],
    });
    expect(allocateVnfCpus(host, [], vnf({ vcpus: 2, threadPolicy: "isolate" }))).toMatchObject({ ok: true, numaNode: 0 });
    expect(allocateVnfCpus(host, [], vnf({ vcpus: 3, threadPolicy: "isolate" }))).toMatchObject({ ok: true, numaNode: 1 });
  });
});

describe("allocateVnfCpus — checked against the real host", () => {
  const host = () =>
    syntheticHost({
      cores: intelLayout(1, 4, 2),
      isolated: [1, 2, 3, 5, 6, 7],
      nohzFull: [1, 5],
      rcuNocbs: [1, 2, 5, 6],
      irqs: [
        { irq: "45 (eth0-TxRx-1)", effective: [2], managed: true },
        { irq: "46 (eth0-TxRx-2)", effective: [0], managed: false },
      ],
      vmPins: [{ vm: "rogue", pid: 4242, cpus: [5, 6] }],
    });

  it("flags CPUs outside nohz_full / rcu_nocbs, IRQs on chosen CPUs, a running VM's pinning", () => {
    const r = allocateVnfCpus(host(), [], vnf({ vcpus: 2, threadPolicy: "isolate" }));
    expect(pins(r)).toEqual([1, 2]);
    if (!r.ok) return;
    const codes = r.warnings.map((w) => `${w.code}@${w.cpu}`);
    expect(codes).toEqual(["not-nohz-full@2", "irq-on-cpu@2", "vm-on-cpu@5", "vm-on-cpu@6"]);
    expect(r.warnings.find((w) => w.code === "irq-on-cpu")?.message).toBe(
      "IRQ 45 (eth0-TxRx-1) fires on CPU 2 (effective affinity 2); kernel-managed, it cannot be moved",
    );
    expect(r.warnings.find((w) => w.code === "vm-on-cpu")?.message).toBe("CPU 5 is already used by running VM rogue (pid 4242)");
  });

  it("flags a chosen CPU whose SMT sibling is not isolated (HT switched on, isolcpus unchanged), naming shared emulator threads there", () => {
    // cores (0,4) (1,5) (2,6) (3,7); only the first threads are isolated
    const h = syntheticHost({ cores: intelLayout(1, 4, 2), isolated: [1, 2, 3] });
    const r = allocateVnfCpus(h, [], vnf({ vcpus: 2 }));
    expect(pins(r)).toEqual([1, 2]);
    if (!r.ok) return;
    expect(r.emulatorCpus).toEqual([0, 4, 5, 6, 7]);
    expect(r.warnings.map((w) => `${w.code}@${w.cpu}`)).toEqual(["sibling-not-isolated@1", "sibling-not-isolated@2"]);
    expect(r.warnings[0]?.message).toBe("CPU 1 shares its core with CPU 5, which is not isolated: housekeeping work and this VNF's emulator threads run on the same core");
    // an isolated emulator CPU is checked too
    const r2 = allocateVnfCpus(h, [], vnf({ vcpus: 1, emulatorThreads: "isolate" }));
    if (!r2.ok) throw new Error(r2.reason);
    expect([r2.vcpuPins[0]?.cpu, r2.emulatorCpus]).toEqual([1, [2]]);
    expect(r2.warnings.map((w) => w.message)).toEqual([
      "CPU 1 shares its core with CPU 5, which is not isolated: housekeeping work runs on the same core",
      "CPU 2 shares its core with CPU 6, which is not isolated: housekeeping work runs on the same core",
    ]);
    // a sibling that is isolated (reserved) or offline is not flagged
    const h3 = syntheticHost({ cores: intelLayout(1, 4, 2), isolated: [1, 2, 3, 6], offline: [7] });
    const r3 = allocateVnfCpus(h3, [], vnf({ vcpus: 1, threadPolicy: "isolate", emulatorThreads: "isolate" }));
    if (!r3.ok) throw new Error(r3.reason);
    expect([r3.vcpuPins[0]?.cpu, r3.emulatorCpus, r3.reservedCpus]).toEqual([2, [3], [6]]);
    expect(r3.warnings).toEqual([]);
  });

  it("names the L3 domain and the other VNFs in it; flags a VNF split over L3 domains", () => {
    const h = syntheticHost({ cores: intelLayout(1, 4, 1, 2), isolated: [1, 2, 3] });
    const r = allocateVnfCpus(h, vcpuAt([1], "vnf-a"), vnf({ vcpus: 2, threadPolicy: "isolate", cacheWays: 4 }));
    expect(pins(r)).toEqual([2, 3]);
    if (!r.ok) return;
    expect(r.l3Domain).toEqual({ id: "L3 #0.1", cpus: [2, 3], sharedWith: [] });
    expect(r.warnings).toEqual([]);
    const r2 = allocateVnfCpus(h, vcpuAt([3], "vnf-a"), vnf({ vcpus: 2, threadPolicy: "isolate", cacheWays: 4 }));
    if (!r2.ok) throw new Error(r2.reason);
    expect(r2.warnings.map((w) => w.code)).toEqual(["l3-shared", "l3-split"]);
    // one vCPU in each domain: the first (lowest CPUs) is the VNF's domain; the other is checked too
    expect(r2.l3Domain).toEqual({ id: "L3 #0.0", cpus: [0, 1], sharedWith: [] });
    expect(r2.warnings[0]?.message).toBe("L3 #0.1 cache (CPUs 2-3) is shared with vnf-a; a CAT class of 4 ways keeps them apart");
    expect(r2.warnings[1]?.message).toBe("the vCPUs span 2 L3 cache domains: L3 #0.0, L3 #0.1");
  });
});

describe("allocateVnfCpus — KVM4NFV baseline (2 × 18 cores, no SMT, isolcpus=11-15,31-35)", () => {
  const host = () => fixtureHost("kvm4nfv-baseline");

  it("places 5 vCPUs on node 0's isolated CPUs with emulator threads on node 0's housekeeping CPUs, no warnings", () => {
    const r = allocateVnfCpus(host(), [], vnf({ vcpus: 5 }));
    expect(r).toMatchObject({ ok: true, numaNode: 0, emulatorCpus: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17], reservedCpus: [], warnings: [] });
    expect(pins(r)).toEqual([11, 12, 13, 14, 15]);
  });

  it("goes to node 1 when node 0 lacks 1G hugepages (4 free there, 8 on node 1)", () => {
    const r = allocateVnfCpus(host(), [], vnf({ vcpus: 4, memoryMib: 6144, pageSize: "1G" }));
    expect(r.ok && r.numaNode).toBe(1);
    expect(pins(r)).toEqual([31, 32, 33, 34]);
  });

  it("6 vCPUs fit nowhere: 5 isolated CPUs per node", () => {
    expect(allocateVnfCpus(host(), [], vnf({ vcpus: 6 }))).toMatchObject({
      ok: false,
      reason: "node 0: 5 free isolated CPUs, 6 needed; node 1: 5 free isolated CPUs, 6 needed",
    });
  });

  it("isolate works without SMT (nothing to reserve); require is refused", () => {
    const r = allocateVnfCpus(host(), vcpuAt([11, 12, 13]), vnf({ vcpus: 3, threadPolicy: "isolate", emulatorThreads: "isolate" }));
    expect(r).toMatchObject({ ok: true, numaNode: 1, emulatorCpus: [34], reservedCpus: [] });
    expect(pins(r)).toEqual([31, 32, 33]);
    expect(allocateVnfCpus(host(), [], vnf({ threadPolicy: "require" }))).toMatchObject({ ok: false });
  });
});

describe("allocateVnfCpus — no topology", () => {
  it("an empty snapshot (a report without topology) fits nothing and says why", () => {
    expect(allocateVnfCpus(syntheticHost({ cores: [], isolated: [] }), [], vnf())).toEqual({
      ok: false,
      reason: "no CPU topology for this host (no online CPU known): nothing to place on",
      perNode: [],
    });
  });
});

/**
 * kubelet's static CPU manager test topologies (pkg/kubelet/cm/cpumanager, takeByTopology cases):
 * topoSingleSocketHT = 4 cores (i, i+4); topoDualSocketHT = socket 0 cores (0,6) (2,8) (4,10),
 * socket 1 cores (1,7) (3,9) (5,11), one NUMA node per socket. kubelet's "available" set is our
 * isolated-and-free set: every CPU isolated, the others taken. One extra housekeeping core per node
 * (kubelet's reserved CPUs) carries the shared emulator threads and is never a candidate.
 */
describe("allocateVnfCpus — kubelet's published cases", () => {
  const singleSocketHT = () =>
    syntheticHost({ cores: [...[0, 1, 2, 3].map((i) => ({ node: 0, cpus: [i, i + 4] })), { node: 0, cpus: [8, 9] }], isolated: [0, 1, 2, 3, 4, 5, 6, 7] });
  const dualSocketHT = () =>
    syntheticHost({
      cores: [...[0, 2, 4, 1, 3, 5].map((i) => ({ node: i % 2, cpus: [i, i + 6] })), { node: 0, cpus: [12, 13] }, { node: 1, cpus: [14, 15] }],
      isolated: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    });
  const takenExcept = (available: number[], all: number) => vcpuAt([...Array(all).keys()].filter((c) => !available.includes(c)));

  it("'take one cpu from dual socket with HT - core from Socket 0' → 2 (as kubelet)", () => {
    expect(pins(allocateVnfCpus(dualSocketHT(), takenExcept([1, 2, 3, 4, 5, 7, 8, 9, 10, 11], 12), vnf({ vcpus: 1 })))).toEqual([2]);
  });

  it("'take a socket of cpus from dual socket with HT' → socket 0 = 0,2,4,6,8,10 (as kubelet)", () => {
    const r = allocateVnfCpus(dualSocketHT(), [], vnf({ vcpus: 6 }));
    expect(pins(r).sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(pins(r)).toEqual([0, 6, 2, 8, 4, 10]); // sibling pairs adjacent
  });

  it("'allocate 4 full cores with 3 from the first NUMA node and 1 from the second': kubelet spans nodes, nfvdeck refuses", () => {
    expect(allocateVnfCpus(dualSocketHT(), [], vnf({ vcpus: 8 }))).toMatchObject({
      ok: false,
      reason: "node 0: 6 free isolated CPUs, 8 needed; node 1: 6 free isolated CPUs, 8 needed",
    });
  });

  it("'take two cpus from single socket with HT, only one core totally free': kubelet takes the free core (2,6); prefer keeps it whole, isolate/require use it", () => {
    const taken = takenExcept([0, 1, 2, 3, 6], 8);
    // the rule: fill partly used cores before breaking a whole free core
    expect(pins(allocateVnfCpus(singleSocketHT(), taken, vnf({ vcpus: 2 })))).toEqual([0, 1]);
    expect(pins(allocateVnfCpus(singleSocketHT(), taken, vnf({ vcpus: 2, threadPolicy: "require" })))).toEqual([2, 6]);
    expect(allocateVnfCpus(singleSocketHT(), taken, vnf({ vcpus: 1, threadPolicy: "isolate" }))).toMatchObject({ ok: true, vcpuPins: [{ vcpu: 0, cpu: 2 }], reservedCpus: [6] });
  });
});
