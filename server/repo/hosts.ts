import { prisma } from "@/server/db";
import type { LatencyScheduleInput } from "@/server/contract/latency-schedule";
import { deriveHostStatus, type HostStatus } from "@/server/domain/hosts/status";
import type { FleetHost } from "@/server/domain/hosts/fleet";
import { sectionStatusesFromJson } from "@/server/domain/hosts/fleet-compliance";
import { sectionView, type SectionView } from "@/server/domain/hosts/section-view";
import { topologySection, type TopologySection } from "@/server/contract/sections/topology";
import { kernelSection, type KernelSection } from "@/server/contract/sections/kernel";
import { irqSection, type IrqSection } from "@/server/contract/sections/irq";
import { hugepagesSection, type HugepagesSection } from "@/server/contract/sections/hugepages";
import { powerSection, type PowerSection } from "@/server/contract/sections/power";
import { biosSection, type BiosSection } from "@/server/contract/sections/bios";
import { kvmSection, type KvmSection } from "@/server/contract/sections/kvm";
import { DomainError } from "@/server/errors";

/** The Host columns every host view shows (the denormalised summary, never the token hash). */
const HOST_SUMMARY_SELECT = {
  id: true,
  hostname: true,
  labels: true,
  agentVersion: true,
  lastSeenAt: true,
  heartbeatSeconds: true,
  cpuModel: true,
  cpuVendor: true,
  sockets: true,
  numaNodes: true,
  cpus: true,
  kernelRelease: true,
  isVirtual: true,
} as const;

/**
 * Every host for the fleet page over the denormalised Host columns (no section JSON), with its
 * stored compliance result's score, counts and per-section statuses (never the findings): Prisma
 * runs it as two queries (hosts, then their compliance results by host id), ~1,000 rows stay a
 * few hundred kB and a few ms.
 */
export async function listFleetHosts(now: Date = new Date()): Promise<FleetHost[]> {
  const rows = await prisma().host.findMany({
    select: {
      ...HOST_SUMMARY_SELECT,
      compliance: { select: { score: true, pass: true, fail: true, warn: true, na: true, sections: true } },
    },
    orderBy: [{ hostname: "asc" }, { id: "asc" }],
  });
  return rows.map(({ heartbeatSeconds, compliance, ...r }) => ({
    ...r,
    status: deriveHostStatus(r.lastSeenAt, now, heartbeatSeconds),
    compliance: compliance ? { ...compliance, sections: sectionStatusesFromJson(compliance.sections) } : null,
  }));
}

export type HostHeader = Omit<FleetHost, "compliance"> & { heartbeatSeconds: number; enrolledAt: Date };

export type HostOverview = {
  host: HostHeader;
  topology: SectionView<TopologySection>;
  kernel: SectionView<KernelSection>;
  irq: SectionView<IrqSection>;
  hugepages: SectionView<HugepagesSection>;
  power: SectionView<PowerSection>;
  bios: SectionView<BiosSection>;
  kvm: SectionView<KvmSection>;
};

const OVERVIEW_SECTIONS = ["topology", "kernel", "irq", "hugepages", "power", "bios", "kvm"] as const;

/**
 * One host's header and the latest topology, kernel, irq, hugepages, power, bios and kvm sections
 * (one query; only the columns the page needs, never the hash). NOT_FOUND if unknown.
 */
export async function getHostOverview(id: string, now: Date = new Date()): Promise<HostOverview> {
  const row = await prisma().host.findUnique({
    where: { id },
    select: {
      ...HOST_SUMMARY_SELECT,
      enrolledAt: true,
      sections: {
        where: { section: { in: [...OVERVIEW_SECTIONS] } },
        select: { section: true, ok: true, available: true, error: true, data: true, collectedAt: true },
      },
    },
  });
  if (!row) throw new DomainError("NOT_FOUND", "no such host");
  const { sections, ...host } = row;
  const bySection = new Map(sections.map((s) => [s.section, s]));
  const status: HostStatus = deriveHostStatus(host.lastSeenAt, now, host.heartbeatSeconds);
  return {
    host: { ...host, status },
    topology: sectionView(topologySection, bySection.get("topology")),
    kernel: sectionView(kernelSection, bySection.get("kernel")),
    irq: sectionView(irqSection, bySection.get("irq")),
    hugepages: sectionView(hugepagesSection, bySection.get("hugepages")),
    power: sectionView(powerSection, bySection.get("power")),
    bios: sectionView(biosSection, bySection.get("bios")),
    kvm: sectionView(kvmSection, bySection.get("kvm")),
  };
}

/** The agent's heartbeat interval (pushed back in every report's config); status thresholds scale with it. */
export async function setHostHeartbeatSeconds(hostId: string, heartbeatSeconds: number): Promise<void> {
  if (!Number.isInteger(heartbeatSeconds) || heartbeatSeconds < 1 || heartbeatSeconds > 86_400) {
    throw new DomainError("INVALID", "heartbeatSeconds must be an integer from 1 to 86400");
  }
  const updated = await prisma().host.updateMany({ where: { id: hostId }, data: { heartbeatSeconds } });
  if (updated.count === 0) throw new DomainError("NOT_FOUND", "no such host");
}

/** The host's id and hostname, or NOT_FOUND. */
export async function requireHost(hostId: string): Promise<{ id: string; hostname: string }> {
  const host = await prisma().host.findUnique({ where: { id: hostId }, select: { id: true, hostname: true } });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  return host;
}

/** id → hostname for the given hosts (missing ids are absent). */
export async function hostnames(hostIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await prisma().host.findMany({ where: { id: { in: [...hostIds] } }, select: { id: true, hostname: true } });
  return new Map(rows.map((h) => [h.id, h.hostname]));
}

/** What the agent is told in a report response, as stored: heartbeat period and schedule row (if any). */
export async function findAgentConfigRow(hostId: string): Promise<{ heartbeatSeconds: number; schedule: LatencyScheduleInput | null } | null> {
  const host = await prisma().host.findUnique({
    where: { id: hostId },
    select: {
      heartbeatSeconds: true,
      latencySchedule: { select: { enabled: true, cpus: true, durationS: true, intervalUs: true, priority: true, histogramSize: true, everyMinutes: true, load: true } },
    },
  });
  return host ? { heartbeatSeconds: host.heartbeatSeconds, schedule: host.latencySchedule } : null;
}

/** The host's latest `vms` section as stored (validated by the caller), or null when it has none. */
export async function findHostVmsSection(hostId: string): Promise<{ exists: boolean; data: unknown }> {
  const host = await prisma().host.findUnique({
    where: { id: hostId },
    select: { id: true, sections: { where: { section: "vms" }, select: { data: true, ok: true } } },
  });
  if (!host) return { exists: false, data: null };
  const section = host.sections[0];
  return { exists: true, data: section?.ok ? section.data : null };
}
