import { describe, expect, it } from "vitest";
import { createVnfInput } from "@/server/contract/vnf";

const valid = {
  name: "vfw-contract-1",
  description: "",
  vcpus: 2,
  memoryMib: 2048,
  pageSize: "1G",
  numaNode: null,
  threadPolicy: "prefer",
  emulatorThreads: "share",
  cacheWays: null,
  owner: "lab",
  labels: {},
};

describe("VNF contract", () => {
  it("a VNF needs memory: 0 MiB (a domain libvirt refuses to define) is refused naming the field, 1 MiB is accepted", () => {
    const zero = createVnfInput.safeParse({ ...valid, memoryMib: 0 });
    expect(zero.success).toBe(false);
    expect(zero.error?.issues.map((i) => i.path.join("."))).toContain("memoryMib");
    expect(createVnfInput.safeParse({ ...valid, memoryMib: 1 }).success).toBe(true);
  });
});
