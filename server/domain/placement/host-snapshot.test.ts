import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reportInput } from "../../contract/report";
import { hostPlacementSnapshot } from "./host-snapshot";

function sections(name: string) {
  const file = path.join(__dirname, "../../../agent/fixtures", name, "expected-report.json");
  const raw = JSON.parse(readFileSync(file, "utf8")) as { sections: unknown };
  return reportInput.shape.sections.parse(raw.sections);
}

describe("hostPlacementSnapshot", () => {
  it("kvm4nfv-baseline: 36 CPUs on 2 nodes, no SMT, isolcpus/nohz_full/rcu_nocbs 11-15,31-35, 1G pages per node", () => {
    const s = hostPlacementSnapshot(sections("kvm4nfv-baseline"), "otcnfv02");
    expect(s.hostname).toBe("otcnfv02");
    expect(s.cpus).toHaveLength(36);
    expect(s.cpus[18]).toEqual({ cpu: 18, node: 1, package: 1, coreKey: "1:0:0", siblings: [18], online: true, l3Id: "L3 18-35" });
    expect(s.smt).toBe(false);
    const iso = [11, 12, 13, 14, 15, 31, 32, 33, 34, 35];
    expect(s.isolated).toEqual(iso);
    expect(s.nohzFull).toEqual(iso);
    expect(s.rcuNocbs).toEqual(iso);
    expect(s.hugepagesFree).toEqual([
      { node: 0, pageSize: "2M", free: 0 },
      { node: 0, pageSize: "1G", free: 4 },
      { node: 1, pageSize: "2M", free: 0 },
      { node: 1, pageSize: "1G", free: 8 },
    ]);
    // no effective_affinity on this old kernel: smp_affinity stands in
    expect(s.irqs.find((i) => i.irq.startsWith("62 "))).toEqual({ irq: "62 (ixgbe-ens785f0-TxRx-2)", effective: [2], managed: false });
    expect(s.vmPins).toEqual([]);
  });

  it("ht-on-rdt: SMT siblings n/n+40, L3 by cache id, no nohz_full", () => {
    const s = hostPlacementSnapshot(sections("ht-on-rdt"));
    expect(s.smt).toBe(true);
    expect(s.cpus.find((c) => c.cpu === 4)).toMatchObject({ siblings: [4, 44], node: 0, l3Id: "L3 #0" });
    expect(s.cpus.find((c) => c.cpu === 44)?.coreKey).toBe(s.cpus.find((c) => c.cpu === 4)?.coreKey);
    expect(s.nohzFull).toEqual([]);
    expect(s.isolated).toHaveLength(32);
  });

  it("broken-partial: no node ids → node 0, garbage nohz_full ignored; empty-tree: nothing", () => {
    const s = hostPlacementSnapshot(sections("broken-partial"));
    expect(new Set(s.cpus.map((c) => c.node))).toEqual(new Set([0]));
    expect(s.isolated).toEqual([2, 3]);
    expect(s.nohzFull).toEqual([]);
    const e = hostPlacementSnapshot(sections("empty-tree"));
    expect(e).toMatchObject({ cpus: [], isolated: [], smt: false, hugepagesFree: [], irqs: [], vmPins: [] });
  });

  it("vms section: a VM's real pinning is the union of its threads' affinity", () => {
    const base = sections("kvm4nfv-baseline");
    const thread = (tid: number, comm: string, vcpu: number | null, cpus: number[] | null) => ({ tid, comm, vcpu, cpusAllowed: cpus });
    const s = hostPlacementSnapshot({
      ...base,
      vms: {
        ok: true,
        available: true,
        durationMs: 0,
        hash: "0".repeat(64),
        data: {
          vms: [
            {
              pid: 900,
              binary: "qemu-system-x86_64",
              name: "guest-a",
              uuid: null,
              accel: "tcg",
              smpCpus: 2,
              monitors: [],
              threadsNamed: true,
              vcpuThreads: [thread(901, "CPU 0/TCG", 0, [12]), thread(902, "CPU 1/TCG", 1, [13]), thread(903, "CPU 2/TCG", 2, null)],
              emulatorThreads: [thread(900, "qemu-system-x86", null, [0, 1])],
              emulatorCpus: [0, 1],
            },
          ],
          warnings: [],
        },
      },
    });
    expect(s.vmPins).toEqual([{ vm: "guest-a", pid: 900, cpus: [0, 1, 12, 13] }]);
  });
});
