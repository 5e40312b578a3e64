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

// The topology section's own top-level fields (server/contract/sections/topology.ts); read loosely
// so one odd field never blanks the whole fleet row.
const topologySummary = z.object({
  cpuModel: z.string().nullable().catch(null),
  vendor: z.string().nullable().catch(null),
  sockets: z.number().int().nullable().catch(null),
  numaNodes: z.number().int().nullable().catch(null),
  cpuCount: z.number().int().nullable().catch(null),
  isVirtual: z.boolean().nullable().catch(null),
});
const kernelSummary = z.object({ release: z.string().nullable() });

export function hostSummaryFromSections(sections: ReportSections): HostSummary {
  const out: HostSummary = {};
  const topo = topologySummary.safeParse(sections.topology?.data);
  if (topo.success) {
    const t = topo.data;
    Object.assign(out, {
      cpuModel: t.cpuModel,
      cpuVendor: t.vendor,
      sockets: t.sockets,
      numaNodes: t.numaNodes,
      cpus: t.cpuCount,
      isVirtual: t.isVirtual,
    });
  }
  const kernel = kernelSummary.safeParse(sections.kernel?.data);
  if (kernel.success) out.kernelRelease = kernel.data.release;
  return out;
}
