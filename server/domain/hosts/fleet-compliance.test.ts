import { describe, expect, it } from "vitest";
import {
  FLEET_COMPLIANCE_FILTERS,
  complianceFilterLabel,
  failingSections,
  matchesComplianceFilter,
  sectionStatusesFromJson,
  type FleetCompliance,
} from "@/server/domain/hosts/fleet-compliance";

const clean: FleetCompliance = { score: 100, pass: 30, fail: 0, warn: 0, na: 4, sections: { bios: "pass", "kernel-cmdline": "pass", runtime: "na" } };
const warnOnly: FleetCompliance = { score: 95, pass: 29, fail: 0, warn: 1, na: 4, sections: { bios: "pass", "kernel-cmdline": "warn" } };
const kernelFail: FleetCompliance = { score: 70, pass: 25, fail: 2, warn: 0, na: 4, sections: { bios: "na", "kernel-cmdline": "fail", runtime: "pass" } };
const biosRuntimeFail: FleetCompliance = { score: 40, pass: 20, fail: 5, warn: 1, na: 4, sections: { bios: "fail", "kernel-cmdline": "warn", runtime: "fail" } };

describe("matchesComplianceFilter", () => {
  it.each([
    ["all", [true, true, true, true, true]],
    ["any-fail", [false, false, true, true, false]],
    ["any-warn", [false, true, false, true, false]],
    ["compliant", [true, false, false, false, false]],
    ["unevaluated", [false, false, false, false, true]],
    ["fail-kernel-cmdline", [false, false, true, false, false]],
    ["fail-bios", [false, false, false, true, false]],
    ["fail-runtime", [false, false, false, true, false]],
    ["fail-hugepages", [false, false, false, false, false]],
  ] as const)("%s", (filter, expected) => {
    expect([clean, warnOnly, kernelFail, biosRuntimeFail, null].map((c) => matchesComplianceFilter(c, filter))).toEqual(expected);
  });
});

describe("sectionStatusesFromJson", () => {
  it.each([
    ["stored shape", { bios: { status: "fail", counts: { pass: 1, fail: 2, warn: 0, na: 0 } }, "kernel-cmdline": { status: "pass" } }, { bios: "fail", "kernel-cmdline": "pass" }],
    ["plain statuses", { runtime: "warn" }, { runtime: "warn" }],
    ["unknown section and bad status dropped", { bogus: { status: "fail" }, numa: { status: "broken" }, kvm: { status: "na" } }, { kvm: "na" }],
    ["null", null, {}],
    ["array", ["fail"], {}],
    ["string", "fail", {}],
  ] as const)("%s", (_name, json, expected) => {
    expect(sectionStatusesFromJson(json)).toEqual(expected);
  });
});

describe("labels and failing sections", () => {
  it("labels every filter, the section ones in words a manager uses", () => {
    expect(complianceFilterLabel("fail-kernel-cmdline")).toBe("Failing kernel rules");
    expect(complianceFilterLabel("fail-bios")).toBe("Failing BIOS rules");
    expect(complianceFilterLabel("fail-runtime")).toBe("Failing runtime rules");
    expect(complianceFilterLabel("any-fail")).toBe("Any failure");
    expect(complianceFilterLabel("compliant")).toBe("Compliant");
    const labels = FLEET_COMPLIANCE_FILTERS.map(complianceFilterLabel);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it("lists failing sections in catalogue order", () => {
    expect(failingSections(biosRuntimeFail)).toEqual(["bios", "runtime"]);
    expect(failingSections(clean)).toEqual([]);
  });
});
