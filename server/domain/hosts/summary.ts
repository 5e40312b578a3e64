import { z } from "zod";
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

const topologySummary = z.object({
  summary: z.object({
    cpuModel: z.string().nullable(),
    vendor: z.string().nullable(),
    sockets: z.number().int(),
    numaNodes: z.number().int(),
    cpus: z.number().int(),
    isVirtual: z.boolean(),
  }),
});
const kernelSummary = z.object({ release: z.string().nullable() });

export function hostSummaryFromSections(sections: ReportSections): HostSummary {
  const out: HostSummary = {};
  const topo = topologySummary.safeParse(sections.topology?.data);
  if (topo.success) {
    const s = topo.data.summary;
    Object.assign(out, {
      cpuModel: s.cpuModel,
      cpuVendor: s.vendor,
      sockets: s.sockets,
      numaNodes: s.numaNodes,
      cpus: s.cpus,
      isVirtual: s.isVirtual,
    });
  }
  const kernel = kernelSummary.safeParse(sections.kernel?.data);
  if (kernel.success) out.kernelRelease = kernel.data.release;
  return out;
}
