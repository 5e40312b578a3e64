import { GUEST_PROFILE_ID, HOST_PROFILE_ID } from "@/server/domain/compliance/builtin-profiles";

/** How a host got its profile: shown next to the profile name. */
export type ProfileResolution = {
  profileId: string;
  via: "host" | "label" | "default";
  /** the label that selected the profile (via = "label") */
  label: string | null;
  /** human text, e.g. "label rt-lab", "default for a virtual machine" */
  reason: string;
};

/**
 * Which profile applies to a host. Precedence: an explicit host assignment, then a label assignment
 * (when several of the host's labels are assigned, the alphabetically first label wins, so the choice is
 * stable), then the built-in default: kvm4nfv-guest for a virtual machine, kvm4nfv-host otherwise
 * (also when virtualisation is unknown).
 */
export function resolveProfile(
  host: { profileId: string | null; labels: readonly string[]; isVirtual: boolean | null },
  labelAssignments: ReadonlyMap<string, string>,
  existingProfileIds?: ReadonlySet<string>,
): ProfileResolution {
  const exists = (id: string) => !existingProfileIds || existingProfileIds.has(id);
  if (host.profileId && exists(host.profileId)) {
    return { profileId: host.profileId, via: "host", label: null, reason: "assigned to this host" };
  }
  for (const label of [...host.labels].sort()) {
    const id = labelAssignments.get(label);
    if (id && exists(id)) return { profileId: id, via: "label", label, reason: `label ${label}` };
  }
  return host.isVirtual
    ? { profileId: GUEST_PROFILE_ID, via: "default", label: null, reason: "default for a virtual machine" }
    : { profileId: HOST_PROFILE_ID, via: "default", label: null, reason: "default for a physical host" };
}
