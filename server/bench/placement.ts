/**
 * Placement bench (part of `npm run bench`, BENCH=placement): prints figures, asserts nothing.
 *
 * A 2 × 64-core × 2-thread host (256 CPUs; cores 2–63 of each node isolated, 248 CPUs), 512 IRQs,
 * and 200 VNFs already placed by the allocator itself (160 prefer + 40 isolate, 1 vCPU each, every
 * one also running as a pinned VM). Then times allocateVnfCpus for new VNFs: one that fits and
 * one that fits nowhere (both scan the whole host), plus the XML/Nova output for the fit.
 */
import type { ExistingAssignment, HostPlacementSnapshot, VnfShape } from "@/server/contract/placement";
import { allocateVnfCpus } from "@/server/domain/placement/allocate-vnf-cpus";
import { libvirtDomainXml } from "@/server/domain/placement/libvirt-xml";
import { novaExtraSpecs } from "@/server/domain/placement/nova-extra-specs";
import { intelLayout, syntheticHost } from "@/server/domain/placement/synthetic-host";

const NODES = 2;
const CORES_PER_NODE = 64;
const THREADS = 2;
const PLACED = 200;

function vnf(name: string, over: Partial<VnfShape>): VnfShape {
  return { name, vcpus: 1, memoryMib: 1024, pageSize: "2M", numaNode: null, threadPolicy: "prefer", emulatorThreads: "share", cacheWays: null, ...over };
}

function buildHost(): { host: HostPlacementSnapshot; existing: ExistingAssignment[] } {
  const cores = intelLayout(NODES, CORES_PER_NODE, THREADS);
  const isolated = cores.filter((c) => c.cpus[0] as number % CORES_PER_NODE >= 2).flatMap((c) => c.cpus);
  const housekeeping = cores.flatMap((c) => c.cpus).filter((c) => !isolated.includes(c));
  const base = syntheticHost({
    cores,
    isolated,
    hugepagesFree: Array.from({ length: NODES }, (_, node) => ({ node, pageSize: "2M" as const, free: 200_000 })),
    irqs: Array.from({ length: 512 }, (_, i) => ({ irq: String(100 + i), effective: [housekeeping[i % housekeeping.length] as number], managed: i % 4 === 0 })),
  });
  const existing: ExistingAssignment[] = [];
  const vmPins: HostPlacementSnapshot["vmPins"] = [];
  for (let i = 0; i < PLACED; i++) {
    const v = vnf(`vnf-${i}`, { threadPolicy: i % 5 === 4 ? "isolate" : "prefer" });
    const r = allocateVnfCpus(base, existing, v);
    if (!r.ok) throw new Error(`seeding VNF ${i}: ${r.reason}`);
    for (const p of r.vcpuPins) existing.push({ cpu: p.cpu, vnf: v.name, role: { kind: "vcpu", vcpu: p.vcpu } });
    for (const s of r.reservedCpus) existing.push({ cpu: s, vnf: v.name, role: { kind: "reserved-sibling" } });
    vmPins.push({ vm: v.name, pid: 10_000 + i, cpus: [...r.vcpuPins.map((p) => p.cpu), ...r.emulatorCpus] });
  }
  return { host: { ...base, vmPins }, existing };
}

function time(label: string, runs: number, fn: () => unknown): void {
  for (let i = 0; i < Math.min(200, runs); i++) fn();
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  samples.sort((a, b) => a - b);
  const at = (q: number) => (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] as number).toFixed(1);
  // wall time per call suffers from other processes on a shared machine; CPU time per call does not wait
  const cpuPerCall = ((cpu.user + cpu.system) / runs).toFixed(1);
  console.log(`  ${label.padEnd(58)} median ${at(0.5).padStart(7)} µs   p99 ${at(0.99).padStart(8)} µs   CPU ${cpuPerCall.padStart(6)} µs/call   (${runs} runs)`);
}

export function benchPlacement(runs = Number(process.env.BENCH_PLACEMENT_RUNS ?? 2000)): void {
  const { host, existing } = buildHost();
  const free = host.isolated.length - existing.length;
  console.log(
    `placement: ${host.cpus.length} CPUs (${NODES} × ${CORES_PER_NODE} cores × ${THREADS} threads), ${host.isolated.length} isolated, ` +
      `${PLACED} VNFs placed (${existing.length} CPUs assigned or reserved, ${free} free), ${host.irqs.length} IRQs, ${host.vmPins.length} pinned VMs`,
  );
  const fits = vnf("vnf-new", { vcpus: 4 });
  const probe = allocateVnfCpus(host, existing, fits);
  if (!probe.ok) throw new Error(`bench VNF does not fit: ${probe.reason}`);
  time(`fits: 4 vCPUs prefer, any node (${probe.warnings.length} warnings)`, runs, () => allocateVnfCpus(host, existing, fits));
  const misses = vnf("vnf-big", { vcpus: 8, threadPolicy: "isolate", emulatorThreads: "isolate" });
  const miss = allocateVnfCpus(host, existing, misses);
  time(`${miss.ok ? "fits" : "misses"}: 8 vCPUs isolate + emulator isolate`, runs, () => allocateVnfCpus(host, existing, misses));
  time("fit + libvirt domain XML + Nova extra specs", runs, () => {
    const r = allocateVnfCpus(host, existing, fits);
    if (r.ok) {
      libvirtDomainXml(fits, r);
      novaExtraSpecs(fits);
    }
  });
}
