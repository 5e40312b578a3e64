/**
 * What the agent's per-VNF monitoring groups (agent/resctrl-groups) add to a resctrl section, for
 * simulated hosts and the e2e seed (pure): a `nfvdeck-<vnf>` monitoring group under the root's
 * mon_groups/ or inside the VNF's class, with the root group's L3 domains, and its vnfGroups entry.
 */
import { sectionHash } from "@/server/contract/canonical";
import type { ReportSections } from "@/server/contract/report";
import { resctrlSection, type ResctrlSection } from "@/server/contract/sections/resctrl";
import { VNF_GROUP_PREFIX } from "@/server/domain/qos/vnf-group";
import type { NoisyEpisode } from "@/agent/simulate/qos";

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

/** The demo's unplaced VNF (server/services/placement/seed-demo-vnfs.ts): on the RDT host it is found by its group's name. */
export const DEMO_NOISY_VNF = "dpi-bj-01";

/**
 * The demo's RDT host: the agent monitors the DPI VNF in the default class, and three hours before `now`
 * it streams through L3 domain 0 for five minutes while the rt-vnf class's group loses its lines.
 */
export function demoNoisyNeighbour(sections: ReportSections, now: Date): {
  sections: ReportSections;
  episodes: NoisyEpisode[];
  dense: Array<{ fromMs: number; toMs: number; everySeconds: number }>;
} {
  const vnf: SimulatedVnfGroup = { vnf: DEMO_NOISY_VNF, tasks: 11 };
  const out = sectionsWithVnfGroups(sections, [vnf]);
  const parsed = resctrlSection.safeParse(out.resctrl?.data);
  const victim = parsed.success ? (parsed.data.monGroups.find((m) => m.path.startsWith("rt-vnf/mon_groups/")) ?? parsed.data.monGroups.find((m) => m.path === "rt-vnf")) : undefined;
  if (!victim || out === sections) return { sections, episodes: [], dense: [] };
  const fromMs = Math.floor((now.getTime() - 3 * 3_600_000) / 60_000) * 60_000;
  return {
    sections: out,
    episodes: [{ aggressor: simulatedVnfGroupPath(vnf), victim: victim.path, domain: "mon_L3_00", fromMs, toMs: fromMs + 300_000 }],
    dense: [{ fromMs: fromMs - 600_000, toMs: fromMs + 600_000, everySeconds: 15 }],
  };
}
