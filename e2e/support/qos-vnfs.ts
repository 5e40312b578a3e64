/**
 * The e2e lab's per-VNF Cache QoS (issue 13): on the RDT host, two VNFs the agent monitors in groups of
 * its own (a DPI in the default class, an RT VNF in the rt-vnf class), and one noisy-neighbour episode
 * (the DPI streams for 5 min two hours ago; the RT VNF loses L3 occupancy on domain 0). The VNFs are
 * defined but not placed (the placement spec places on this host); the agent's group names link them.
 */
import type { LocalReport } from "@/agent/report/collect";
import { qosGroupsFromResctrl, simulateQosSamples, type NoisyEpisode } from "@/agent/simulate/qos";
import { sectionsWithVnfGroups, simulatedVnfGroupPath, type SimulatedVnfGroup } from "@/agent/simulate/vnf-groups";
import type { QosSample } from "@/server/contract/sections/qos";
import { insertVnf } from "@/server/repo/vnfs";

export const QOS_VNF_HOST = "pod1-node03-ht";
export const QOS_NOISY_VNF = "qos-dpi-01";
export const QOS_VICTIM_VNF = "qos-rt-01";
const VNF_GROUPS: SimulatedVnfGroup[] = [
  { vnf: QOS_NOISY_VNF, tasks: 9 },
  { vnf: QOS_VICTIM_VNF, vnfClass: "rt-vnf", tasks: 5 },
];
/** the episode starts this long before the seed's `now` and lasts 5 min */
export const QOS_EPISODE_AGO_MS = 2 * 3_600_000;

/** The report with the agent's VNF monitoring groups added to its resctrl section. */
export function withQosVnfs(local: LocalReport): LocalReport {
  return { ...local, sections: sectionsWithVnfGroups(local.sections, VNF_GROUPS) };
}

/** Six hours every 10 min, plus every 15 s for 20 min around the episode (≤ 2,000 samples: one report). */
export function qosVnfSamples(hostname: string, local: LocalReport, now: Date): QosSample[] {
  const groups = qosGroupsFromResctrl(local.sections.resctrl?.data);
  const fromMs = Math.floor((now.getTime() - QOS_EPISODE_AGO_MS) / 60_000) * 60_000;
  const episode: NoisyEpisode = { aggressor: simulatedVnfGroupPath(VNF_GROUPS[0]!), victim: simulatedVnfGroupPath(VNF_GROUPS[1]!), domain: "mon_L3_00", fromMs, toMs: fromMs + 300_000 };
  return simulateQosSamples({
    groups,
    seed: hostname,
    from: new Date(now.getTime() - 6 * 3_600_000),
    samples: 36,
    everySeconds: 600,
    episodes: [episode],
    dense: { fromMs: fromMs - 600_000, toMs: fromMs + 600_000, everySeconds: 15 },
  });
}

export async function seedQosVnfs(): Promise<void> {
  const base = { vcpus: 2, memoryMib: 2048, pageSize: "1G" as const, numaNode: null, threadPolicy: "prefer" as const, emulatorThreads: "share" as const, owner: "netops@nfvdeck.local", labels: {} };
  await insertVnf({ ...base, name: QOS_NOISY_VNF, description: "deep packet inspection (streams through the L3)", cacheWays: null }, "system");
  await insertVnf({ ...base, name: QOS_VICTIM_VNF, description: "real-time VNF in class rt-vnf", cacheWays: 2 }, "system");
}
