import type { ProfileSummary } from "@/server/contract/api/compliance";
import { listProfilesWithUsage, type StoredProfile } from "@/server/repo/profiles";

/** The fields every view of a profile shows (profileBaseSchema). */
export function profileBaseOf(m: StoredProfile): Pick<ProfileSummary, "id" | "name" | "description" | "builtIn" | "kind" | "basedOnId"> {
  return { id: m.id, name: m.name, description: m.description, builtIn: m.builtIn, kind: m.kind, basedOnId: m.basedOnId };
}

/** Every profile, built-ins first, with how many hosts and labels use it. */
export async function listProfiles(): Promise<ProfileSummary[]> {
  const rows = await listProfilesWithUsage();
  return rows.map((m) => ({
    ...profileBaseOf(m),
    enabledRules: m.rules.filter((x) => x.enabled).length,
    totalRules: m.rules.length,
    hostCount: m.hostCount,
    labels: m.labels,
    updatedAt: m.updatedAt,
  }));
}
