import type { ProfileSummary } from "@/server/contract/api/compliance";
import { listProfilesWithUsage } from "@/server/repo/profiles";

/** Every profile, built-ins first, with how many hosts and labels use it. */
export async function listProfiles(): Promise<ProfileSummary[]> {
  const rows = await listProfilesWithUsage();
  return rows.map((m) => ({
    id: m.id,
    name: m.name,
    description: m.description,
    builtIn: m.builtIn,
    kind: m.kind,
    basedOnId: m.basedOnId,
    enabledRules: m.rules.filter((x) => x.enabled).length,
    totalRules: m.rules.length,
    hostCount: m.hostCount,
    labels: m.labels,
    updatedAt: m.updatedAt,
  }));
}
