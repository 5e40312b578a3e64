import { resolveProfile, type ProfileResolution } from "@/server/domain/compliance/assignment";
import { effectiveSlo, type SloTargets } from "@/server/domain/latency/slo";
import { hostProfileInputs, labelAssignments } from "@/server/repo/profile-assignments";
import { listProfileSlos } from "@/server/repo/profiles";

export interface HostProfile {
  hostname: string;
  resolution: ProfileResolution;
  /** the resolved profile's latency SLO (the default targets when the profile has none or is missing) */
  targets: SloTargets;
}

/**
 * Per host, ordered by hostname: its resolved profile (the one resolveProfile rule: host → label → the
 * built-in default for a VM or a physical host) and that profile's SLO. Three queries for any number of
 * hosts; `hostIds` null = every host.
 */
export async function resolveHostProfiles(opts: { hostIds: readonly string[] | null }): Promise<Map<string, HostProfile>> {
  const [hosts, labels, slos] = await Promise.all([hostProfileInputs(opts.hostIds), labelAssignments(), listProfileSlos()]);
  const ids = new Set(slos.keys());
  return new Map(
    hosts.map((h) => {
      const resolution = resolveProfile(h, labels, ids);
      return [h.id, { hostname: h.hostname, resolution, targets: effectiveSlo(slos.get(resolution.profileId) ?? null) }];
    }),
  );
}
