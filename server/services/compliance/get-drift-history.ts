import type { DriftHistory } from "@/server/contract/api/compliance";
import { buildTimeline } from "@/server/domain/compliance/drift";
import { requireHost } from "@/server/repo/hosts";
import { listDriftEvents } from "@/server/repo/drift-events";
import { profileNames } from "@/server/repo/profiles";

/** The host's drift timeline, newest first (at most `limit` raw rows are read). */
export async function getDriftHistory(opts: { hostId: string; limit: number; before?: Date }): Promise<DriftHistory> {
  const { hostId } = opts;
  await requireHost(hostId);
  const rows = await listDriftEvents(hostId, opts);
  // Profile switches read better by name than by id ("custom-…").
  const profileIds = [...new Set(rows.filter((r) => r.section === "profile").flatMap((r) => [r.oldValue, r.newValue]).filter((v): v is string => v !== null))];
  const names = await profileNames(profileIds);
  for (const r of rows) {
    if (r.section !== "profile") continue;
    r.oldValue = r.oldValue === null ? null : (names.get(r.oldValue) ?? r.oldValue);
    r.newValue = r.newValue === null ? null : (names.get(r.newValue) ?? r.newValue);
  }
  const byAt = new Map<number, typeof rows>();
  for (const r of rows) byAt.set(r.at.getTime(), [...(byAt.get(r.at.getTime()) ?? []), r]);
  const entries = buildTimeline(rows).map((e) => ({
    ...e,
    rows: (byAt.get(e.at.getTime()) ?? []).map((r) => ({ kind: r.kind, section: r.section, key: r.key, oldValue: r.oldValue, newValue: r.newValue, ruleId: r.ruleId, oldStatus: r.oldStatus, newStatus: r.newStatus })),
  }));
  return { hostId, entries };
}
