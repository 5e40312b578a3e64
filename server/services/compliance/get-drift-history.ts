import type { DriftHistory } from "@/server/contract/api/compliance";
import { buildTimeline } from "@/server/domain/compliance/drift";
import { requireHost } from "@/server/repo/hosts";
import { listDriftEvents } from "@/server/repo/drift-events";
import { profileNames } from "@/server/repo/profiles";
import { listTuneChangeLatency } from "@/server/services/tuning/list-tune-change-latency";

/** A section change reported this long after a tuning job finished is that job's doing. */
const TUNING_REPORT_WINDOW_MS = 15 * 60_000;

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
  // Tuning changes tied to the drift they caused: the first section change reported after the job finished.
  const changes = await listTuneChangeLatency({ hostId, limit: 20 });
  const tied = new Map<number, (typeof changes)[number]>();
  const timeline = buildTimeline(rows);
  for (const c of changes) {
    const done = c.finishedAt.getTime();
    const first = timeline
      .filter((e) => e.at.getTime() >= done && e.at.getTime() <= done + TUNING_REPORT_WINDOW_MS && (byAt.get(e.at.getTime()) ?? []).some((r) => r.section !== "profile"))
      .sort((a, b) => a.at.getTime() - b.at.getTime())[0];
    if (first && !tied.has(first.at.getTime())) tied.set(first.at.getTime(), c);
  }
  const entries = timeline.map((e) => ({
    ...e,
    rows: (byAt.get(e.at.getTime()) ?? []).map((r) => ({ kind: r.kind, section: r.section, key: r.key, oldValue: r.oldValue, newValue: r.newValue, ruleId: r.ruleId, oldStatus: r.oldStatus, newStatus: r.newStatus })),
    tuning: tied.get(e.at.getTime()) ?? null,
  }));
  return { hostId, entries };
}
