import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ReportSections } from "@/server/contract/report";
import { findRule } from "@/server/domain/compliance/catalogue";
import { snapshotFromSections, type HostSnapshot } from "@/server/domain/compliance/snapshot";

const FIXTURES = path.resolve(import.meta.dirname, "../../../../agent/fixtures");
let base: HostSnapshot;

beforeAll(() => {
  // ht-on-rdt (its golden report): node 0 = CPUs 0-19,40-59; node 1 = 20-39,60-79
  const report = JSON.parse(readFileSync(path.join(FIXTURES, "ht-on-rdt", "expected-report.json"), "utf8")) as { sections: ReportSections };
  base = snapshotFromSections(report.sections);
});

function run(s: HostSnapshot) {
  const rule = findRule("numa.vnf-locality");
  if (!rule) throw new Error("rule missing");
  return rule.check(s, rule.defaultParams);
}

const vmThread = (tid: number, vcpu: number, cpus: number[]) => ({ tid, comm: `CPU ${vcpu}/KVM`, vcpu, cpusAllowed: cpus });

describe("numa.vnf-locality", () => {
  it("n/a without placed VNFs", () => {
    expect(run({ ...base, vnfPlacements: [] })).toMatchObject({ status: "na", message: "no VNF is placed on this host" });
    expect(run(base).status).toBe("na");
  });

  it("passes when each VNF's CPUs and hugepages share a node", () => {
    const out = run({ ...base, vnfPlacements: [{ name: "a", numaNode: 0, cpus: [4, 44], hugepages: { pageSize: "1G", pages: 2 } }] });
    expect(out.status).toBe("pass");
  });

  it("fails when CPUs span nodes, or hugepages sit on another node", () => {
    const out = run({
      ...base,
      vnfPlacements: [
        { name: "split", numaNode: 0, cpus: [4, 24], hugepages: null },
        { name: "far-memory", numaNode: 1, cpus: [5, 45], hugepages: { pageSize: "1G", pages: 4 } },
      ],
    });
    expect(out.status).toBe("fail");
    expect(out.evidence?.items).toEqual(["split: CPUs on node 0+1, hugepages on node 0", "far-memory: CPUs on node 0, hugepages on node 1"]);
  });

  it("fails when the running VM's real vCPU pinning leaves the node", () => {
    const vms = {
      vms: [{ pid: 9, binary: "qemu-system-x86_64", name: "a", uuid: null, accel: "kvm", smpCpus: 2, monitors: [], threadsNamed: true, vcpuThreads: [vmThread(10, 0, [4]), vmThread(11, 1, [20])], emulatorThreads: [], emulatorCpus: [] }],
      warnings: [],
    };
    const out = run({ ...base, vms, vnfPlacements: [{ name: "a", numaNode: 0, cpus: [4, 44], hugepages: null }] });
    expect(out.status).toBe("fail");
    expect(out.evidence?.items).toEqual(["a: running vCPU threads may run on node 0+1 (pid 9)"]);
  });
});
