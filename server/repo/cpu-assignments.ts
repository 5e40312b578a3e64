import { prisma } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";
import type { AuditActor } from "@/server/repo/audit";
import { isUniqueViolation } from "@/server/repo/db-errors";
import { TX_OPTIONS } from "@/server/repo/vnfs";
import { DomainError } from "@/server/errors";

export type AssignmentRowRole = "vcpu" | "emulator" | "reserved-sibling";

/** Everything placement reads of one host: its latest sections, the CPUs held, the placements (hugepages). */
export async function findHostPlacementInputs(hostId: string) {
  return prisma().host.findUnique({
    where: { id: hostId },
    select: {
      id: true,
      hostname: true,
      sections: { select: { section: true, ok: true, available: true, error: true, data: true, collectedAt: true } },
      cpuAssignments: { select: { cpu: true, role: true, vcpu: true, vnfId: true, vnf: { select: { name: true } } }, orderBy: { cpu: "asc" } },
      vnfPlacements: {
        select: { id: true, vnfId: true, vnf: { select: { name: true, emulatorThreads: true } }, numaNode: true, pageSize: true, pages: true, emulatorCpus: true },
        orderBy: { placedAt: "asc" },
      },
    },
  });
}
export type HostPlacementInputs = NonNullable<Awaited<ReturnType<typeof findHostPlacementInputs>>>;

/** Which VNF holds the first of these CPUs on this host (for the loser's message), or null. */
export async function findCpuHolder(hostId: string, cpus: readonly number[], exceptVnfId: string): Promise<{ cpu: number; vnf: string } | null> {
  const row = await prisma().cpuAssignment.findFirst({
    where: { hostId, cpu: { in: [...cpus] }, vnfId: { not: exceptVnfId } },
    select: { cpu: true, vnf: { select: { name: true } } },
    orderBy: { cpu: "asc" },
  });
  return row ? { cpu: row.cpu, vnf: row.vnf.name } : null;
}

export type NewPlacement = {
  hostId: string;
  hostname: string;
  vnfId: string;
  vnfName: string;
  numaNode: number;
  /** hugepages taken on numaNode; budget = pages the node can give placements in all (null: 4K pages, no accounting) */
  hugepages: { pageSize: "1G" | "2M"; pages: number; budget: number } | null;
  emulatorCpus: number[];
  warnings: unknown[];
  cpus: { cpu: number; role: AssignmentRowRole; vcpu: number | null }[];
  actor: AuditActor;
  auditDetails: Record<string, unknown>;
};

/**
 * Stores a placement, all its CPU rows and its audit row in ONE transaction: all or nothing. Placements on one
 * host are serialised by a transaction-scoped advisory lock (so the hugepage sum per node is exact); the
 * primary key (hostId, cpu) refuses a CPU another VNF holds. A loser learns which CPU and who holds it.
 */
export async function insertPlacement(p: NewPlacement): Promise<{ placementId: string }> {
  try {
    return await prisma().$transaction(
      async (tx) => {
        // pg_advisory_xact_lock returns void, which the adapter cannot decode: wrap it so the statement returns a row count.
        await tx.$executeRaw`SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(${`placement:${p.hostId}`}::text))) AS l`;
        const already = await tx.vnfPlacement.findUnique({ where: { vnfId: p.vnfId }, select: { host: { select: { hostname: true } } } });
        if (already) throw new DomainError("CONFLICT", `${p.vnfName} is already placed on ${already.host.hostname}: unassign it first`);
        if (p.hugepages) {
          const placed = await tx.vnfPlacement.aggregate({
            where: { hostId: p.hostId, numaNode: p.numaNode, pageSize: p.hugepages.pageSize },
            _sum: { pages: true },
          });
          const left = p.hugepages.budget - (placed._sum.pages ?? 0);
          if (p.hugepages.pages > left) {
            throw new DomainError("CONFLICT", `node ${p.numaNode}: ${p.hugepages.pageSize} hugepages ${Math.max(0, left)} free, ${p.hugepages.pages} needed (another VNF was just placed there)`);
          }
        }
        const placement = await tx.vnfPlacement.create({
          data: {
            vnfId: p.vnfId,
            hostId: p.hostId,
            numaNode: p.numaNode,
            pageSize: p.hugepages?.pageSize ?? null,
            pages: p.hugepages?.pages ?? 0,
            emulatorCpus: p.emulatorCpus,
            warnings: p.warnings as Prisma.InputJsonArray,
            placedBy: p.actor,
          },
          select: { id: true },
        });
        await tx.cpuAssignment.createMany({
          data: p.cpus.map((c) => ({ hostId: p.hostId, cpu: c.cpu, vnfId: p.vnfId, placementId: placement.id, role: c.role, vcpu: c.vcpu })),
        });
        await tx.auditEvent.create({
          data: { actor: p.actor, action: "vnf.place", targetType: "vnf", targetId: p.vnfId, details: { hostId: p.hostId, hostname: p.hostname, ...p.auditDetails } as Prisma.InputJsonObject },
        });
        return { placementId: placement.id };
      },
      TX_OPTIONS,
    );
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const holder = await findCpuHolder(p.hostId, p.cpus.map((c) => c.cpu), p.vnfId);
    if (holder) throw new DomainError("CONFLICT", `CPU ${holder.cpu} on ${p.hostname} was just taken by ${holder.vnf}`, { cpu: holder.cpu, vnf: holder.vnf });
    throw new DomainError("CONFLICT", `${p.vnfName} was just placed by someone else`);
  }
}

/** Removes a VNF's placement and its CPU rows (cascade) with the audit row, in one transaction. */
export async function deletePlacement(vnfId: string, actor: AuditActor): Promise<{ hostId: string; freedCpus: number[] } | null> {
  return prisma().$transaction(async (tx) => {
    const placement = await tx.vnfPlacement.findUnique({
      where: { vnfId },
      select: { id: true, hostId: true, host: { select: { hostname: true } }, cpuAssignments: { select: { cpu: true } } },
    });
    if (!placement) return null;
    await tx.vnfPlacement.delete({ where: { id: placement.id } });
    const freedCpus = placement.cpuAssignments.map((a) => a.cpu).sort((a, b) => a - b);
    await tx.auditEvent.create({
      data: { actor, action: "vnf.unassign", targetType: "vnf", targetId: vnfId, details: { hostId: placement.hostId, hostname: placement.host.hostname, freedCpus } },
    });
    return { hostId: placement.hostId, freedCpus };
  }, TX_OPTIONS);
}

/** Placed VNFs of every host with their CPUs and node (the compliance rule numa.vnf-locality reads these). */
const HOST_PLACEMENT_SELECT = {
  vnf: { select: { name: true, pageSize: true } },
  numaNode: true,
  pageSize: true,
  pages: true,
  emulatorCpus: true,
  cpuAssignments: { select: { cpu: true, role: true } },
} as const;

export async function listHostPlacements(hostId: string) {
  return prisma().vnfPlacement.findMany({ where: { hostId }, select: HOST_PLACEMENT_SELECT, orderBy: { placedAt: "asc" } });
}

export type HostPlacementRow = Awaited<ReturnType<typeof listHostPlacements>>[number];

/** listHostPlacements for many hosts in one query: host id → its placements, oldest first (hosts with none are absent). */
export async function listPlacementsForHosts(hostIds: readonly string[]): Promise<Map<string, HostPlacementRow[]>> {
  const out = new Map<string, HostPlacementRow[]>();
  if (hostIds.length === 0) return out;
  const rows = await prisma().vnfPlacement.findMany({
    where: { hostId: { in: [...hostIds] } },
    select: { hostId: true, ...HOST_PLACEMENT_SELECT },
    orderBy: [{ placedAt: "asc" }, { id: "asc" }],
  });
  for (const { hostId, ...row } of rows) {
    const list = out.get(hostId);
    if (list) list.push(row);
    else out.set(hostId, [row]);
  }
  return out;
}
