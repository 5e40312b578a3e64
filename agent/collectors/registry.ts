import type { HostFs } from "@/agent/hostfs";
import type { SectionName } from "@/server/contract/report";
import { read as readTopology } from "@/agent/collectors/topology";
import { read as readKernel } from "@/agent/collectors/kernel";
import { read as readIrq } from "@/agent/collectors/irq";
import { read as readHugepages } from "@/agent/collectors/hugepages";
import { read as readPower } from "@/agent/collectors/power";
import { read as readKvm } from "@/agent/collectors/kvm";
import { read as readBios } from "@/agent/collectors/bios";
import { read as readResctrl } from "@/agent/collectors/resctrl";
import { read as readVms } from "@/agent/collectors/vms";

/**
 * A static-section collector. `read` returns the section data, or null when the source does not exist on
 * this host (→ available:false, not an error). It may throw: collect() turns that into ok:false.
 * Its data is validated against the section's contract schema before it is reported.
 */
export interface SectionCollector {
  name: SectionName;
  read: (fs: HostFs) => Promise<unknown>;
}

/** Every static-section collector, in report order. Add a line here to add a collector. */
export const SECTION_COLLECTORS: readonly SectionCollector[] = [
  { name: "topology", read: readTopology },
  { name: "kernel", read: readKernel },
  { name: "power", read: readPower },
  { name: "irq", read: readIrq },
  { name: "hugepages", read: readHugepages },
  { name: "bios", read: readBios },
  { name: "resctrl", read: readResctrl },
  { name: "kvm", read: readKvm },
  { name: "vms", read: readVms },
];
