import type { PlacementFit } from "@/server/contract/placement";
import type { PlacementOutputs } from "@/server/contract/vnf";
import { getVnf } from "@/server/services/placement/get-vnf";
import { placementOutputs } from "@/server/services/placement/placement-outputs";
import { vnfShape } from "@/server/services/placement/vnf-json";

/** libvirt XML and Nova specs for a placed VNF, rebuilt from its stored assignment; null when it is not placed. */
export async function getVnfOutputs(vnfId: string): Promise<PlacementOutputs | null> {
  const vnf = await getVnf(vnfId);
  const p = vnf.placement;
  if (!p) return null;
  const fit: PlacementFit = {
    ok: true,
    numaNode: p.numaNode,
    vcpuPins: p.cpus.flatMap((c) => (c.role.kind === "vcpu" ? [{ vcpu: c.role.vcpu, cpu: c.cpu }] : [])).sort((a, b) => a.vcpu - b.vcpu),
    emulatorCpus: p.emulatorCpus,
    reservedCpus: p.cpus.filter((c) => c.role.kind === "reserved-sibling").map((c) => c.cpu),
    warnings: p.warnings,
    l3Domain: null,
    hugepagesNeeded: p.pageSize ? { node: p.numaNode, pageSize: p.pageSize, pages: p.pages } : null,
  };
  return placementOutputs(vnfShape(vnf), fit);
}
