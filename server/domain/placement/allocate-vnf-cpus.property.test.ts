/**
 * Property tests on small random hosts: every fit obeys the rules, and a fit is found exactly when a
 * brute-force search over all CPU subsets finds one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ExistingAssignment, HostPlacementSnapshot, PlacementFit, VnfShape } from "../../contract/placement";
import { allocateVnfCpus } from "./allocate-vnf-cpus";
import { intelLayout, syntheticHost } from "./synthetic-host";

type Case = { host: HostPlacementSnapshot; existing: ExistingAssignment[]; vnf: VnfShape };

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    nodes: fc.integer({ min: 1, max: 2 }),
    coresPerNode: fc.integer({ min: 1, max: 4 }),
    // 1–4 threads per core: x86 SMT2, POWER-like SMT4; offline threads make cores of mixed sizes
    threads: fc.integer({ min: 1, max: 4 }),
    seedMasks: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 16, maxLength: 16 }),
    hugepages: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 4, maxLength: 4 }),
    vcpus: fc.integer({ min: 1, max: 6 }),
    memoryMib: fc.constantFrom(0, 1024, 2048, 4096, 3),
    pageSize: fc.constantFrom("1G" as const, "2M" as const, "4K" as const),
    numaNode: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
    threadPolicy: fc.constantFrom("prefer" as const, "isolate" as const, "require" as const),
    emulatorThreads: fc.constantFrom("share" as const, "isolate" as const),
  })
  .map((p) => {
    const cores = intelLayout(p.nodes, p.coresPerNode, p.threads);
    const all = cores.flatMap((c) => c.cpus);
    // per CPU 3 bits: isolated (bit 0, mostly), taken (bit 1 when isolated), offline (bit 2 & 1 rare)
    const bits = (cpu: number) => p.seedMasks[cpu % 16] as number;
    const offline = all.filter((c) => c !== 0 && (bits(c) & 5) === 5 && c % 3 === 0);
    const isolated = all.filter((c) => (bits(c) & 1) === 1 || (bits(c) & 6) === 2);
    const taken = isolated.filter((c) => (bits(c) & 3) === 3 && c % 2 === 1);
    const host = syntheticHost({
      cores,
      isolated,
      offline,
      hugepagesFree: Array.from({ length: p.nodes }, (_, n) => [
        { node: n, pageSize: "1G" as const, free: p.hugepages[n * 2] as number },
        { node: n, pageSize: "2M" as const, free: (p.hugepages[n * 2 + 1] as number) * 512 },
      ]).flat(),
    });
    const existing: ExistingAssignment[] = taken.map((cpu, i) => ({ cpu, vnf: `old-${i % 2}`, role: { kind: "vcpu", vcpu: i } }));
    const vnf: VnfShape = {
      name: "vnf-new",
      vcpus: p.vcpus,
      memoryMib: p.memoryMib,
      pageSize: p.pageSize,
      numaNode: p.numaNode,
      threadPolicy: p.threadPolicy,
      emulatorThreads: p.emulatorThreads,
      cacheWays: null,
    };
    return { host, existing, vnf };
  });

type Model = {
  coreOf: Map<number, string>;
  coreThreads: Map<string, number[]>;
  free: Set<number>;
  nodeOf: Map<number, number>;
  housekeeping: number[];
};

function model({ host, existing }: Case): Model {
  const taken = new Set(existing.map((a) => a.cpu));
  const isolated = new Set(host.isolated);
  const coreOf = new Map<number, string>();
  const coreThreads = new Map<string, number[]>();
  const nodeOf = new Map<number, number>();
  const free = new Set<number>();
  for (const c of host.cpus) {
    if (!c.online) continue;
    coreOf.set(c.cpu, c.coreKey);
    coreThreads.set(c.coreKey, [...(coreThreads.get(c.coreKey) ?? []), c.cpu]);
    nodeOf.set(c.cpu, c.node);
    if (isolated.has(c.cpu) && !taken.has(c.cpu)) free.add(c.cpu);
  }
  const housekeeping = host.cpus.filter((c) => c.online && !isolated.has(c.cpu)).map((c) => c.cpu);
  return { coreOf, coreThreads, free, nodeOf, housekeeping };
}

const wholeFree = (m: Model, core: string) => (m.coreThreads.get(core) ?? []).every((t) => m.free.has(t));

function subsets<T>(items: T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [head, ...rest] = items as [T, ...T[]];
  return [...subsets(rest, k - 1).map((s) => [head, ...s]), ...subsets(rest, k)];
}

/** The rules, checked literally on one candidate set of vCPU CPUs (+ emulator CPU). */
function satisfies(c: Case, m: Model, vcpus: number[], emulator: number | null): boolean {
  const cores = new Set(vcpus.map((v) => m.coreOf.get(v) as string));
  if (c.vnf.threadPolicy === "isolate") {
    const all = emulator === null ? vcpus : [...vcpus, emulator];
    const allCores = all.map((v) => m.coreOf.get(v) as string);
    return new Set(allCores).size === all.length && allCores.every((k) => wholeFree(m, k));
  }
  if (c.vnf.threadPolicy === "require") {
    if (!c.host.smt) return false;
    for (const k of cores) if (!wholeFree(m, k) || (m.coreThreads.get(k) ?? []).length < 2) return false;
    const partial = [...cores].filter((k) => (m.coreThreads.get(k) ?? []).some((t) => !vcpus.includes(t)));
    if (partial.length > 1) return false;
    if (emulator !== null) {
      const ek = m.coreOf.get(emulator) as string;
      return cores.has(ek) || wholeFree(m, ek);
    }
    return true;
  }
  return true;
}

function bruteForceFits(c: Case): number[] {
  const m = model(c);
  const nodes = [...new Set(m.nodeOf.values())].sort((a, b) => a - b);
  const candidates = c.vnf.numaNode === null ? nodes : nodes.filter((n) => n === c.vnf.numaNode);
  const fits: number[] = [];
  for (const node of candidates) {
    if (c.vnf.pageSize !== "4K") {
      const pages = Math.ceil(c.vnf.memoryMib / (c.vnf.pageSize === "1G" ? 1024 : 2));
      const free = c.host.hugepagesFree.find((h) => h.node === node && h.pageSize === c.vnf.pageSize)?.free ?? 0;
      if (pages > free) continue;
    }
    if (c.vnf.emulatorThreads === "share" && m.housekeeping.length === 0) continue;
    const freeOnNode = [...m.free].filter((cpu) => m.nodeOf.get(cpu) === node);
    const found = subsets(freeOnNode, c.vnf.vcpus).some((vs) =>
      c.vnf.emulatorThreads === "share"
        ? satisfies(c, m, vs, null)
        : freeOnNode.some((e) => !vs.includes(e) && satisfies(c, m, vs, e)),
    );
    if (found) fits.push(node);
  }
  return fits;
}

function checkFit(c: Case, r: PlacementFit): void {
  const m = model(c);
  const vcpus = r.vcpuPins.map((p) => p.cpu);
  expect(r.vcpuPins.map((p) => p.vcpu)).toEqual(vcpus.map((_, i) => i));
  expect(vcpus).toHaveLength(c.vnf.vcpus);
  if (c.vnf.numaNode !== null) expect(r.numaNode).toBe(c.vnf.numaNode);
  // never a non-isolated, taken, offline or off-node vCPU; never a CPU twice
  for (const cpu of vcpus) {
    expect(m.free.has(cpu)).toBe(true);
    expect(m.nodeOf.get(cpu)).toBe(r.numaNode);
  }
  const dedicatedEmu = c.vnf.emulatorThreads === "isolate" ? r.emulatorCpus : [];
  const everything = [...vcpus, ...dedicatedEmu, ...r.reservedCpus];
  expect(new Set(everything).size).toBe(everything.length);
  for (const cpu of [...dedicatedEmu, ...r.reservedCpus]) {
    expect(m.free.has(cpu)).toBe(true);
    expect(m.nodeOf.get(cpu)).toBe(r.numaNode);
  }
  if (c.vnf.emulatorThreads === "isolate") expect(r.emulatorCpus).toHaveLength(1);
  else {
    const onNode = m.housekeeping.filter((cpu) => m.nodeOf.get(cpu) === r.numaNode);
    expect(r.emulatorCpus).toEqual(onNode.length > 0 ? onNode : m.housekeeping);
  }
  const emulator = dedicatedEmu[0] ?? null;
  expect(satisfies(c, m, vcpus, emulator)).toBe(true);
  const owned = new Set(everything);
  const touched = new Set(everything.map((cpu) => m.coreOf.get(cpu) as string));
  if (c.vnf.threadPolicy === "prefer") {
    expect(r.reservedCpus).toEqual([]);
    // fill partly used cores before breaking a whole free core
    const brokeWhole = [...touched].some((k) => wholeFree(m, k));
    if (brokeWhole) {
      const leftOnPartial = [...m.free].filter(
        (cpu) => m.nodeOf.get(cpu) === r.numaNode && !owned.has(cpu) && !wholeFree(m, m.coreOf.get(cpu) as string),
      );
      expect(leftOnPartial).toEqual([]);
    }
  } else {
    // isolate / require: every core the VNF touches is wholly the VNF's (vCPUs, emulator, reserved)
    for (const k of touched) for (const t of m.coreThreads.get(k) ?? []) expect(owned.has(t)).toBe(true);
  }
  if (r.hugepagesNeeded) {
    const free = c.host.hugepagesFree.find((h) => h.node === r.numaNode && h.pageSize === r.hugepagesNeeded?.pageSize)?.free ?? 0;
    expect(r.hugepagesNeeded.pages).toBeLessThanOrEqual(free);
  }
}

describe("allocateVnfCpus properties (small random hosts)", () => {
  it("every fit obeys the rules; a fit is found exactly when brute force finds one", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const r = allocateVnfCpus(c.host, c.existing, c.vnf);
        const fits = bruteForceFits(c);
        if (r.ok) {
          checkFit(c, r);
          expect(fits).toContain(r.numaNode);
        } else {
          expect(fits).toEqual([]);
          expect(r.reason.length).toBeGreaterThan(0);
          expect(r.perNode.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("the generator produces both fits and misses for every policy", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(caseArb, (c) => {
        seen.add(`${c.vnf.threadPolicy}:${allocateVnfCpus(c.host, c.existing, c.vnf).ok}`);
      }),
      { numRuns: 1000, seed: 42 },
    );
    expect([...seen].sort()).toEqual(["isolate:false", "isolate:true", "prefer:false", "prefer:true", "require:false", "require:true"]);
  });

  it("placing VNFs one after another never double-books a CPU", () => {
    fc.assert(
      fc.property(caseArb, fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 6 }), (c, sizes) => {
        const existing: ExistingAssignment[] = [...c.existing];
        sizes.forEach((vcpus, i) => {
          const v = { ...c.vnf, name: `vnf-${i}`, vcpus, pageSize: "4K" as const };
          const r = allocateVnfCpus(c.host, existing, v);
          if (!r.ok) return;
          for (const p of r.vcpuPins) existing.push({ cpu: p.cpu, vnf: v.name, role: { kind: "vcpu", vcpu: p.vcpu } });
          if (v.emulatorThreads === "isolate") for (const e of r.emulatorCpus) existing.push({ cpu: e, vnf: v.name, role: { kind: "emulator" } });
          for (const s of r.reservedCpus) existing.push({ cpu: s, vnf: v.name, role: { kind: "reserved-sibling" } });
        });
        const cpus = existing.map((a) => a.cpu);
        expect(new Set(cpus).size).toBe(cpus.length);
      }),
      { numRuns: 500 },
    );
  });
});
