import { describe, expect, it } from "vitest";
import {
  applyFleetQuery,
  countByStatus,
  DEFAULT_FLEET_QUERY,
  filterFleet,
  fleetQueryToSearch,
  parseFleetQuery,
  sortFleet,
  toggleSort,
  type FleetHost,
} from "@/server/domain/hosts/fleet";

function host(over: Partial<FleetHost> & { hostname: string }): FleetHost {
  return {
    id: over.hostname,
    status: "online",
    lastSeenAt: null,
    cpuModel: null,
    cpuVendor: null,
    sockets: null,
    numaNodes: null,
    cpus: null,
    kernelRelease: null,
    isVirtual: null,
    agentVersion: null,
    labels: [],
    compliance: null,
    ...over,
  };
}

const fleet: FleetHost[] = [
  host({
    hostname: "pod1-node10",
    status: "online",
    cpus: 36,
    cpuModel: "Intel(R) Xeon(R) CPU E5-2699 v3 @ 2.30GHz",
    labels: ["rt", "pod1"],
    lastSeenAt: new Date(3000),
    compliance: { score: 100, pass: 40, fail: 0, warn: 0, na: 5, sections: { bios: "pass", "kernel-cmdline": "pass" } },
  }),
  host({
    hostname: "pod1-node2",
    status: "stale",
    cpus: 72,
    cpuModel: "Intel(R) Xeon(R) CPU E5-2699 v3 @ 2.30GHz",
    labels: ["pod1"],
    lastSeenAt: new Date(1000),
    compliance: { score: 52.4, pass: 30, fail: 3, warn: 1, na: 5, sections: { bios: "fail", "kernel-cmdline": "warn", runtime: "fail" } },
  }),
  host({
    hostname: "amd-01",
    status: "offline",
    cpus: 64,
    cpuModel: "AMD EPYC 7502P 32-Core Processor",
    kernelRelease: "6.1.0-rt",
    lastSeenAt: null,
    compliance: { score: 80, pass: 30, fail: 1, warn: 0, na: 9, sections: { bios: "na", "kernel-cmdline": "fail" } },
  }),
  host({ hostname: "vm-guest", status: "online", cpus: null, isVirtual: true, lastSeenAt: new Date(2000) }),
];

describe("parseFleetQuery", () => {
  it.each([
    [{}, DEFAULT_FLEET_QUERY],
    [{ q: "xeon", status: "stale", sort: "cpus", dir: "desc" }, { q: "xeon", status: "stale", compliance: "all", sort: "cpus", dir: "desc" }],
    [{ compliance: "fail-kernel-cmdline", sort: "compliance" }, { ...DEFAULT_FLEET_QUERY, compliance: "fail-kernel-cmdline", sort: "compliance" }],
    [{ compliance: "fail-nonsense", status: "online" }, { ...DEFAULT_FLEET_QUERY, status: "online" }],
    [{ compliance: ["compliant", "any-fail"] }, { ...DEFAULT_FLEET_QUERY, compliance: "compliant" }],
    [{ status: "bogus", sort: "cpus" }, { ...DEFAULT_FLEET_QUERY, sort: "cpus" }],
    [{ q: ["a", "b"], dir: "sideways" }, { ...DEFAULT_FLEET_QUERY, q: "a" }],
    [{ q: "x".repeat(500) }, DEFAULT_FLEET_QUERY],
    [new URLSearchParams("status=offline&sort=lastSeen&dir=desc"), { ...DEFAULT_FLEET_QUERY, status: "offline", sort: "lastSeen", dir: "desc" }],
  ] as const)("%j", (input, expected) => {
    expect(parseFleetQuery(input as Record<string, string | string[]>)).toEqual(expected);
  });

  it("round-trips through fleetQueryToSearch", () => {
    const q = { q: "rt pod1", status: "online", compliance: "fail-bios", sort: "kernelRelease", dir: "desc" } as const;
    expect(parseFleetQuery(new URLSearchParams(fleetQueryToSearch(q)))).toEqual(q);
    expect(fleetQueryToSearch(DEFAULT_FLEET_QUERY)).toBe("");
    expect(fleetQueryToSearch({ ...DEFAULT_FLEET_QUERY, compliance: "any-fail" })).toBe("?compliance=any-fail");
  });
});

describe("filterFleet", () => {
  it.each([
    ["", "all", ["pod1-node10", "pod1-node2", "amd-01", "vm-guest"]],
    ["", "online", ["pod1-node10", "vm-guest"]],
    ["POD1", "all", ["pod1-node10", "pod1-node2"]],
    ["pod1 rt", "all", ["pod1-node10"]],
    ["epyc", "all", ["amd-01"]],
    ["6.1.0", "all", ["amd-01"]],
    ["virtual", "all", ["vm-guest"]],
    ["pod1", "offline", []],
    ["nothing-matches", "all", []],
  ] as const)("q=%j status=%s", (q, status, names) => {
    expect(filterFleet(fleet, q, status).map((h) => h.hostname)).toEqual(names);
  });

  it.each([
    ["all", ["pod1-node10", "pod1-node2", "amd-01", "vm-guest"]],
    ["fail-kernel-cmdline", ["amd-01"]],
    ["fail-bios", ["pod1-node2"]],
    ["fail-runtime", ["pod1-node2"]],
    ["fail-numa", []],
    ["any-fail", ["pod1-node2", "amd-01"]],
    ["any-warn", ["pod1-node2"]],
    ["compliant", ["pod1-node10"]],
    ["unevaluated", ["vm-guest"]],
  ] as const)("compliance=%s", (compliance, names) => {
    expect(filterFleet(fleet, "", "all", compliance).map((h) => h.hostname)).toEqual(names);
  });

  it("combines the compliance filter with text and status", () => {
    expect(filterFleet(fleet, "pod1", "stale", "any-fail").map((h) => h.hostname)).toEqual(["pod1-node2"]);
    expect(filterFleet(fleet, "pod1", "online", "any-fail").map((h) => h.hostname)).toEqual([]);
  });
});

describe("sortFleet", () => {
  it.each([
    ["hostname", "asc", ["amd-01", "pod1-node2", "pod1-node10", "vm-guest"]],
    ["hostname", "desc", ["vm-guest", "pod1-node10", "pod1-node2", "amd-01"]],
    // missing values go last in both directions
    ["cpus", "asc", ["pod1-node10", "amd-01", "pod1-node2", "vm-guest"]],
    ["cpus", "desc", ["pod1-node2", "amd-01", "pod1-node10", "vm-guest"]],
    ["lastSeen", "desc", ["pod1-node10", "vm-guest", "pod1-node2", "amd-01"]],
    ["status", "asc", ["pod1-node10", "vm-guest", "pod1-node2", "amd-01"]],
    // worst score first; a host never evaluated goes last either way
    ["compliance", "asc", ["pod1-node2", "amd-01", "pod1-node10", "vm-guest"]],
    ["compliance", "desc", ["pod1-node10", "amd-01", "pod1-node2", "vm-guest"]],
  ] as const)("%s %s", (key, dir, names) => {
    expect(sortFleet(fleet, key, dir).map((h) => h.hostname)).toEqual(names);
  });

  it("does not mutate its input", () => {
    const before = fleet.map((h) => h.hostname);
    sortFleet(fleet, "hostname", "desc");
    expect(fleet.map((h) => h.hostname)).toEqual(before);
  });
});

describe("countByStatus / applyFleetQuery / toggleSort", () => {
  it("counts every status", () => {
    expect(countByStatus(fleet)).toEqual({ all: 4, online: 2, stale: 1, offline: 1 });
    expect(countByStatus([])).toEqual({ all: 0, online: 0, stale: 0, offline: 0 });
  });

  it("filters then sorts", () => {
    const rows = applyFleetQuery(fleet, { q: "pod1", status: "all", compliance: "all", sort: "cpus", dir: "desc" });
    expect(rows.map((h) => h.hostname)).toEqual(["pod1-node2", "pod1-node10"]);
    const failing = applyFleetQuery(fleet, { q: "", status: "all", compliance: "any-fail", sort: "compliance", dir: "asc" });
    expect(failing.map((h) => h.hostname)).toEqual(["pod1-node2", "amd-01"]);
  });

  it.each([
    [DEFAULT_FLEET_QUERY, "hostname", "hostname", "desc"],
    [DEFAULT_FLEET_QUERY, "cpus", "cpus", "asc"],
    [DEFAULT_FLEET_QUERY, "lastSeen", "lastSeen", "desc"],
    [DEFAULT_FLEET_QUERY, "compliance", "compliance", "asc"],
    [{ ...DEFAULT_FLEET_QUERY, sort: "cpus", dir: "desc" }, "cpus", "cpus", "asc"],
  ] as const)("toggle from %j on %s", (from, key, sort, dir) => {
    const next = toggleSort(from, key);
    expect([next.sort, next.dir]).toEqual([sort, dir]);
  });
});
