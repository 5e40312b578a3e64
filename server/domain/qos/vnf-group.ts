/**
 * Agent-owned per-VNF resctrl groups (agent/resctrl-groups) are named `nfvdeck-<vnf>`, under mon_groups/
 * or inside the VNF's control group of the same name. Pure.
 */
export const VNF_GROUP_PREFIX = "nfvdeck-";

/** "mon_groups/nfvdeck-fw" or "nfvdeck-fw/mon_groups/nfvdeck-fw" or the class "nfvdeck-fw" → "fw"; else null. */
export function vnfOfGroup(path: string): string | null {
  const last = path.split("/").at(-1) ?? "";
  return last.startsWith(VNF_GROUP_PREFIX) && last.length > VNF_GROUP_PREFIX.length ? last.slice(VNF_GROUP_PREFIX.length) : null;
}

/** "fw" (with or without a class of its own) → the group paths the agent may use for it. */
export function vnfGroupPaths(vnf: string): string[] {
  const name = `${VNF_GROUP_PREFIX}${vnf}`;
  return [`mon_groups/${name}`, `${name}/mon_groups/${name}`];
}

/** A group path for display: the VNF's name when it is one of ours, else the path. */
export function groupDisplayName(path: string): string {
  const vnf = vnfOfGroup(path);
  return vnf === null ? path : `VNF ${vnf}`;
}

/** The VNFs the agent monitors in each class of service ("/" = default), from the resctrl section's vnfGroups. */
export function vnfsByClass(vnfGroups: ReadonlyArray<{ vnf: string; path: string | null; status: string }> | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of vnfGroups ?? []) {
    if (g.path === null) continue;
    const i = g.path.indexOf("/mon_groups/");
    const cls = g.path.startsWith("mon_groups/") ? "/" : i > 0 ? g.path.slice(0, i) : g.path;
    out.set(cls, [...(out.get(cls) ?? []), g.vnf].sort());
  }
  return out;
}
