import { createHash } from "node:crypto";
import { resolveProfile, type ProfileResolution } from "@/server/domain/compliance/assignment";
import { diffResults } from "@/server/domain/compliance/drift";
import { evaluateProfile } from "@/server/domain/compliance/evaluate";
import type { RuleConfig } from "@/server/domain/compliance/profile";
import { snapshotFromSections } from "@/server/domain/compliance/snapshot";
import type { Evaluation } from "@/server/domain/compliance/types";
import { findHostForEvaluation, saveResult, type DriftRow } from "@/server/repo/compliance-results";
import { labelAssignments } from "@/server/repo/profile-assignments";
import { findProfile, listProfileIds } from "@/server/repo/profiles";
import { listHostPlacements } from "@/server/repo/cpu-assignments";
import { vnfPlacementFacts } from "@/server/services/placement/vnf-placement-facts";

function inputHashOf(sections: { section: string; hash: string; ok: boolean }[], profile: { id: string; rules: RuleConfig[] }): string {
  const h = createHash("sha256");
  h.update(JSON.stringify({ s: [...sections].sort((a, b) => a.section.localeCompare(b.section)).map((s) => [s.section, s.hash, s.ok]), p: profile.id, r: profile.rules }));
  return h.digest("hex");
}

export type HostEvaluation = Evaluation & { hostId: string; resolution: ProfileResolution; evaluatedAt: Date; changed: boolean };

/**
 * Evaluate a host against its resolved profile and store the result. Called when something it depends on
 * changed (a report's sections, a profile edit or assignment) and by the start-up backfill. When a previous
 * result exists, every rule whose status changed is written as a "compliance" DriftEvent at `at` (so it lines
 * up with the snapshot change that caused it); a profile switch is one more event. Unchanged input → nothing written.
 */
export async function evaluateHost(opts: { hostId: string; at?: Date }): Promise<HostEvaluation> {
  const { hostId } = opts;
  const host = await findHostForEvaluation(hostId);
  const vnfPlacements = vnfPlacementFacts(await listHostPlacements(hostId));
  const snapshot = { ...snapshotFromSections(host.sections), vnfPlacements };
  const resolution = resolveProfile(
    // The snapshot knows best whether this is a VM; the Host column is a denormalised copy.
    { profileId: host.profileId, labels: host.labels, isVirtual: snapshot.topology?.isVirtual ?? host.isVirtual },
    await labelAssignments(host.labels),
    await listProfileIds(),
  );
  const profile = await findProfile(resolution.profileId);
  const inputHash = inputHashOf(
    [
      ...Object.entries(host.sections).map(([section, s]) => ({ section, hash: s.hash, ok: s.ok })),
      // placements are input too: placing or unassigning a VNF re-evaluates numa.vnf-locality
      { section: "vnf-placements", hash: JSON.stringify(vnfPlacements), ok: true },
    ],
    profile,
  );
  const at = opts.at ?? new Date();
  const prev = host.result;
  if (prev && prev.inputHash === inputHash) {
    const { inputHash: _hash, evaluatedAt, ...stored } = prev;
    return { ...stored, hostId, resolution, evaluatedAt, changed: false };
  }
  const evaluation = evaluateProfile(snapshot, profile);
  const drift: DriftRow[] = [];
  if (prev) {
    if (prev.profileId !== evaluation.profileId) {
      drift.push({ hostId, at, kind: "compliance", section: "profile", key: "profileId", oldValue: prev.profileId, newValue: evaluation.profileId });
    }
    for (const c of diffResults(prev.findings, evaluation.findings)) {
      drift.push({ hostId, at, kind: "compliance", section: c.section, key: c.ruleId, ruleId: c.ruleId, oldStatus: c.oldStatus, newStatus: c.newStatus });
    }
  }
  await saveResult(hostId, evaluation, at, inputHash, drift);
  return { ...evaluation, hostId, resolution, evaluatedAt: at, changed: true };
}

/** Re-evaluate each host in turn (after a profile edit or assignment). */
export async function reevaluateHosts(opts: { hostIds: readonly string[] }): Promise<void> {
  for (const hostId of opts.hostIds) await evaluateHost({ hostId });
}
