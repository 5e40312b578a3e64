import { prisma } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";
import type { AuditActor } from "@/server/repo/audit";
import { isUniqueViolation } from "@/server/repo/db-errors";
import { DomainError } from "@/server/errors";

/** The VNF columns and its placement (with host name and CPUs): what every VNF read returns. */
export const vnfSelect = {
  id: true,
  name: true,
  description: true,
  vcpus: true,
  memoryMib: true,
  pageSize: true,
  numaNode: true,
  threadPolicy: true,
  emulatorThreads: true,
  cacheWays: true,
  owner: true,
  labels: true,
  createdAt: true,
  updatedAt: true,
  placement: {
    select: {
      id: true,
      hostId: true,
      host: { select: { hostname: true } },
      numaNode: true,
      pageSize: true,
      pages: true,
      emulatorCpus: true,
      warnings: true,
      placedBy: true,
      placedAt: true,
      cpuAssignments: { select: { cpu: true, role: true, vcpu: true }, orderBy: { cpu: "asc" } },
    },
  },
} satisfies Prisma.VnfSelect;
export type VnfRow = Prisma.VnfGetPayload<{ select: typeof vnfSelect }>;

export type VnfData = {
  name: string;
  description: string;
  vcpus: number;
  memoryMib: number;
  pageSize: string;
  numaNode: number | null;
  threadPolicy: string;
  emulatorThreads: string;
  cacheWays: number | null;
  owner: string;
  labels: Record<string, string>;
};

type Tx = Prisma.TransactionClient;

/** Short transactions, but many may queue for the pool at once (a burst of operators): wait rather than fail. */
export const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 } as const;

async function audit(tx: Tx, actor: AuditActor, action: string, vnfId: string, details: Record<string, unknown>) {
  await tx.auditEvent.create({ data: { actor, action, targetType: "vnf", targetId: vnfId, details: details as Prisma.InputJsonObject } });
}

function nameTaken(name: string): DomainError {
  return new DomainError("CONFLICT", `name: a VNF named ${name} already exists`);
}

export async function listVnfs(): Promise<VnfRow[]> {
  return prisma().vnf.findMany({ select: vnfSelect, orderBy: { name: "asc" } });
}

export async function findVnf(id: string): Promise<VnfRow | null> {
  return prisma().vnf.findUnique({ where: { id }, select: vnfSelect });
}

export async function insertVnf(data: VnfData, actor: AuditActor): Promise<VnfRow> {
  try {
    return await prisma().$transaction(async (tx) => {
      const row = await tx.vnf.create({ data: { ...data, labels: data.labels as Prisma.InputJsonObject }, select: vnfSelect });
      await audit(tx, actor, "vnf.create", row.id, { name: data.name, vcpus: data.vcpus, threadPolicy: data.threadPolicy });
      return row;
    }, TX_OPTIONS);
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(data.name);
    throw e;
  }
}

export async function updateVnfRow(id: string, data: Partial<VnfData>, actor: AuditActor): Promise<VnfRow> {
  try {
    return await prisma().$transaction(async (tx) => {
      const found = await tx.vnf.findUnique({ where: { id }, select: { id: true } });
      if (!found) throw new DomainError("NOT_FOUND", "no such VNF");
      const { labels, ...rest } = data;
      const row = await tx.vnf.update({
        where: { id },
        data: { ...rest, ...(labels === undefined ? {} : { labels: labels as Prisma.InputJsonObject }) },
        select: vnfSelect,
      });
      await audit(tx, actor, "vnf.update", id, { changed: Object.keys(data).sort() });
      return row;
    }, TX_OPTIONS);
  } catch (e) {
    if (isUniqueViolation(e) && data.name !== undefined) throw nameTaken(data.name);
    throw e;
  }
}

/** Deletes a VNF; its placement and CPU assignments go with it (cascade), in the same transaction as the audit row. */
export async function deleteVnfRow(id: string, actor: AuditActor): Promise<{ name: string; freedCpus: number[]; hostId: string | null }> {
  return prisma().$transaction(async (tx) => {
    const row = await tx.vnf.findUnique({ where: { id }, select: { name: true, placement: { select: { hostId: true } }, cpuAssignments: { select: { cpu: true } } } });
    if (!row) throw new DomainError("NOT_FOUND", "no such VNF");
    await tx.vnf.delete({ where: { id } });
    const freedCpus = row.cpuAssignments.map((a) => a.cpu).sort((a, b) => a - b);
    const hostId = row.placement?.hostId ?? null;
    await audit(tx, actor, "vnf.delete", id, { name: row.name, freedCpus, hostId });
    return { name: row.name, freedCpus, hostId };
  }, TX_OPTIONS);
}
