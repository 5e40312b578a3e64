import path from "node:path";
import { describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { collectSections } from "@/agent/report/collect";
import { canonicalJson, contentHash } from "@/server/contract/canonical";
import { read as readKvm } from "@/agent/collectors/kvm";
import { sectionsSchema } from "@/server/contract/report";

const FIXTURES = path.join(import.meta.dirname, "../fixtures");

describe("canonical JSON", () => {
  it("sorts keys recursively, keeps array order, drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: undefined } })).toBe('{"a":{"d":[3,1]},"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });
});

describe("collectSections", () => {
  const fs = new HostFs(path.join(FIXTURES, "kvm4nfv-baseline"));

  it("a throwing collector is ok:false with its error, the others still report", async () => {
    const sections = await collectSections(fs, [
      { name: "bios", read: async () => { throw new Error("dmidecode exploded"); } },
      { name: "kvm", read: readKvm },
    ]);
    expect(sections.bios).toMatchObject({ ok: false, available: true, data: null, error: "Error: dmidecode exploded" });
    expect(sections.kvm).toMatchObject({ ok: true, available: true });
    expect(sectionsSchema.safeParse(sections).success).toBe(true);
  });

  it("data that fails the section's contract schema is ok:false, not sent", async () => {
    const sections = await collectSections(fs, [{ name: "kvm", read: async () => ({ vendorModule: "kvm_vmware" }) }]);
    expect(sections.kvm?.ok).toBe(false);
    expect(sections.kvm?.error).toMatch(/section kvm failed its schema/);
    expect(sections.kvm?.data).toBeNull();
  });

  it("content that passed once is still reported; changed content that breaks the schema is still caught", async () => {
    const good = await collectSections(fs, [{ name: "kvm", read: readKvm }]);
    const again = await collectSections(fs, [{ name: "kvm", read: readKvm }]);
    expect(again.kvm).toMatchObject({ ok: true, available: true, hash: good.kvm?.hash });
    expect(again.kvm?.data).toEqual(good.kvm?.data);
    const bad = await collectSections(fs, [{ name: "kvm", read: async () => ({ ...(good.kvm?.data as object), vendorModule: "kvm_vmware" }) }]);
    expect(bad.kvm).toMatchObject({ ok: false, data: null });
  });

  it("null data is available:false, and the hash is that of the data", async () => {
    const sections = await collectSections(new HostFs(path.join(FIXTURES, "empty-tree")), [{ name: "kvm", read: readKvm }]);
    expect(sections.kvm).toMatchObject({ ok: true, available: false, data: null, hash: contentHash(null) });
    const full = await collectSections(fs, [{ name: "kvm", read: readKvm }]);
    expect(full.kvm?.hash).toBe(contentHash(full.kvm?.data));
  });
});
