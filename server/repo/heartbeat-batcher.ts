import { pgPool } from "@/server/db";
import { textProblem } from "@/server/contract/common";
import { DomainError } from "@/server/errors";
import { isDatabaseUnavailable, isForeignKeyViolation } from "@/server/repo/db-errors";
import { DEFAULT_SCHEDULE, type LatencyScheduleInput } from "@/server/contract/latency-schedule";

export type HeartbeatRow = {
  hostId: string;
  idempotencyKey: string;
  sequence: number;
  collectedAt: Date;
  agentVersion: string;
  hostname: string;
  /** the agent's loss counters from this heartbeat (null = not reported; the stored value stays) */
  spoolDropped?: number | null;
  rejected?: number | null;
  setAside?: number | null;
};

export type HeartbeatOutcome = { duplicate: boolean; config: HeartbeatConfigRow | null };
type Pending = { row: HeartbeatRow; resolve: (outcome: HeartbeatOutcome) => void; reject: (e: unknown) => void };

/**
 * Group commit for heartbeat-only reports (no sections, runs or samples): the common case, 20,000
 * hosts every 10 s. Reports arriving within a short window are written by one UPDATE of their hosts'
 * rows, and each caller is answered only after that commit, so a 200 still means stored.
 *
 * A heartbeat writes no report-log row (server/repo/report-log.ts): it is deduplicated by its host's
 * sequence alone. The agent's sequence is monotonic per host and its spool resends in order, so a
 * heartbeat is new exactly when its sequence is above Host.lastSequence; one at or below it (a resend,
 * or a report long superseded) is answered as a duplicate and stores nothing. Hence a batch holds at most
 * one report per host, and a host's next report waits until the batch holding its previous one has
 * committed: reports of one host are judged in the order they arrived.
 */
export class HeartbeatBatcher {
  private queue: Pending[] = [];
  /** hosts with a report in a batch being written */
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly maxBatch = 500,
    /** how long the first report of a batch waits for others (bigger batches, fewer round trips) */
    private readonly maxWaitMs = Number(process.env.NFVDECK_HEARTBEAT_BATCH_WAIT_MS ?? 2),
    /** batches written concurrently: others fill while these commit, which keeps the pool busy */
    private readonly maxInFlight = Number(process.env.NFVDECK_HEARTBEAT_BATCHES_IN_FLIGHT ?? 2),
  ) {}

  /**
   * Resolves once stored; `duplicate` when this host's sequence was already stored (a resend).
   * A row that could fail a shared statement is refused here, before it joins a batch.
   */
  submit(row: HeartbeatRow): Promise<HeartbeatOutcome> {
    const problem = heartbeatRowProblem(row);
    if (problem) return Promise.reject(new DomainError("INVALID", problem));
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.kick();
    });
  }

  /** A full batch goes at once; otherwise the first report waits up to maxWaitMs for company. */
  private kick() {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    if (this.queue.length >= this.maxBatch) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.maxWaitMs);
  }

  /** The next batch: queued reports in arrival order, one per host, none of a host still being written. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const busy = this.busy;
    let kept = 0;
    const queue = this.queue;
    for (let i = 0; i < queue.length; i++) {
      const p = queue[i] as Pending;
      if (batch.length < this.maxBatch && !busy.has(p.row.hostId)) {
        busy.add(p.row.hostId);
        batch.push(p);
      } else {
        queue[kept++] = p;
      }
    }
    queue.length = kept;
    return batch;
  }

  private async flush() {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const batch = this.take();
    // every queued report's host is being written: the batch that ends first kicks again
    if (batch.length === 0) return;
    this.inFlight++;
    try {
      await writeAndAnswer(batch);
    } catch (e) {
      if (batch.length === 1 || isDatabaseUnavailable(e)) {
        for (const p of batch) p.reject(singleRowError(e));
      } else {
        // One row broke the shared statement: write each row alone, so only the guilty one fails and
        // every other host's heartbeat is still stored.
        await Promise.all(batch.map((p) => writeAndAnswer([p]).catch((err: unknown) => p.reject(singleRowError(err)))));
      }
    } finally {
      for (const p of batch) this.busy.delete(p.row.hostId);
      this.inFlight--;
      this.kick();
    }
  }
}

/** A row's own failure, as the caller should see it: its host gone is "not found", not a crash. */
function singleRowError(e: unknown): unknown {
  return isForeignKeyViolation(e) ? new DomainError("NOT_FOUND", "host not found") : e;
}

/** Writes rows (one per host) in one statement and answers each caller; throws (answering none) when the statement fails. */
async function writeAndAnswer(batch: Pending[]): Promise<void> {
  const { fresh, configs } = await withDeadlockRetry(() => writeHeartbeats(batch));
  for (const p of batch) {
    const config = configs.get(p.row.hostId);
    // no row to update or read: the host was deleted (its token still cached in some process)
    if (config) p.resolve({ duplicate: !fresh.has(p.row.hostId), config });
    else p.reject(new DomainError("NOT_FOUND", "host not found"));
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// PostgreSQL timestamptz holds 4713 BC … 294276 AD; the contract is far stricter, this is the floor.
const MIN_TIMESTAMP_MS = Date.UTC(1900, 0, 1);
const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31);

/**
 * What would make the batch statement itself fail for this row, named by field (the contract
 * already refuses all of it; this keeps one caller's mistake from ever reaching a shared statement).
 */
export function heartbeatRowProblem(row: HeartbeatRow): string | null {
  if (!UUID.test(row.hostId)) return "hostId: not a uuid";
  if (!Number.isSafeInteger(row.sequence) || row.sequence < 0) return "sequence: not a non-negative safe integer";
  const at = row.collectedAt.getTime();
  if (!Number.isFinite(at) || at < MIN_TIMESTAMP_MS || at > MAX_TIMESTAMP_MS) return "collectedAt: out of range";
  for (const field of ["spoolDropped", "rejected", "setAside"] as const) {
    const v = row[field];
    if (v !== undefined && v !== null && (!Number.isSafeInteger(v) || v < 0)) return `heartbeat.${field}: not a non-negative safe integer`;
  }
  for (const field of ["idempotencyKey", "agentVersion", "hostname"] as const) {
    const problem = textProblem(row[field]);
    if (problem) return `${field}: ${problem}`;
  }
  return null;
}

/**
 * Two batches that share hosts (in two processes) can still deadlock: the UPDATE … FROM join visits
 * Host rows in the order the plan chooses, not the sorted order. The statement is atomic and idempotent
 * (the sequence guard), so PostgreSQL's deadlock victim is simply run again.
 */
async function withDeadlockRetry<T>(write: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await write();
    } catch (e) {
      if (i >= attempts || !/deadlock detected|40P01/.test(String(e instanceof Error ? e.message : e))) throw e;
      await new Promise((r) => setTimeout(r, 5 * i * Math.random()));
    }
  }
}

export type HeartbeatConfigRow = {
  heartbeatSeconds: number;
  schedule: LatencyScheduleInput | null;
};

/** The agent's latency-schedule config columns, as the ingest statements return them. */
export type AgentConfigRow = {
  hb: number | null;
  enabled: boolean | null;
  cpus: string | null;
  durationS: number | null;
  intervalUs: number | null;
  priority: number | null;
  histogramSize: number | null;
  everyMinutes: number | null;
  load: string | null;
};

/** The host's stored schedule from those columns (null: it has none); a null column takes its default. */
export function scheduleOfConfigRow(r: AgentConfigRow): LatencyScheduleInput | null {
  if (r.enabled === null) return null;
  return {
    enabled: r.enabled,
    cpus: r.cpus ?? DEFAULT_SCHEDULE.cpus,
    durationS: r.durationS ?? DEFAULT_SCHEDULE.durationS,
    intervalUs: r.intervalUs ?? DEFAULT_SCHEDULE.intervalUs,
    priority: r.priority ?? DEFAULT_SCHEDULE.priority,
    histogramSize: r.histogramSize ?? DEFAULT_SCHEDULE.histogramSize,
    everyMinutes: r.everyMinutes ?? DEFAULT_SCHEDULE.everyMinutes,
    load: r.load ?? DEFAULT_SCHEDULE.load,
  };
}

/**
 * The statement's single row: per host of the batch whose row exists, [id, stored, heartbeatSeconds,
 * enabled, cpus, durationS, intervalUs, priority, histogramSize, everyMinutes, load] (the schedule
 * columns null when the host has none). As one JSON value, not a row per report: the driver then parses
 * one field with JSON.parse instead of building a row object per report.
 */
type BatchRow = {
  hosts: [string, boolean, number | null, boolean | null, string | null, number | null, number | null, number | null, number | null, number | null, string | null][] | null;
};

/**
 * Writes a batch (at most one row per host) in ONE statement, atomic on its own: each host whose stored
 * sequence is below the report's takes the report (last-seen, sequence, agent version, loss counters);
 * every host of the batch reads back its agent config. Returns the hosts that stored their report, and
 * the config per host (a host that does not exist has none).
 */
async function writeHeartbeats(batch: Pending[]): Promise<{ fresh: Set<string>; configs: Map<string, HeartbeatConfigRow> }> {
  // Sorted by host so concurrent batches (other processes) lock Host rows in the same order.
  const sorted = batch.length > 1 ? [...batch].sort((a, b) => (a.row.hostId < b.row.hostId ? -1 : a.row.hostId > b.row.hostId ? 1 : 0)) : batch;
  const n = sorted.length;
  const ids = new Array<string>(n), seqs = new Array<number>(n), versions = new Array<string>(n), names = new Array<string>(n);
  const dropped = new Array<number | null>(n), rejected = new Array<number | null>(n), setAside = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    const r = (sorted[i] as Pending).row;
    ids[i] = r.hostId;
    seqs[i] = r.sequence;
    versions[i] = r.agentVersion;
    names[i] = r.hostname;
    dropped[i] = r.spoolDropped ?? null;
    rejected[i] = r.rejected ?? null;
    setAside[i] = r.setAside ?? null;
  }
  // A named statement: each pooled connection parses it once, not on every batch.
  // The update's sequence guard is re-checked on the latest row version when another transaction
  // updated the host meanwhile (READ COMMITTED), so of two processes given the same report one stores it.
  // Only the hosts that stored their report come back: resends (rare) are looked up after, below — an
  // anti-join of the batch against the update's rows inside this statement was planned as a nested loop
  // (O(n²): 48 µs of PostgreSQL CPU per row at 500 rows, 17 µs without it).
  const { rows: result } = await pgPool().query<BatchRow>({
    name: "nfvdeck-heartbeat-batch-v4",
    text: `
    with upd as (
      update "Host" set "lastSeenAt" = now(), "lastSequence" = t.s, "agentVersion" = t.v, hostname = t.n,
        "agentSpoolDropped" = coalesce(t.sd, "Host"."agentSpoolDropped"),
        "agentRejected" = coalesce(t.rj, "Host"."agentRejected"),
        "agentSetAside" = coalesce(t.sa, "Host"."agentSetAside")
      from unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[]) as t(h, s, v, n, sd, rj, sa)
      where "Host".id = t.h and "Host"."lastSequence" < t.s
      returning "Host".id, "Host"."heartbeatSeconds" as hb
    )
    select json_agg(json_build_array(upd.id, true, upd.hb, s.enabled, s.cpus, s."durationS", s."intervalUs",
      s.priority, s."histogramSize", s."everyMinutes", s.load)) as hosts
    from upd left join "LatencySchedule" s on s."hostId" = upd.id`,
    values: [ids, seqs, versions, names, dropped, rejected, setAside],
  });
  const fresh = new Set<string>();
  const configs = new Map<string, HeartbeatConfigRow>();
  const take = (rows: BatchRow["hosts"]) => {
    for (const [id, stored, hb, enabled, cpus, durationS, intervalUs, priority, histogramSize, everyMinutes, load] of rows ?? []) {
      if (stored) fresh.add(id);
      configs.set(id, {
        heartbeatSeconds: hb ?? 10,
        schedule: scheduleOfConfigRow({ hb, enabled, cpus, durationS, intervalUs, priority, histogramSize, everyMinutes, load }),
      });
    }
  };
  take(result[0]?.hosts ?? null);
  if (fresh.size < n) {
    // a resend (its sequence already stored) or a deleted host: the former gets its config, the latter nothing
    const rest = ids.filter((id) => !fresh.has(id));
    const { rows: resent } = await pgPool().query<BatchRow>({
      name: "nfvdeck-heartbeat-resent-config-v1",
      text: `
      select json_agg(json_build_array(h.id, false, h."heartbeatSeconds", s.enabled, s.cpus, s."durationS", s."intervalUs",
        s.priority, s."histogramSize", s."everyMinutes", s.load)) as hosts
      from "Host" h left join "LatencySchedule" s on s."hostId" = h.id
      where h.id = any($1::uuid[])`,
      values: [rest],
    });
    take(resent[0]?.hosts ?? null);
  }
  return { fresh, configs };
}
