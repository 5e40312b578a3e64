/**
 * libvirt domain XML for a placed VNF: the whole minimal document (accepted by `virt-xml-validate FILE
 * domain`) and the <cputune>/<numatune> fragments an admin pastes into an existing domain. Pure.
 *
 * The guest gets one NUMA cell (cell 0) backed by the chosen host node: <numatune> names the host
 * node, while <page nodeset> and <memnode cellid> name guest cells (libvirt's convention).
 */
import type { PlacementFit, VnfShape } from "../../contract/placement";
import { formatCpuList } from "../cpuset/cpuset";

const PAGE = { "1G": { size: 1, unit: "G" }, "2M": { size: 2, unit: "M" } } as const;

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[ch] as string);
}

function indent(lines: string[], by: string): string[] {
  return lines.map((l) => by + l);
}

function cputuneLines(result: PlacementFit): string[] {
  return [
    "<cputune>",
    ...result.vcpuPins.map((p) => `  <vcpupin vcpu='${p.vcpu}' cpuset='${p.cpu}'/>`),
    `  <emulatorpin cpuset='${formatCpuList(result.emulatorCpus)}'/>`,
    "</cputune>",
  ];
}

function numatuneLines(result: PlacementFit): string[] {
  const node = String(result.numaNode);
  return [
    "<numatune>",
    `  <memory mode='strict' nodeset='${node}'/>`,
    `  <memnode cellid='0' mode='strict' nodeset='${node}'/>`,
    "</numatune>",
  ];
}

export function libvirtCputuneFragment(result: PlacementFit): string {
  return cputuneLines(result).join("\n") + "\n";
}

export function libvirtNumatuneFragment(_vnf: VnfShape, result: PlacementFit): string {
  return numatuneLines(result).join("\n") + "\n";
}

export function libvirtDomainXml(vnf: VnfShape, result: PlacementFit): string {
  const vcpus = result.vcpuPins.length;
  const memoryBacking =
    vnf.pageSize === "4K"
      ? []
      : [
          "<memoryBacking>",
          "  <hugepages>",
          `    <page size='${PAGE[vnf.pageSize].size}' unit='${PAGE[vnf.pageSize].unit}' nodeset='0'/>`,
          "  </hugepages>",
          "</memoryBacking>",
        ];
  const lines = [
    "<domain type='kvm'>",
    `  <name>${xmlEscape(vnf.name)}</name>`,
    `  <memory unit='MiB'>${vnf.memoryMib}</memory>`,
    `  <vcpu placement='static'>${vcpus}</vcpu>`,
    ...indent(cputuneLines(result), "  "),
    ...indent(numatuneLines(result), "  "),
    ...indent(memoryBacking, "  "),
    "  <os>",
    "    <type arch='x86_64'>hvm</type>",
    "  </os>",
    "  <cpu mode='host-passthrough'>",
    "    <numa>",
    `      <cell id='0' cpus='${formatCpuList(result.vcpuPins.map((p) => p.vcpu))}' memory='${vnf.memoryMib}' unit='MiB'/>`,
    "    </numa>",
    "  </cpu>",
    "</domain>",
  ];
  return lines.join("\n") + "\n";
}
