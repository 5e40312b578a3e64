/**
 * Build HostPlacementSnapshots by hand for tests and the bench. Pure.
 *
 * `intelLayout` numbers CPUs as Linux does on Intel: thread t of global core g is CPU t × cores + g
 * (siblings 0 and 40 on a 40-core host). `cores` lets a test spell out any layout (kubelet's test
 * topologies, asymmetric nodes).
 */
import type { HostPlacementSnapshot } from "../../contract/placement";

export type SyntheticCore = { node: number; cpus: number[]; l3?: string };

export type SyntheticHostSpec = {
  hostname?: string;
  cores: SyntheticCore[];
  isolated: number[];
  /** default: the isolated set (a well-tuned host) */
  nohzFull?: number[];
  /** default: the isolated set */
  rcuNocbs?: number[];
  offline?: number[];
  hugepagesFree?: HostPlacementSnapshot["hugepagesFree"];
  irqs?: HostPlacementSnapshot["irqs"];
  vmPins?: HostPlacementSnapshot["vmPins"];
};

export function intelLayout(nodes: number, coresPerNode: number, threadsPerCore: number, coresPerL3 = coresPerNode): SyntheticCore[] {
  const total = nodes * coresPerNode;
  const cores: SyntheticCore[] = [];
  for (let g = 0; g < total; g++) {
    const node = Math.floor(g / coresPerNode);
    const l3 = `L3 #${node}.${Math.floor((g % coresPerNode) / coresPerL3)}`;
    cores.push({ node, cpus: Array.from({ length: threadsPerCore }, (_, t) => t * total + g), l3 });
  }
  return cores;
}

export function syntheticHost(spec: SyntheticHostSpec): HostPlacementSnapshot {
  const offline = new Set(spec.offline ?? []);
  const cpus: HostPlacementSnapshot["cpus"] = [];
  spec.cores.forEach((core, i) => {
    const siblings = [...core.cpus].sort((a, b) => a - b);
    for (const cpu of core.cpus)
      cpus.push({ cpu, node: core.node, package: core.node, coreKey: `${core.node}:0:${i}`, siblings, online: !offline.has(cpu), l3Id: core.l3 ?? `L3 #${core.node}` });
  });
  cpus.sort((a, b) => a.cpu - b.cpu);
  return {
    hostname: spec.hostname ?? "synthetic",
    cpus,
    isolated: [...spec.isolated].sort((a, b) => a - b),
    nohzFull: [...(spec.nohzFull ?? spec.isolated)].sort((a, b) => a - b),
    rcuNocbs: [...(spec.rcuNocbs ?? spec.isolated)].sort((a, b) => a - b),
    smt: cpus.some((c) => c.online && c.siblings.filter((s) => !offline.has(s)).length > 1),
    hugepagesFree: spec.hugepagesFree ?? [],
    irqs: spec.irqs ?? [],
    vmPins: spec.vmPins ?? [],
  };
}
