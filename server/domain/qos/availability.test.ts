import { describe, expect, it } from "vitest";
import type { ResctrlSection } from "@/server/contract/sections/resctrl";
import { qosAvailability } from "./availability";

const mounted: ResctrlSection = { mounted: true, inProcMounts: true, mountOptions: [], info: null, controlGroups: [], monGroups: [], warnings: [] };

describe("qosAvailability", () => {
  it.each([
    { name: "never reported", stored: null, isVirtual: false, want: /not reported/ },
    { name: "collector failed", stored: { ok: false, available: true, error: "EACCES", data: null }, isVirtual: false, want: /failed: EACCES/ },
    { name: "VM", stored: { ok: true, available: false, error: null, data: null }, isVirtual: true, want: /virtual machine/ },
    { name: "bare metal, not mounted", stored: { ok: true, available: false, error: null, data: null }, isVirtual: false, want: /not mounted/ },
    { name: "unknown virtualisation, mounted: false", stored: { ok: true, available: true, error: null, data: { ...mounted, mounted: false } }, isVirtual: null, want: /not mounted/ },
  ])("$name → not available", ({ stored, isVirtual, want }) => {
    const a = qosAvailability(stored, isVirtual);
    expect(a.status).toBe("not-available");
    expect(a.status === "not-available" ? a.reason : "").toMatch(want);
  });

  it("mounted → available with the section", () => {
    expect(qosAvailability({ ok: true, available: true, error: null, data: mounted }, false)).toEqual({ status: "available", section: mounted });
  });
});
