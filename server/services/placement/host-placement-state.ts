import { snapshotFromSections, type StoredSection } from "@/server/domain/compliance/snapshot";
import { hostPlacementSnapshot } from "@/server/domain/placement/host-snapshot";
import {
  hugepageBudgets,
  reportSectionsFromSnapshot,
  runningVmNames,
  snapshotForAllocation,
  type AssignmentRow,
  type PlacementRow,
} from "@/server/domain/vnf-pinning/host-placement-state";
import { SECTION_NAMES, type SectionName } from "@/server/contract/report";
import { DomainError } from "@/server/errors";
import { findHostPlacementInputs } from "@/server/repo/cpu-assignments";

/** One host as placement sees it, loaded from its latest stored report sections and its assignments. */
export async function loadHostPlacementState(hostId: string) {
  const host = await findHostPlacementInputs(hostId);
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  const stored: Partial<Record<SectionName, StoredSection>> = {};
  for (const s of host.sections) if ((SECTION_NAMES as readonly string[]).includes(s.section)) stored[s.section as SectionName] = s;
  const sections = snapshotFromSections(stored);
  const snapshot = hostPlacementSnapshot(reportSectionsFromSnapshot(sections), host.hostname);
  const assignments: AssignmentRow[] = host.cpuAssignments.map((a) => ({ cpu: a.cpu, role: a.role, vcpu: a.vcpu, vnfId: a.vnfId, vnfName: a.vnf.name }));
  const placements: PlacementRow[] = host.vnfPlacements.map((p) => ({
    vnfId: p.vnfId,
    vnfName: p.vnf.name,
    emulatorThreads: p.vnf.emulatorThreads,
    numaNode: p.numaNode,
    pageSize: p.pageSize,
    pages: p.pages,
    emulatorCpus: p.emulatorCpus,
  }));
  const budgets = hugepageBudgets(snapshot, placements, runningVmNames(sections.vms));
  const dates = host.sections.filter((s) => s.section === "topology" || s.section === "kernel").map((s) => s.collectedAt.getTime());
  return {
    hostId: host.id,
    hostname: host.hostname,
    reportedAt: dates.length > 0 ? new Date(Math.max(...dates)) : null,
    sections,
    snapshot,
    allocationSnapshot: snapshotForAllocation(snapshot, budgets),
    budgets,
    assignments,
    placements,
  };
}
export type HostPlacementState = Awaited<ReturnType<typeof loadHostPlacementState>>;
