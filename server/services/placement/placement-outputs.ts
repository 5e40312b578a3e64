import type { PlacementFit, VnfShape } from "@/server/contract/placement";
import type { PlacementOutputs } from "@/server/contract/vnf";
import { libvirtCputuneFragment, libvirtDomainXml, libvirtNumatuneFragment } from "@/server/domain/placement/libvirt-xml";
import { novaExtraSpecs } from "@/server/domain/placement/nova-extra-specs";

/** libvirt domain XML, its <cputune>/<numatune> fragments and Nova extra specs for one fit. */
export function placementOutputs(vnf: VnfShape, fit: PlacementFit): PlacementOutputs {
  return {
    libvirtXml: libvirtDomainXml(vnf, fit),
    cputuneXml: libvirtCputuneFragment(fit),
    numatuneXml: libvirtNumatuneFragment(vnf, fit),
    novaExtraSpecs: { ...novaExtraSpecs(vnf) },
  };
}
