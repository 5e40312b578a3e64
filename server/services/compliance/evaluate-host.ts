import { createHash } from "node:crypto";
import { resolveProfile, type ProfileResolution } from "@/server/domain/compliance/assignment";
import { diffResults } from "@/server/domain/compliance/drift";
import { evaluateProfile } from "@/server/domain/compliance/evaluate";
import type { RuleConfig } from "@/server/domain/compliance/profile";
import { snapshotFromSections } from "@/server/domain/compliance/snapshot";
import type { Evaluation, Finding } from "@/server/domain/compliance/types";
import type { SectionName } from "@/server/contract/report";
import { findHostsForEvaluation, saveResults, type DriftRow, type KnownSection, type ResultToSave } from "@/server/repo/compliance-results";
import { labelAssignmentsOf } from "@/server/repo/profile-assignments";
import { profilesForEvaluation } from "@/server/repo/profiles";
import { DomainError } from "@/server/errors";
import { vnfPlacementFacts } from "@/server/services/placement/vnf-placement-facts";

function inputHashOf(sections: { section: string; hash: string; ok: boolean }[], profile: { id: string; rules: RuleConfig[] }): string {
  const h = createHash("sha256");
  h.update(JSON.stringify({ s: [...sections].sort((a, b) => a.section.localeCompare(b.section)).map((s) => [s.section, s.hash, s.ok]), p: profile.id, r: profile.rules }));
  return h.digest("hex");
}

/**
 * A host's evaluation. `changed: false` (its input is what the stored result was computed from): nothing was
 * evaluated or written, and the stored findings are not read back (the host's compliance read shows them).
 */
export type HostEvaluation = Omit<Evaluation, "findings"> & { hostId: string; resolution: ProfileResolution; evaluatedAt: Date } & (
    | { changed: true; findings: Finding[] }
    | { changed: false }
  );

/**
 * Evaluate a host against its resolved profile and store the result. Called when something it depends on
 * changed (a report's sections, a profile edit or assignment) and by the start-up backfill. When a previous
 * result exists, every rule whose status changed is written as a "compliance" DriftEvent at `at` (so it lines
 * up with the snapshot change that caused it); a profile switch is one more event. Unchanged input → nothing written.
 * `drift`: rows the caller wants written with the result, in the same statement (a report's snapshot drift),
 * whether or not the result changed.
 */
export async function evaluateHost(opts: { hostId: string; at?: Date; known?: Partial<Record<SectionName, KnownSection>>; drift?: readonly DriftRow[] }): Promise<HostEvaluation> {
  const result = (await evaluateHosts({ hosts: [opts] })).get(opts.hostId);
  if (!result) throw new DomainError("NOT_FOUND", "no such host");
  return result;
}

/**
 * evaluateHost for many hosts at once, with the same result per host: every read is one query for the
 * whole batch and every changed result is written by one transaction, so evaluating N hosts costs a
 * handful of statements instead of ~8 per host (full reports after a lab-wide restart, profile edits).
 * A host id listed twice is evaluated once (its first `at`); hosts that do not exist are absent from the map.
 * `known`: sections the caller holds already validated (the report that just stored them); a stored section
 * with the same hash is then evaluated from that copy instead of being read back and parsed again.
 * `drift` (per host): rows written in the same statement as the results (see evaluateHost); a host that no
 * longer exists gets none of its rows written.
 */
export async function evaluateHosts(opts: {
  hosts: readonly { hostId: string; at?: Date; known?: Partial<Record<SectionName, KnownSection>>; drift?: readonly DriftRow[] }[];
}): Promise<Map<string, HostEvaluation>> {
  const wanted = new Map<string, Date | undefined>();
  const known = new Map<string, Partial<Record<SectionName, KnownSection>>>();
  const callerDrift = new Map<string, readonly DriftRow[]>();
  for (const h of opts.hosts) {
    if (wanted.has(h.hostId)) continue;
    wanted.set(h.hostId, h.at);
    if (h.known) known.set(h.hostId, h.known);
    if (h.drift && h.drift.length > 0) callerDrift.set(h.hostId, h.drift);
  }
  const ids = [...wanted.keys()];
  const [hosts, profiles] = await Promise.all([findHostsForEvaluation(ids, known), profilesForEvaluation()]);
  const assignments = await labelAssignmentsOf([...new Set([...hosts.values()].flatMap((h) => h.labels))]);

  const prepared = [...hosts.values()].map((host) => {
    const vnfPlacements = vnfPlacementFacts(host.placements);
    const snapshot = { ...snapshotFromSections(host.sections), vnfPlacements };
    const resolution = resolveProfile(
      // The snapshot knows best whether this is a VM; the Host column is a denormalised copy.
      { profileId: host.profileId, labels: host.labels, isVirtual: snapshot.topology?.isVirtual ?? host.isVirtual },
      assignments,
      profiles.ids,
    );
    return { host, vnfPlacements, snapshot, resolution };
  });

  const out = new Map<string, HostEvaluation>();
  const toSave: ResultToSave[] = [];
  const otherDrift: DriftRow[] = [];
  for (const { host, vnfPlacements, snapshot, resolution } of prepared) {
    const hostId = host.id;
    otherDrift.push(...(callerDrift.get(hostId) ?? []));
    const profile = profiles.get(resolution.profileId);
    if (!profile) throw new DomainError("NOT_FOUND", `no profile "${resolution.profileId}"`);
    const inputHash = inputHashOf(
      [
        ...Object.entries(host.sections).map(([section, s]) => ({ section, hash: s.hash, ok: s.ok })),
        // placements are input too: placing or unassigning a VNF re-evaluates numa.vnf-locality
        { section: "vnf-placements", hash: JSON.stringify(vnfPlacements), ok: true },
      ],
      profile,
    );
    const at = wanted.get(hostId) ?? new Date();
    const prev = host.result;
    if (prev && prev.inputHash === inputHash) {
      const { profileId, score, counts, sections, evaluatedAt } = prev;
      out.set(hostId, { profileId, score, counts, sections, hostId, resolution, evaluatedAt, changed: false });
      continue;
    }
    const evaluation = evaluateProfile(snapshot, profile);
    const drift: DriftRow[] = [];
    if (prev) {
      if (prev.profileId !== evaluation.profileId) {
        drift.push({ hostId, at, kind: "compliance", section: "profile", key: "profileId", oldValue: prev.profileId, newValue: evaluation.profileId });
      }
      for (const c of diffResults(prev.statuses, evaluation.findings)) {
        drift.push({ hostId, at, kind: "compliance", section: c.section, key: c.ruleId, ruleId: c.ruleId, oldStatus: c.oldStatus, newStatus: c.newStatus });
      }
    }
    toSave.push({ hostId, evaluation, at, inputHash, drift, previousFindingsHash: prev?.findingsHash });
    out.set(hostId, { ...evaluation, hostId, resolution, evaluatedAt: at, changed: true });
  }
  await saveResults(toSave, otherDrift);
  return out;
}

/** Re-evaluate hosts (after a profile edit or assignment), a bounded batch at a time. */
export async function reevaluateHosts(opts: { hostIds: readonly string[] }): Promise<void> {
  for (let i = 0; i < opts.hostIds.length; i += REEVALUATE_BATCH) {
    await evaluateHosts({ hosts: opts.hostIds.slice(i, i + REEVALUATE_BATCH).map((hostId) => ({ hostId })) });
  }
}

const REEVALUATE_BATCH = 200;
