import { emulatorThreadPolicySchema, pageSizeSchema, placementWarningSchema, threadPolicySchema, type VnfShape } from "@/server/contract/placement";
import type { VnfJson } from "@/server/contract/vnf";
import { roleOf } from "@/server/domain/vnf-pinning/host-placement-state";
import type { VnfRow } from "@/server/repo/vnfs";
import { z } from "zod";

const labelsSchema = z.record(z.string(), z.string()).catch({});
const warningsSchema = z.array(placementWarningSchema).catch([]);

/** A stored VNF row as the API returns it (the CHECK constraints keep the enum columns valid). */
export function vnfJson(row: VnfRow): VnfJson {
  const p = row.placement;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    vcpus: row.vcpus,
    memoryMib: row.memoryMib,
    pageSize: pageSizeSchema.parse(row.pageSize),
    numaNode: row.numaNode,
    threadPolicy: threadPolicySchema.parse(row.threadPolicy),
    emulatorThreads: emulatorThreadPolicySchema.parse(row.emulatorThreads),
    cacheWays: row.cacheWays,
    owner: row.owner,
    labels: labelsSchema.parse(row.labels),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    placement: p
      ? {
          id: p.id,
          hostId: p.hostId,
          hostname: p.host.hostname,
          numaNode: p.numaNode,
          pageSize: p.pageSize === "1G" || p.pageSize === "2M" ? p.pageSize : null,
          pages: p.pages,
          emulatorCpus: p.emulatorCpus,
          warnings: warningsSchema.parse(p.warnings),
          placedBy: p.placedBy,
          placedAt: p.placedAt,
          cpus: p.cpuAssignments.map((a) => ({ cpu: a.cpu, role: roleOf(a) })),
        }
      : null,
  };
}

export function vnfShape(vnf: VnfJson): VnfShape {
  return {
    name: vnf.name,
    vcpus: vnf.vcpus,
    memoryMib: vnf.memoryMib,
    pageSize: vnf.pageSize,
    numaNode: vnf.numaNode,
    threadPolicy: vnf.threadPolicy,
    emulatorThreads: vnf.emulatorThreads,
    cacheWays: vnf.cacheWays,
  };
}
