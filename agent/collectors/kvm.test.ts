import path from "node:path";
import { describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { parseKvm, read } from "@/agent/collectors/kvm";

const FIXTURES = path.join(import.meta.dirname, "../fixtures");

describe("parseKvm", () => {
  it.each([
    [{ kvm: {}, vendorModule: null, vendor: {} }, { enableApicv: null, preemptionTimer: null, pleGap: null, haltPollNs: null }],
    [
      { kvm: { halt_poll_ns: "0\n", kvmclock_periodic_sync: "N\n", nx_huge_pages: "N\n" }, vendorModule: "kvm_intel" as const, vendor: { enable_apicv: "Y\n", preemption_timer: "Y\n", ple_gap: "0\n" } },
      { enableApicv: true, preemptionTimer: true, pleGap: 0, haltPollNs: 0, kvmclockPeriodicSync: false, nxHugePages: "N" },
    ],
    [
      { kvm: {}, vendorModule: "kvm_amd" as const, vendor: { avic: "1", pause_filter_count: "3000" } },
      { enableApicv: true, preemptionTimer: null, pleGap: 3000 },
    ],
  ])("%#", (raw, expected) => {
    expect(parseKvm(raw)).toMatchObject(expected);
  });

  it("garbage values are null with warnings; unsafe parameter names are dropped", () => {
    const s = parseKvm({ kvm: { halt_poll_ns: "lots", __proto__x: "1", "a/b": "2" }, vendorModule: null, vendor: {} });
    expect(s.haltPollNs).toBeNull();
    expect(Object.keys(s.kvmParams)).toEqual(["__proto__x", "halt_poll_ns"]);
    expect(s.warnings).toHaveLength(1);
  });
});

describe("kvm from fixtures", () => {
  it("kvm4nfv-baseline: APICv, preemption timer, ple_gap 0", async () => {
    const s = (await read(new HostFs(path.join(FIXTURES, "kvm4nfv-baseline"))))!;
    expect(s).toMatchObject({ vendorModule: "kvm_intel", enableApicv: true, preemptionTimer: true, pleGap: 0, kvmclockPeriodicSync: false, nxHugePages: null });
  });
  it("empty tree: not a KVM host", async () => {
    expect(await read(new HostFs(path.join(FIXTURES, "empty-tree")))).toBeNull();
  });
});
