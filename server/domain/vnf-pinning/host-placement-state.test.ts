import { describe, expect, it } from "vitest";
import { allocateVnfCpus } from "@/server/domain/placement/allocate-vnf-cpus";
import { intelLayout, syntheticHost } from "@/server/domain/placement/synthetic-host";
import type { VnfShape } from "@/server/contract/placement";
import type { VmsSection } from "@/server/contract/sections/vms";
import {
  buildCpuMap,
  comparePinning,
  existingAssignments,
  expectedFrom,
  hugepageBudgets,
  plannedCpus,
  samePlacement,
  snapshotForAllocation,
  type AssignmentRow,
  type PlacementRow,
} from "@/server/domain/vnf-pinning/host-placement-state";

// 2 sockets × 28 cores × 2 threads (112 CPUs): siblings c and c+56; isolated: cores 4-27 of each node
const isolated = [...Array.from({ length: 24 }, (_, i) => i + 4), ...Array.from({ length: 24 }, (_, i) => i + 32)].flatMap((c) => [c, c + 56]);
const host = syntheticHost({
  cores: intelLayout(2, 28, 2),
  isolated,
  offline: [111],
  hugepagesFree: [
    { node: 0, pageSize: "1G", free: 8 },
    { node: 1, pageSize: "1G", free: 8 },
  ],
  irqs: [{ irq: "120 (eth0-TxRx-0)", effective: [5], managed: false }],
});
const shape = (over: Partial<VnfShape> = {}): VnfShape => ({ name: "vnf-a", vcpus: 4, memoryMib: 4096, pageSize: "1G", numaNode: null, threadPolicy: "isolate", emulatorThreads: "isolate", cacheWays: null, ...over });

function place(vnfId: string, name: string, vnf: VnfShape, rows: AssignmentRow[]) {
  const fit = allocateVnfCpus(host, existingAssignments(rows), vnf);
  if (!fit.ok) throw new Error(fit.reason);
  return { fit, rows: plannedCpus(vnf.emulatorThreads, fit).map((c) => ({ ...c, vnfId, vnfName: name })) };
}

describe("plannedCpus / samePlacement", () => {
  it("isolate: vCPUs, their reserved siblings and the isolated emulator CPU are held; a share emulator is not", () => {
    const { fit, rows } = place("id-a", "vnf-a", shape(), []);
    expect(rows.filter((r) => r.role === "vcpu")).toHaveLength(4);
    expect(rows.filter((r) => r.role === "reserved-sibling")).toHaveLength(fit.reservedCpus.length);
    expect(rows.filter((r) => r.role === "emulator").map((r) => r.cpu)).toEqual(fit.emulatorCpus);
    const shared = place("id-b", "vnf-b", shape({ emulatorThreads: "share" }), []);
    expect(shared.rows.some((r) => r.role === "emulator")).toBe(false);
    expect(new Set(rows.map((r) => r.cpu)).size).toBe(rows.length);
    expect(samePlacement(expectedFrom(fit), fit)).toBe(true);
    expect(samePlacement({ ...expectedFrom(fit), vcpuPins: [...fit.vcpuPins].reverse() }, fit)).toBe(true);
    expect(samePlacement({ ...expectedFrom(fit), reservedCpus: [] }, fit)).toBe(false);
  });
});

describe("hugepageBudgets", () => {
  it("a placed VNF that runs already took its pages from the kernel's free count; one that does not run has not", () => {
    const placements: PlacementRow[] = [
      { vnfId: "a", vnfName: "running", emulatorThreads: "share", numaNode: 0, pageSize: "1G", pages: 2, emulatorCpus: [] },
      { vnfId: "b", vnfName: "stopped", emulatorThreads: "share", numaNode: 0, pageSize: "1G", pages: 4, emulatorCpus: [] },
    ];
    const budgets = hugepageBudgets(host, placements, new Set(["running"]));
    expect(budgets.find((b) => b.node === 0)).toEqual({ node: 0, pageSize: "1G", free: 8, placed: 6, budget: 10 });
    expect(snapshotForAllocation(host, budgets).hugepagesFree.find((h) => h.node === 0)?.free).toBe(4);
    expect(hugepageBudgets(host, placements, null).find((b) => b.node === 0)?.budget).toBe(8);
  });
});

describe("buildCpuMap on 2 × 28 × 2", () => {
  const a = place("id-a", "vnf-a", shape(), []);
  const b = place("id-b", "vnf-b", shape({ name: "vnf-b", threadPolicy: "prefer", emulatorThreads: "share", vcpus: 3 }), a.rows);
  const rows = [...a.rows, ...b.rows];
  const placements: PlacementRow[] = [
    { vnfId: "id-a", vnfName: "vnf-a", emulatorThreads: "isolate", numaNode: a.fit.numaNode, pageSize: "1G", pages: 4, emulatorCpus: a.fit.emulatorCpus },
    { vnfId: "id-b", vnfName: "vnf-b", emulatorThreads: "share", numaNode: b.fit.numaNode, pageSize: "1G", pages: 4, emulatorCpus: b.fit.emulatorCpus },
  ];
  const vm = (name: string, vcpuCpus: number[][], emulatorCpus: number[]) => ({
    pid: name.length * 100, binary: "qemu-system-x86_64", name, uuid: null, accel: "kvm", smpCpus: vcpuCpus.length, monitors: [], threadsNamed: true,
    vcpuThreads: vcpuCpus.map((c, i) => ({ tid: 1000 + i, comm: `CPU ${i}/KVM`, vcpu: i, cpusAllowed: c })),
    emulatorThreads: [{ tid: 999, comm: "qemu-system-x86", vcpu: null, cpusAllowed: emulatorCpus }],
    emulatorCpus,
  });
  const vms: VmsSection = { vms: [vm("vnf-a", a.fit.vcpuPins.map((p) => [p.cpu]), a.fit.emulatorCpus), vm("legacy-vm", [[0, 1]], [0, 1])], warnings: [] };
  const map = buildCpuMap(host, rows, placements, vms);

  it("every CPU has one state; holders, offline, housekeeping and free isolated are told apart", () => {
    expect(map.cpus).toHaveLength(112);
    const count = (s: string) => map.cpus.filter((c) => c.state === s).length;
    expect(count("vcpu")).toBe(7);
    expect(count("emulator")).toBe(1);
    expect(count("reserved-sibling")).toBe(a.fit.reservedCpus.length + b.fit.reservedCpus.length);
    expect(count("offline")).toBe(1);
    // CPU 111 is isolated but offline: it counts as offline, not as free
    expect(count("housekeeping")).toBe(112 - isolated.length);
    expect(count("isolated-free") + count("vcpu") + count("emulator") + count("reserved-sibling")).toBe(isolated.filter((c) => c !== 111).length);
    expect(map.cpus[5]?.irqs).toEqual([{ irq: "120 (eth0-TxRx-0)", managed: false }]);
    for (const c of b.fit.emulatorCpus) expect(map.cpus[c]?.sharedEmulatorOf).toEqual(["vnf-b"]);
  });

  it("real pinning: vnf-a matches, vnf-b is not running, legacy-vm is unknown", () => {
    expect(map.vnfs.map((v) => [v.name, v.pinning])).toEqual([
      ["vnf-a", "matches"],
      ["vnf-b", "not-running"],
    ]);
    expect(map.unknownVms).toEqual([{ pid: 900, name: "legacy-vm", cpus: [0, 1] }]);
    expect(map.cpus[0]?.vmThreads.map((t) => t.vm)).toEqual(["legacy-vm", "legacy-vm"]);
  });

  it("comparePinning names each difference; no vms section → unknown", () => {
    const pins = a.fit.vcpuPins;
    const moved = vm("vnf-a", [[pins[0]!.cpu], [0, 1, 2], [pins[2]!.cpu]], [0]);
    const out = comparePinning({ name: "vnf-a", vcpuPins: pins, emulatorCpus: a.fit.emulatorCpus }, { vms: [moved], warnings: [] });
    expect(out.pinning).toBe("differs");
    expect(out.differences).toEqual([
      `vCPU 1 runs on 0-2, assigned ${pins[1]!.cpu}`,
      `vCPU 3: no thread in the running VM (assigned CPU ${pins[3]!.cpu})`,
      `emulator threads run on 0, assigned ${a.fit.emulatorCpus.join(",")}`,
    ]);
    expect(comparePinning({ name: "vnf-a", vcpuPins: pins, emulatorCpus: [] }, null)).toEqual({ pinning: "unknown", differences: [] });
  });
});
