import type { SectionName } from "@/server/contract/report";
import { diffSection } from "@/server/domain/compliance/drift";
import type { DriftRow } from "@/server/repo/compliance-results";
import { insertDriftEvents, lastTwoSectionVersions } from "@/server/repo/drift-events";
import { evaluateHost, type HostEvaluation } from "@/server/services/compliance/evaluate-host";

/**
 * After a report changed sections: write key-level snapshot drift for each changed section (against the
 * section's previous version; the first version of a section is not drift), then re-evaluate.
 */
export async function recordSnapshotChange(opts: {
  hostId: string;
  changed: readonly SectionName[];
  /** from the writer: changed sections stored for the first time at `changedAt` (no earlier version to diff, no read needed) */
  firstVersions?: { sections: readonly SectionName[]; changedAt: Date };
}): Promise<HostEvaluation> {
  const { hostId } = opts;
  let at: Date | undefined;
  const drift: DriftRow[] = [];
  const first = new Set(opts.firstVersions?.sections ?? []);
  for (const section of opts.changed) {
    if (opts.firstVersions && first.has(section)) {
      if (!at || opts.firstVersions.changedAt > at) at = opts.firstVersions.changedAt;
      continue;
    }
    const [cur, prev] = await lastTwoSectionVersions(hostId, section);
    if (!cur) continue;
    if (!at || cur.changedAt > at) at = cur.changedAt;
    if (!prev) continue;
    for (const c of diffSection(section, prev.data, cur.data)) {
      drift.push({ hostId, at: cur.changedAt, kind: "snapshot", section, key: c.key, oldValue: c.oldValue, newValue: c.newValue });
    }
  }
  // One instant for the whole report, so the timeline shows cause and effect on one line.
  if (at) for (const d of drift) d.at = at;
  await insertDriftEvents(drift);
  return evaluateHost({ hostId, at });
}

/**
 * The ingest path's hook after a stored report whose sections changed. A compliance failure must not fail
 * the agent's report (it is already stored): it is logged, and the next change (or start) re-evaluates.
 */
export async function afterSnapshotChange(hostId: string, changed: SectionName[], firstVersions?: { sections: readonly SectionName[]; changedAt: Date }): Promise<void> {
  try {
    await recordSnapshotChange({ hostId, changed, firstVersions });
  } catch (err) {
    console.error(`compliance: re-evaluating host ${hostId} failed:`, err instanceof Error ? err.message : err);
  }
}
