import type { SectionName } from "@/server/contract/report";
import { diffSection } from "@/server/domain/compliance/drift";
import { DomainError } from "@/server/errors";
import type { DriftRow, KnownSection } from "@/server/repo/compliance-results";
import { insertDriftEvents, lastTwoSectionVersionsMany } from "@/server/repo/drift-events";
import { evaluateHost, evaluateHosts, type HostEvaluation } from "@/server/services/compliance/evaluate-host";

export type SnapshotChange = {
  hostId: string;
  changed: readonly SectionName[];
  /** from the writer: changed sections stored for the first time at `changedAt` (no earlier version to diff, no read needed) */
  firstVersions?: { sections: readonly SectionName[]; changedAt: Date };
  /** the report's own validated sections with their verified hashes: evaluated from this copy while still the stored version */
  known?: Partial<Record<SectionName, KnownSection>>;
};

/**
 * After a report changed sections: write key-level snapshot drift for each changed section (against the
 * section's previous version; the first version of a section is not drift), then re-evaluate. The drift is
 * written in the same statement as the result (or alone when the evaluation fails).
 */
export async function recordSnapshotChange(opts: SnapshotChange): Promise<HostEvaluation> {
  const { ats, drift } = await snapshotDrift([opts]);
  return evaluateAlone({ hostId: opts.hostId, at: ats.get(opts.hostId), known: opts.known, drift: drift.get(opts.hostId) ?? [] });
}

/** One host's evaluation with its snapshot drift; when the evaluation fails, the drift is still written. */
async function evaluateAlone(h: { hostId: string; at?: Date; known?: SnapshotChange["known"]; drift: readonly DriftRow[] }): Promise<HostEvaluation> {
  try {
    return await evaluateHost(h);
  } catch (err) {
    await insertDriftEvents(h.drift).catch((e: unknown) => logFailure(h.hostId, e));
    throw err;
  }
}

/**
 * Snapshot drift for many reports (at most one per host) in one read; returns each host's drift rows and the
 * instant its evaluation is to be stamped with: one instant for the whole report, so the timeline shows
 * cause and effect on one line.
 */
async function snapshotDrift(changes: readonly SnapshotChange[]): Promise<{ ats: Map<string, Date | undefined>; drift: Map<string, DriftRow[]> }> {
  const pairs: { hostId: string; section: SectionName }[] = [];
  for (const c of changes) {
    const first = new Set(c.firstVersions?.sections ?? []);
    for (const section of c.changed) if (!(c.firstVersions && first.has(section))) pairs.push({ hostId: c.hostId, section });
  }
  const versions = await lastTwoSectionVersionsMany(pairs);
  const ats = new Map<string, Date | undefined>();
  const drift = new Map<string, DriftRow[]>();
  for (const c of changes) {
    let at: Date | undefined;
    const hostDrift: DriftRow[] = [];
    const first = new Set(c.firstVersions?.sections ?? []);
    for (const section of c.changed) {
      if (c.firstVersions && first.has(section)) {
        if (!at || c.firstVersions.changedAt > at) at = c.firstVersions.changedAt;
        continue;
      }
      const [cur, prev] = versions.get(`${c.hostId}\u0000${section}`) ?? [];
      if (!cur) continue;
      if (!at || cur.changedAt > at) at = cur.changedAt;
      if (!prev) continue;
      for (const d of diffSection(section, prev.data, cur.data)) {
        hostDrift.push({ hostId: c.hostId, at: cur.changedAt, kind: "snapshot", section, key: d.key, oldValue: d.oldValue, newValue: d.newValue });
      }
    }
    if (at) for (const d of hostDrift) d.at = at;
    drift.set(c.hostId, hostDrift);
    ats.set(c.hostId, at);
  }
  return { ats, drift };
}

/**
 * recordSnapshotChange for many reports of distinct hosts: one read for the drift, then the evaluation's
 * reads and ONE statement for every result and drift row of the batch.
 */
async function recordSnapshotChanges(changes: readonly SnapshotChange[]): Promise<void> {
  const { ats, drift } = await snapshotDrift(changes);
  const hosts = changes.map((c) => ({ hostId: c.hostId, at: ats.get(c.hostId), known: c.known, drift: drift.get(c.hostId) ?? [] }));
  try {
    await evaluateHosts({ hosts });
  } catch {
    // one host's evaluation (or the shared write) broke the batch: nothing of it is stored, so each host is
    // evaluated alone with its drift, and only the guilty host is left for the next change or the start-up
    // backfill (its snapshot drift is still written)
    for (const h of hosts) await evaluateAlone(h).catch((err: unknown) => logFailure(h.hostId, err));
  }
}

type Pending = { change: SnapshotChange; resolve: () => void };

/**
 * Group commit for the compliance work after full reports: reports arriving while a batch is being written
 * wait for the next one, which then costs the same few statements whatever its size. One report per host per
 * batch (a host's second report waits for its first), so drift is diffed against the right versions.
 * Callers are answered once their host's work is stored; a failure is logged, never thrown (the report
 * itself is already stored, and the next change or the start-up backfill re-evaluates).
 */
class SnapshotChangeBatcher {
  private queue: Pending[] = [];
  private busyHosts = new Set<string>();
  private inFlight = 0;

  constructor(
    private readonly maxBatch = 64,
    private readonly maxInFlight = 2,
  ) {}

  submit(change: SnapshotChange): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ change, resolve });
      this.kick();
    });
  }

  private kick() {
    while (this.inFlight < this.maxInFlight) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        for (const p of batch) this.busyHosts.delete(p.change.hostId);
        this.kick();
      });
    }
  }

  /** The oldest pending change of each host not already being written, up to maxBatch. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.queue) {
      if (batch.length < this.maxBatch && !this.busyHosts.has(p.change.hostId)) {
        this.busyHosts.add(p.change.hostId);
        batch.push(p);
      } else rest.push(p);
    }
    this.queue = rest;
    return batch;
  }

  private async run(batch: Pending[]) {
    try {
      await recordSnapshotChanges(batch.map((p) => p.change));
    } catch (err) {
      if (batch.length === 1) logFailure(batch[0]!.change.hostId, err);
      // the shared drift read failed: nothing of the batch is stored, so each goes alone
      else for (const p of batch) await recordSnapshotChange(p.change).catch((e: unknown) => logFailure(p.change.hostId, e));
    } finally {
      for (const p of batch) p.resolve();
    }
  }
}

function logFailure(hostId: string, err: unknown) {
  if (err instanceof DomainError && err.code === "NOT_FOUND") return; // the host was deleted meanwhile
  console.error(`compliance: re-evaluating host ${hostId} failed:`, err instanceof Error ? err.message : err);
}

const batcher = new SnapshotChangeBatcher();

/**
 * The ingest path's hook after a stored report whose sections changed. A compliance failure must not fail
 * the agent's report (it is already stored): it is logged, and the next change (or start) re-evaluates.
 */
export async function afterSnapshotChange(
  hostId: string,
  changed: SectionName[],
  firstVersions?: { sections: readonly SectionName[]; changedAt: Date },
  known?: Partial<Record<SectionName, KnownSection>>,
): Promise<void> {
  await batcher.submit({ hostId, changed, firstVersions, known });
}
