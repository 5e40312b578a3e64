import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { parseCacheSizeKb, parseCpuinfo, parseTopology, read, type RawTopology } from "@/agent/collectors/topology";

const FIXTURES = path.join(import.meta.dirname, "../fixtures");

function raw(over: Partial<RawTopology>): RawTopology {
  return { possible: null, present: null, online: null, cpuDirs: [], cpus: [], nodes: [], caches: [], cpuinfo: null, ...over };
}

function rawCpu(cpu: number, pkg: string | null, core: string | null, siblings: string | null, die: string | null = "0") {
  return { cpu, online: null, packageId: pkg, dieId: die, coreId: core, siblings, nodeFromEntry: null };
}

describe("parseCpuinfo", () => {
  it.each([
    ["", { vendor: null, modelName: null, flags: [], processors: 0 }],
    ["processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: X\nflags\t\t: vmx constant_tsc\n", { vendor: "GenuineIntel", modelName: "X", flags: ["vmx", "constant_tsc"], processors: 1 }],
    ["processor\t: 0\nvendor_id\t: Genu", { vendor: "Genu", processors: 1 }],
    ["garbage without colons\n\n", { vendor: null, processors: 0 }],
  ])("%#", (text, expected) => {
    expect(parseCpuinfo(text)).toMatchObject(expected);
  });

  it("the real cpuinfo of the reconstructed baseline", () => {
    const info = parseCpuinfo(readFileSync(path.join(FIXTURES, "kvm4nfv-baseline/proc/cpuinfo"), "utf8"));
    expect(info).toMatchObject({ vendor: "GenuineIntel", family: 6, model: 63, stepping: 2, processors: 36 });
    expect(info.flags).toContain("tsc_deadline_timer");
  });
});

describe("parseCacheSizeKb", () => {
  it.each([["32K", 32], ["46080K\n", 46080], ["2M", 2048], ["512 KB", 512], ["abc", null], [null, null]])("%j", (text, kb) => {
    expect(parseCacheSizeKb(text)).toBe(kb);
  });
});

describe("parseTopology", () => {
  it("empty input gives an empty, valid section", () => {
    const t = parseTopology(raw({}));
    expect(t.cpus).toEqual([]);
    expect(t.sockets).toBe(0);
    expect(t.warnings).toContain("proc/cpuinfo missing");
  });

  it("keys cores by (package, die, core): the same core_id on two packages is two cores", () => {
    const t = parseTopology(
      raw({ cpuDirs: [0, 1, 2, 3], online: "0-3", cpus: [rawCpu(0, "0", "0", "0,2"), rawCpu(1, "1", "0", "1,3"), rawCpu(2, "0", "0", "0,2"), rawCpu(3, "1", "0", "1,3")] }),
    );
    expect(t.cores).toEqual([
      { package: 0, die: 0, core: 0, node: null, cpus: [0, 2] },
      { package: 1, die: 0, core: 0, node: null, cpus: [1, 3] },
    ]);
    expect(t.threadsPerCore).toBe(2);
    expect(t.sockets).toBe(2);
  });

  it("tolerates garbage field by field, deriving missing siblings from the core grouping", () => {
    const t = parseTopology(raw({ cpuDirs: [0, 1, 2], online: "0-2", cpus: [rawCpu(0, "0", "abc", "0"), rawCpu(1, "0", "1", ""), rawCpu(2, "-1", "2", "garbage")] }));
    expect(t.cpus[0]).toMatchObject({ core: null, siblings: [0] });
    expect(t.cpus[1]).toMatchObject({ core: 1, siblings: [1] });
    expect(t.cpus[2]).toMatchObject({ package: null, siblings: [] });
    expect(t.warnings.join("\n")).toMatch(/core_id: not a number: "abc"/);
    expect(t.warnings.join("\n")).toMatch(/not a cpu list: "garbage"/);
  });

  it("offline CPUs come from cpu/online, and keep a node from their cpuN/nodeK entry", () => {
    const t = parseTopology(raw({ possible: "0-3", online: "0-1", cpuDirs: [0, 1, 2, 3], cpus: [{ ...rawCpu(3, null, null, null, null), nodeFromEntry: 1 }] }));
    expect(t.offlineCpus).toEqual([2, 3]);
    expect(t.cpus[3]).toEqual({ cpu: 3, package: null, die: null, core: null, node: 1, siblings: [], online: false });
  });
});

describe("topology from fixtures", () => {
  it("kvm4nfv-baseline: 36 CPUs, HT off, two nodes 0-17 / 18-35", async () => {
    const t = (await read(new HostFs(path.join(FIXTURES, "kvm4nfv-baseline"))))!;
    expect(t.cpuCount).toBe(36);
    expect(t.sockets).toBe(2);
    expect(t.threadsPerCore).toBe(1);
    expect(t.coreCount).toBe(36);
    expect(t.nodes.map((n) => [n.node, n.cpus[0], n.cpus.at(-1)])).toEqual([[0, 0, 17], [1, 18, 35]]);
    expect(t.cpus[35]).toEqual({ cpu: 35, package: 1, die: null, core: 27, node: 1, siblings: [35], online: true });
    expect(t.flags).toMatchObject({ constantTsc: true, nonstopTsc: true, tscDeadlineTimer: true, vmx: true, cqmLlc: true, catL3: false });
    expect(t.caches.filter((c) => c.level === 3).map((c) => c.sizeKb)).toEqual([46080, 46080]);
  });

  it("ht-on-rdt: 80 CPUs, siblings n and n+40, RDT flags", async () => {
    const t = (await read(new HostFs(path.join(FIXTURES, "ht-on-rdt"))))!;
    expect(t.cpuCount).toBe(80);
    expect(t.coreCount).toBe(40);
    expect(t.threadsPerCore).toBe(2);
    expect(t.cpus[5]).toMatchObject({ package: 0, core: 8, node: 0, siblings: [5, 45] });
    expect(t.cpus[65]).toMatchObject({ package: 1, core: 8, node: 1, siblings: [25, 65] });
    expect(t.flags).toMatchObject({ rdtA: true, catL3: true, cdpL3: true, mba: true, cqmMbmTotal: true, hypervisor: false });
  });

  it("amd-epyc: svm, L3 shared per CCX", async () => {
    const t = (await read(new HostFs(path.join(FIXTURES, "amd-epyc"))))!;
    expect(t.vendor).toBe("AuthenticAMD");
    expect(t.flags.svm).toBe(true);
    expect(t.flags.vmx).toBe(false);
    const l3 = t.caches.filter((c) => c.level === 3);
    expect(l3.length).toBe(8);
    expect(l3[0]!.sharedCpus).toEqual([0, 1, 16, 17]);
  });
});

/** lscpu -p=CPU,CORE,SOCKET,NODE: CORE is a global logical index, so compare which CPUs share a core. */
function lscpuTopology(): { cpu: number; core: number; socket: number; node: number }[] {
  const out = execFileSync("lscpu", ["-p=CPU,CORE,SOCKET,NODE"], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const [cpu, core, socket, node] = l.split(",").map((v) => (v === "" ? 0 : Number(v)));
      return { cpu: cpu!, core: core!, socket: socket!, node: node! };
    });
}

function groups(pairs: [number, string][]): string[] {
  const m = new Map<string, number[]>();
  for (const [cpu, key] of pairs) m.set(key, [...(m.get(key) ?? []), cpu]);
  return [...m.values()].map((cpus) => cpus.sort((a, b) => a - b).join(",")).sort();
}

describe("truth check on this machine", () => {
  it("topology of / equals lscpu (same CPUs, same core grouping, same socket and node)", async () => {
    const mine = (await read(new HostFs("/")))!;
    const theirs = lscpuTopology();
    const online = mine.cpus.filter((c) => c.online);
    expect(online.map((c) => c.cpu)).toEqual(theirs.map((l) => l.cpu));
    expect(groups(online.map((c) => [c.cpu, `${c.package}/${c.die ?? 0}/${c.core}`]))).toEqual(groups(theirs.map((l) => [l.cpu, String(l.core)])));
    for (const l of theirs) {
      const c = online.find((x) => x.cpu === l.cpu)!;
      expect([c.package, c.node ?? 0]).toEqual([l.socket, l.node]);
    }
  });
});
