import type { VnfPlacementFact } from "@/server/domain/compliance/snapshot";
import type { listHostPlacements } from "@/server/repo/cpu-assignments";

/** Placement rows as the compliance snapshot carries them (sorted: the evaluation input hash depends on it). */
export function vnfPlacementFacts(rows: Awaited<ReturnType<typeof listHostPlacements>>): VnfPlacementFact[] {
  return rows
    .map((p) => ({
      name: p.vnf.name,
      numaNode: p.numaNode,
      cpus: p.cpuAssignments.filter((a) => a.role !== "reserved-sibling").map((a) => a.cpu).sort((a, b) => a - b),
      hugepages: p.pageSize ? { pageSize: p.pageSize, pages: p.pages } : null,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
