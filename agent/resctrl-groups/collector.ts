/**
 * The `resctrl` section collector for `run`: first brings the agent's per-VNF monitoring groups up to
 * date (agent/resctrl-groups/vnf-groups.ts), then reads the tree, so the section lists the groups and
 * the QoS samples of the same heartbeat carry their counters.
 */
import { WritableHostFs } from "@/agent/hostfs";
import type { SectionCollector } from "@/agent/collectors/registry";
import { SECTION_COLLECTORS } from "@/agent/collectors/registry";
import { read as readResctrl } from "@/agent/collectors/resctrl";
import { read as readVms } from "@/agent/collectors/vms";
import type { ResctrlVnfGroup } from "@/server/contract/sections/resctrl";
import { flockResctrl } from "@/agent/resctrl-groups/lock";
import { VnfGroupSync, kernelOps } from "@/agent/resctrl-groups/vnf-groups";

export function resctrlWithVnfGroups(sync: VnfGroupSync): SectionCollector {
  return {
    name: "resctrl",
    async read(fs) {
      // a failed sync (lock not taken, tree unreadable) must not cost the section: it becomes a warning
      let vnfGroups: ResctrlVnfGroup[] | null = null;
      let problem: string | null = null;
      try {
        vnfGroups = await sync.sync(await readVms(fs));
      } catch (err) {
        problem = `per-VNF monitoring groups: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
      }
      const section = await readResctrl(fs);
      if (section === null) return null;
      return { ...section, vnfGroups: vnfGroups ?? [], warnings: problem === null ? section.warnings : [...section.warnings.slice(0, 50), problem] };
    },
  };
}

/** SECTION_COLLECTORS with resctrl replaced by the group-keeping one, rooted at `root`. */
export function collectorsWithVnfGroups(root: string): readonly SectionCollector[] {
  const fs = new WritableHostFs(root);
  const sync = new VnfGroupSync({ fs, ops: kernelOps(fs), lock: flockResctrl(fs.resolve("sys/fs/resctrl")) });
  return SECTION_COLLECTORS.map((c) => (c.name === "resctrl" ? resctrlWithVnfGroups(sync) : c));
}
