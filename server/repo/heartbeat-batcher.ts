import { pgPool } from "@/server/db";
import { textProblem } from "@/server/contract/common";
import { DomainError } from "@/server/errors";
import { isDatabaseUnavailable, isForeignKeyViolation } from "@/server/repo/db-errors";
import { DEFAULT_SCHEDULE, type LatencyScheduleInput } from "@/server/contract/latency-schedule";
import { reportSlot } from "@/server/repo/report-log";

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
 * hosts every 10 s. Reports arriving within a short window are written by one INSERT … ON CONFLICT
 * and one UPDATE, and each caller is answered only after that commit, so a 200 still means stored.
 */
export class HeartbeatBatcher {
  private queue: Pending[] = [];
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
   * Resolves once stored; `duplicate` when this host's sequence was already stored (a resend, server/repo/report-log.ts).
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

  private async flush() {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.inFlight++;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      await writeAndAnswer(batch);
    } catch (e) {
      if (batch.length === 1 || isDatabaseUnavailable(e)) {
        for (const p of batch) p.reject(singleRowError(e));
      } else {
        // One row broke the shared statement (a host deleted meanwhile, …): write each row alone,
        // so only the guilty one fails and every other host's heartbeat is still stored.
        await Promise.all(batch.map((p) => writeAndAnswer([p]).catch((err: unknown) => p.reject(singleRowError(err)))));
      }
    } finally {
      this.inFlight--;
      this.kick();
    }
  }
}

/** A row's own failure, as the caller should see it: its host gone is "not found", not a crash. */
function singleRowError(e: unknown): unknown {
  return isForeignKeyViolation(e) ? new DomainError("NOT_FOUND", "host not found") : e;
}

/** Writes rows in one statement and answers each caller; throws (answering none) when the statement fails. */
async function writeAndAnswer(batch: Pending[]): Promise<void> {
  const { duplicates, configs } = await withDeadlockRetry(() => writeHeartbeats(batch.map((p) => p.row)));
  const seen = new Set<string>();
  for (const p of batch) {
    const key = `${p.row.hostId}\u0000${p.row.sequence}`;
    // The same report twice in one batch: the first is stored, the second is its resend.
    p.resolve({ duplicate: duplicates.has(key) || seen.has(key), config: configs.get(p.row.hostId) ?? null });
    seen.add(key);
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
 * Two batches that share hosts can still deadlock: the UPDATE … FROM join visits Host rows in the
 * order the plan chooses, not the sorted order. The statement is atomic and idempotent (ON CONFLICT),
 * so PostgreSQL's deadlock victim is simply run again.
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
 * The statement's single row: the (host, sequence) pairs it stored, and per host its agent config
 * [id, heartbeatSeconds, enabled, cpus, durationS, intervalUs, priority, histogramSize, everyMinutes, load]
 * (the schedule columns null when the host has none). As two JSON values, not a row per report:
 * the driver then parses two fields with JSON.parse instead of building a row object per report.
 */
type BatchRow = {
  fresh: [string, number][];
  configs: [string, number | null, boolean | null, string | null, number | null, number | null, number | null, number | null, number | null, string | null][];
};

/**
 * Writes a batch in ONE statement (atomic on its own): insert the reports, bump each host's
 * last-seen, and read back each host's agent config. Returns the (hostId, sequence) pairs that were
 * already stored, and the config per host.
 */
async function writeHeartbeats(rows: HeartbeatRow[]): Promise<{ duplicates: Set<string>; configs: Map<string, HeartbeatConfigRow> }> {
  // Sorted by host so concurrent batches lock Host rows in the same order (no deadlocks).
  const sorted = rows.length > 1 ? [...rows].sort((a, b) => (a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : a.sequence - b.sequence)) : rows;
  const n = sorted.length;
  const ids = new Array<string>(n), keys = new Array<string>(n), seqs = new Array<number>(n), slots = new Array<number>(n);
  const collected = new Array<string>(n), versions = new Array<string>(n), names = new Array<string>(n);
  const dropped = new Array<number | null>(n), rejected = new Array<number | null>(n), setAside = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    const r = sorted[i] as HeartbeatRow;
    ids[i] = r.hostId;
    keys[i] = r.idempotencyKey;
    seqs[i] = r.sequence;
    slots[i] = reportSlot(r.sequence);
    collected[i] = r.collectedAt.toISOString();
    versions[i] = r.agentVersion;
    names[i] = r.hostname;
    dropped[i] = r.spoolDropped ?? null;
    rejected[i] = r.rejected ?? null;
    setAside[i] = r.setAside ?? null;
  }
  // A named statement: each pooled connection parses and plans it once, not on every batch (the CTE's
  // planning was a large part of a small batch's time)
  const { rows: result } = await pgPool().query<BatchRow>({
    name: "nfvdeck-heartbeat-batch-v2",
    text: `
    with ins as (
      -- the bounded report log (server/repo/report-log.ts): a slot takes a newer sequence only, so a
      -- resend (same sequence) writes nothing and is answered as a duplicate
      insert into "Report" ("hostId", slot, "idempotencyKey", sequence, "collectedAt", "receivedAt")
      select distinct on (h, slot) h, slot, k, s, c at time zone 'UTC', now() at time zone 'UTC'
      from unnest($1::uuid[], $2::int[], $3::text[], $4::bigint[], $5::timestamptz[]) as t(h, slot, k, s, c)
      order by h, slot, s desc
      on conflict ("hostId", slot) do update set "idempotencyKey" = excluded."idempotencyKey",
        sequence = excluded.sequence, "collectedAt" = excluded."collectedAt", "receivedAt" = excluded."receivedAt",
        "sectionsChanged" = excluded."sectionsChanged"
      where "Report".sequence < excluded.sequence
      returning "hostId", sequence
    ), upd as (
      -- the latest row per host wins (a host may appear twice in one batch after a spool flush)
      update "Host" set "lastSeenAt" = now(),
        "lastSequence" = greatest("Host"."lastSequence", t.s),
        "agentVersion" = t.v, hostname = t.n,
        "agentSpoolDropped" = coalesce(t.sd, "Host"."agentSpoolDropped"),
        "agentRejected" = coalesce(t.rj, "Host"."agentRejected"),
        "agentSetAside" = coalesce(t.sa, "Host"."agentSetAside")
      from (
        select distinct on (h) h, s, v, n, sd, rj, sa
        from unnest($1::uuid[], $4::bigint[], $6::text[], $7::text[],
          $8::bigint[], $9::bigint[], $10::bigint[]) as u(h, s, v, n, sd, rj, sa)
        order by h, s desc
      ) as t
      where "Host".id = t.h
      returning "Host".id, "Host"."heartbeatSeconds"
    )
    select
      (select coalesce(json_agg(json_build_array("hostId", sequence)), '[]') from ins) as fresh,
      (select coalesce(json_agg(json_build_array(upd.id, upd."heartbeatSeconds", s.enabled, s.cpus, s."durationS", s."intervalUs",
         s.priority, s."histogramSize", s."everyMinutes", s.load)), '[]')
       from upd left join "LatencySchedule" s on s."hostId" = upd.id) as configs`,
    values: [ids, slots, keys, seqs, collected, versions, names, dropped, rejected, setAside],
  });
  const row = result[0];
  const fresh = new Set<string>();
  const configs = new Map<string, HeartbeatConfigRow>();
  for (const [id, sequence] of row?.fresh ?? []) fresh.add(`${id}\u0000${sequence}`);
  for (const [id, hb, enabled, cpus, durationS, intervalUs, priority, histogramSize, everyMinutes, load] of row?.configs ?? []) {
    configs.set(id, {
      heartbeatSeconds: hb ?? 10,
      schedule: scheduleOfConfigRow({ hb, enabled, cpus, durationS, intervalUs, priority, histogramSize, everyMinutes, load }),
    });
  }
  const duplicates = new Set<string>();
  for (const r of rows) {
    const k = `${r.hostId}\u0000${r.sequence}`;
    if (!fresh.has(k)) duplicates.add(k);
  }
  return { duplicates, configs };
}
