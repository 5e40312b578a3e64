import { describe, expect, it } from "vitest";
import { hostSummaryFromSections } from "@/server/domain/hosts/summary";
import type { ReportSections } from "@/server/contract/report";

const envelope = (data: unknown) => ({ ok: true, available: true, durationMs: 1, hash: "0".repeat(64), data });

describe("hostSummaryFromSections", () => {
  it.each([
    ["no sections", {}, {}],
    ["topology failed (data null)", { topology: envelope(null) }, {}],
    [
      "topology + kernel",
      {
        topology: envelope({ cpuModel: "Intel(R) Xeon(R) CPU E5-2699 v3 @ 2.30GHz", vendor: "GenuineIntel", sockets: 2, numaNodes: 2, cpuCount: 36, isVirtual: false }),
        kernel: envelope({ release: "4.2.0-rt5" }),
      },
      { cpuModel: "Intel(R) Xeon(R) CPU E5-2699 v3 @ 2.30GHz", cpuVendor: "GenuineIntel", sockets: 2, numaNodes: 2, cpus: 36, isVirtual: false, kernelRelease: "4.2.0-rt5" },
    ],
  ] as const)("%s", (_name, sections, expected) => {
    expect(hostSummaryFromSections(sections as unknown as ReportSections)).toEqual(expected);
  });
});
