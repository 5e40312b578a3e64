/**
 * What the agent's per-VNF monitoring groups (agent/resctrl-groups) add to a resctrl section, for
 * simulated hosts and the e2e seed (pure): a `nfvdeck-<vnf>` monitoring group under the root's
 * mon_groups/ or inside the VNF's class, with the root group's L3 domains, and its vnfGroups entry.
 */
import { sectionHash } from "@/server/contract/canonical";
import type { ReportSections } from "@/server/contract/report";
import { resctrlSection, type ResctrlSection } from "@/server/contract/sections/resctrl";
import { VNF_GROUP_PREFIX } from "@/server/domain/qos/vnf-group";

export interface SimulatedVnfGroup {
  vnf: string;
  /** its class of service (a control group in the section); absent = the default class */
  vnfClass?: string;
  tasks: number;
}

/** The monitoring group path the agent would use. */
export function simulatedVnfGroupPath(g: SimulatedVnfGroup): string {
  const name = `${VNF_GROUP_PREFIX}${g.vnf}`;
  return g.vnfClass ? `${g.vnfClass}/mon_groups/${name}` : `mon_groups/${name}`;
}

/** The section with the VNFs' groups added; a class that is not in the section puts the VNF in the default class. */
export function withVnfGroups(section: ResctrlSection, vnfs: readonly SimulatedVnfGroup[]): ResctrlSection {
  const root = section.monGroups.find((m) => m.path === "/");
  if (!root) return section;
  const classes = new Set(section.controlGroups.map((c) => c.path));
  const groups = vnfs.map((v) => ({ ...v, vnfClass: v.vnfClass && classes.has(v.vnfClass) ? v.vnfClass : undefined }));
  return {
    ...section,
    monGroups: [
      ...section.monGroups,
      ...groups.map((g) => ({
        path: simulatedVnfGroupPath(g),
        controlGroup: g.vnfClass ?? "/",
        cpusList: "",
        taskCount: g.tasks,
        domains: root.domains.map((d) => ({ ...d, llcOccupancy: "ok" as const, mbmTotalBytes: "ok" as const, mbmLocalBytes: "ok" as const })),
      })),
    ],
    vnfGroups: [...(section.vnfGroups ?? []), ...groups.map((g) => ({ vnf: g.vnf, path: simulatedVnfGroupPath(g), status: "monitored" as const, message: null, taskCount: g.tasks }))],
  };
}

/** A report's sections with the VNFs' groups in the resctrl section (its content hash recomputed); unchanged without resctrl. */
export function sectionsWithVnfGroups(sections: ReportSections, vnfs: readonly SimulatedVnfGroup[]): ReportSections {
  const env = sections.resctrl;
  const parsed = env?.data ? resctrlSection.safeParse(env.data) : null;
  if (!env || !parsed?.success) return sections;
  const data = withVnfGroups(parsed.data, vnfs);
  return { ...sections, resctrl: { ...env, data, hash: sectionHash("resctrl", data) } };
}
