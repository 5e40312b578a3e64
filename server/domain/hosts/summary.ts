import type { ReportSections } from "@/server/contract/report";

/** The few topology/kernel facts the fleet page shows, denormalised onto Host when those sections change. */
export type HostSummary = {
  cpuModel?: string | null;
  cpuVendor?: string | null;
  sockets?: number | null;
  numaNodes?: number | null;
  cpus?: number | null;
  kernelRelease?: string | null;
  isVirtual?: boolean | null;
};

export function hostSummaryFromSections(sections: ReportSections): HostSummary {
  const out: HostSummary = {};
  const topo = sections.topology?.data;
  if (topo) {
    Object.assign(out, {
      cpuModel: topo.cpuModel,
      cpuVendor: topo.vendor,
      sockets: topo.sockets,
      numaNodes: topo.numaNodes,
      cpus: topo.cpuCount,
      isVirtual: topo.isVirtual,
    });
  }
  const kernel = sections.kernel?.data;
  if (kernel) out.kernelRelease = kernel.release;
  return out;
}
