import type { HostCompliance } from "@/server/contract/api/compliance";
import { resolveProfile } from "@/server/domain/compliance/assignment";
import { summaryLine } from "@/server/domain/compliance/evaluate";
import { findHostComplianceRow } from "@/server/repo/compliance-results";
import { labelAssignments } from "@/server/repo/profile-assignments";
import { listProfileIds, profileNames } from "@/server/repo/profiles";

/**
 * A host's stored result and how its profile is resolved now. A read: it never evaluates (results are
 * written when a report, profile or assignment changes, and by the start-up backfill).
 */
export async function getHostCompliance(opts: { hostId: string }): Promise<HostCompliance> {
  const host = await findHostComplianceRow(opts.hostId);
  const resolution = resolveProfile(host, await labelAssignments(host.labels), await listProfileIds());
  const names = await profileNames([resolution.profileId]);
  const r = host.result;
  return {
    hostId: opts.hostId,
    hostname: host.hostname,
    resolution,
    profileName: names.get(resolution.profileId) ?? resolution.profileId,
    result: r
      ? { profileId: r.profileId, evaluatedAt: r.evaluatedAt, score: r.score, counts: r.counts, summary: summaryLine(r), sections: r.sections, findings: r.findings }
      : null,
  };
}
