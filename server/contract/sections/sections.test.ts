import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { kvmSection } from "@/server/contract/sections/kvm";
import { topologySection } from "@/server/contract/sections/topology";
import { kernelSection } from "@/server/contract/sections/kernel";

const FIXTURES = path.join(import.meta.dirname, "../../../agent/fixtures");

function section(host: string, name: string): Record<string, unknown> {
  const report = JSON.parse(readFileSync(path.join(FIXTURES, host, "expected-report.json"), "utf8")) as { sections: Record<string, { data: Record<string, unknown> }> };
  return report.sections[name]!.data;
}

describe("section schemas", () => {
  it("accept what the agent produced for a real fixture", () => {
    expect(topologySection.safeParse(section("ht-on-rdt", "topology")).success).toBe(true);
    expect(kernelSection.safeParse(section("kvm4nfv-baseline", "kernel")).success).toBe(true);
    expect(kvmSection.safeParse(section("amd-epyc", "kvm")).success).toBe(true);
  });

  it("are strict: an unknown key is refused", () => {
    expect(topologySection.safeParse({ ...section("ht-on-rdt", "topology"), extra: 1 }).success).toBe(false);
  });

  it("never pass a prototype key through a record (a payload parsed from JSON can carry __proto__ as an own key)", () => {
    const kvm = section("amd-epyc", "kvm");
    const hostile = JSON.parse(`{"__proto__": {"polluted": "Y"}, "constructor": "x", "halt_poll_ns": "0"}`) as Record<string, string>;
    const parsed = kvmSection.safeParse({ ...kvm, kvmParams: hostile });
    // "constructor" is refused by safeKey; zod 4 itself drops "__proto__" from record output.
    expect(parsed.success).toBe(false);
    const onlyProto = kvmSection.safeParse({ ...kvm, kvmParams: JSON.parse(`{"__proto__": {"polluted": "Y"}, "halt_poll_ns": "0"}`) });
    expect(onlyProto.success && Object.keys(onlyProto.data.kvmParams)).toEqual(["halt_poll_ns"]);
    expect(onlyProto.success && (onlyProto.data.kvmParams as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuse out-of-range CPU numbers and oversized lists", () => {
    const topo = section("kvm4nfv-baseline", "topology");
    expect(topologySection.safeParse({ ...topo, onlineCpus: [-1] }).success).toBe(false);
    expect(topologySection.safeParse({ ...topo, onlineCpus: Array.from({ length: 9000 }, (_, i) => i) }).success).toBe(false);
  });
});
