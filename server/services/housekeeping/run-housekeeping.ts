/**
 * Storage that stays bounded: creates the time-series tables' partitions ahead, moves stray rows out of the
 * DEFAULT partitions, drops whole expired partitions (DETACH + DROP), trims expired latency rollups in
 * batches, and thins QoS readings (server/repo/qos-retention.ts). One run at a time across every process on
 * the database (pg_try_advisory_lock): a second process skips while the first works, and each step is
 * idempotent, so a run cut short is finished by the next.
 */
import { env } from "@/server/env";
import {
  AHEAD,
  PARTITION_FAMILIES,
  partitionName,
  planFamily,
  rangesAhead,
  retentionCutoff,
  type RetentionDays,
} from "@/server/domain/housekeeping/partitions";
import {
  createFamilyPartition,
  defaultRanges,
  deleteExpiredDefaultRows,
  deleteExpiredRollups,
  dropFamilyPartition,
  analyzePartitionedParent,
  listPartitionStarts,
  openSqlSession,
  releaseHousekeepingLock,
  tryHousekeepingLock,
  vacuumRollups,
  type DroppedPartition,
  type SqlSession,
} from "@/server/repo/partitions";
import { thinQosSamples } from "@/server/repo/qos-retention";
import { refreshLatencyWindowSummaries } from "@/server/services/latency/refresh-window-summaries";

export interface HousekeepingRetention extends RetentionDays {
  /** day rollups (hour rollups follow `latency`) */
  rollupDays: number;
}

export function retentionFromEnv(): HousekeepingRetention {
  const e = env();
  return {
    latency: e.NFVDECK_RETENTION_LATENCY_DAYS,
    qos: e.NFVDECK_RETENTION_QOS_DAYS,
    history: e.NFVDECK_RETENTION_HISTORY_DAYS,
    rollupDays: e.NFVDECK_RETENTION_ROLLUP_DAYS,
  };
}

export interface HousekeepingResult {
  skipped: boolean;
  created: string[];
  /** rows moved from DEFAULT partitions into their own */
  moved: number;
  dropped: DroppedPartition[];
  /** rows past retention deleted from DEFAULT partitions */
  defaultExpired: number;
  rollupsDeleted: { hour: number; day: number };
  qos: { thinned: number } | null;
  /** partitioned parents ANALYZEd in this run (new or dropped partitions, or no statistics yet) */
  analyzed: string[];
  errors: string[];
  ms: number;
}

export interface HousekeepingOptions {
  now?: Date;
  retention?: HousekeepingRetention;
  /** defaults to DATABASE_URL */
  databaseUrl?: string;
  /** QoS thinning goes through the Prisma client (DATABASE_URL); off for a run on another database */
  thinQos?: boolean;
  /** recompute the latency window summaries (through the Prisma client, DATABASE_URL); default: when databaseUrl is not given */
  latencySummaries?: boolean;
  /** thin only the QoS readings that changed tier in this window (the previous run was less than this ago); unset = every tier whole */
  qosSinceMs?: number;
  log?: (line: string) => void;
}

const fmtBytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.round(n / 1024)} KiB`);

export async function runHousekeeping(opts: HousekeepingOptions = {}): Promise<HousekeepingResult> {
  const t0 = Date.now();
  const now = opts.now ?? new Date();
  const retention = opts.retention ?? retentionFromEnv();
  const log = opts.log ?? ((line: string) => console.log(`housekeeping: ${line}`));
  const url = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (!url) throw new Error("housekeeping: DATABASE_URL is not set");
  const result: HousekeepingResult = {
    skipped: false,
    created: [],
    moved: 0,
    dropped: [],
    defaultExpired: 0,
    rollupsDeleted: { hour: 0, day: 0 },
    qos: null,
    analyzed: [],
    errors: [],
    ms: 0,
  };
  const c = await openSqlSession(url);
  try {
    if (!(await tryHousekeepingLock(c))) {
      result.skipped = true;
      return result;
    }
    try {
      const step = async (what: string, fn: () => Promise<void>) => {
        try {
          await fn();
        } catch (err) {
          const msg = `${what}: ${err instanceof Error ? err.message : String(err)}`;
          result.errors.push(msg);
          log(`failed (retried next run) ${msg}`);
        }
      };
      for (const family of PARTITION_FAMILIES) {
        const head = family.tables[0];
        if (!head) continue;
        const plan = planFamily(family, await listPartitionStarts(c, head.table), now, retention);
        // rows in DEFAULT whose range is retained get their own partition (an upgrade's copied rows, a clock ahead)
        const horizon = rangesAhead(now, family.step, AHEAD[family.step]).at(-1)?.to ?? now;
        const stray = await defaultRanges(c, family, now, retention[family.retention], horizon);
        const toCreate = new Map([...plan.create, ...stray].map((r) => [r.from.getTime(), r]));
        for (const range of [...toCreate.values()].sort((a, b) => a.from.getTime() - b.from.getTime())) {
          await step(`create ${partitionName(head.table, range.from)}`, async () => {
            const { created, moved } = await createFamilyPartition(c, family, range);
            result.moved += moved;
            result.created.push(...created);
            if (moved > 0) log(`moved ${moved} row(s) from DEFAULT into ${family.tables.map((t) => partitionName(t.table, range.from)).join(", ")}`);
          });
        }
        for (const range of plan.drop) {
          await step(`drop ${partitionName(head.table, range.from)}`, async () => {
            const dropped = await dropFamilyPartition(c, family, range);
            result.dropped.push(...dropped);
            for (const d of dropped) {
              log(`dropped ${d.partition} (${d.rows} row(s), ${fmtBytes(d.bytes)}; older than ${retention[family.retention]} d)${d.carried > 0 ? `, kept ${d.carried} latest row(s)` : ""}`);
            }
          });
        }
        const changedPartitions = toCreate.size + plan.drop.length > 0;
        for (const t of family.tables) {
          await step(`analyze ${t.table}`, async () => {
            if (await analyzePartitionedParent(c, t.table, changedPartitions)) result.analyzed.push(t.table);
          });
        }
        await step(`expire DEFAULT rows of ${family.name}`, async () => {
          const n = await deleteExpiredDefaultRows(c, family, plan.cutoff);
          result.defaultExpired += n;
          if (n > 0) log(`deleted ${n} expired row(s) from the DEFAULT partitions of ${family.tables.map((t) => t.table).join(", ")}`);
        });
      }
      await step("expire latency rollups", async () => {
        result.rollupsDeleted.hour = await deleteExpiredRollups(c, "hour", retentionCutoff(now, retention.latency));
        result.rollupsDeleted.day = await deleteExpiredRollups(c, "day", retentionCutoff(now, retention.rollupDays));
        const { hour, day } = result.rollupsDeleted;
        if (hour + day > 0) await vacuumRollups(c);
        if (hour + day > 0) log(`deleted ${hour} hour rollup(s) older than ${retention.latency} d, ${day} day rollup(s) older than ${retention.rollupDays} d`);
      });
      if (opts.thinQos !== false) {
        await step("thin QoS samples", async () => {
          const { thinned } = await thinQosSamples(now, { deleteExpired: false, ...(opts.qosSinceMs !== undefined ? { sinceMs: opts.qosSinceMs } : {}) });
          result.qos = { thinned };
        });
      }
      if (opts.latencySummaries ?? opts.databaseUrl === undefined) {
        await step("refresh latency window summaries", async () => {
          await refreshLatencyWindowSummaries({ now, log });
        });
      }
    } finally {
      await releaseHousekeepingLock(c).catch(() => undefined);
    }
  } finally {
    await c.end().catch(() => undefined);
    result.ms = Date.now() - t0;
  }
  return result;
}

export interface PreparedPartitions {
  created: string[];
  /** false when another process held the housekeeping lock for all of `waitMs` (its run creates them) or a step failed */
  ok: boolean;
  errors: string[];
  ms: number;
}

/**
 * Before an agent-API process takes reports: the partitions for now and the days ahead exist, so a fresh
 * install's first reports land in their own partitions and not in DEFAULT — moving DEFAULT rows out later
 * holds DEFAULT locked while ingest writes (the first housekeeping run on a fresh database stalled every
 * report for seconds). Creation only, and nothing at all when every partition is there (no lock taken);
 * a run holding the lock in another process is waited for up to `waitMs`. Never throws: start goes on.
 */
export async function prepareTimeSeriesPartitions(opts: { now?: Date; retention?: HousekeepingRetention; databaseUrl?: string; waitMs?: number; log?: (line: string) => void } = {}): Promise<PreparedPartitions> {
  const t0 = Date.now();
  const now = opts.now ?? new Date();
  const retention = opts.retention ?? retentionFromEnv();
  const log = opts.log ?? ((line: string) => console.log(`housekeeping: ${line}`));
  const url = opts.databaseUrl ?? process.env.DATABASE_URL;
  const out: PreparedPartitions = { created: [], ok: true, errors: [], ms: 0 };
  if (!url) return { ...out, ok: false, errors: ["DATABASE_URL is not set"] };
  const missing = async (c: SqlSession) => {
    const plans = [];
    for (const family of PARTITION_FAMILIES) {
      const head = family.tables[0];
      if (!head) continue;
      const plan = planFamily(family, await listPartitionStarts(c, head.table), now, retention);
      if (plan.create.length > 0) plans.push(plan);
    }
    return plans;
  };
  let c: SqlSession | null = null;
  try {
    c = await openSqlSession(url);
    if ((await missing(c)).length === 0) return out;
    const deadline = Date.now() + (opts.waitMs ?? 30_000);
    let locked = await tryHousekeepingLock(c);
    while (!locked && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      locked = await tryHousekeepingLock(c);
    }
    if (!locked) {
      out.ok = false;
      out.errors.push("another process held the housekeeping lock");
      return out;
    }
    try {
      for (const plan of await missing(c)) {
        for (const range of plan.create) {
          try {
            out.created.push(...(await createFamilyPartition(c, plan.family, range)).created);
          } catch (err) {
            out.ok = false;
            out.errors.push(`create ${partitionName(plan.family.tables[0]?.table ?? plan.family.name, range.from)}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
    } finally {
      await releaseHousekeepingLock(c).catch(() => undefined);
    }
    if (out.created.length > 0) log(`prepared ${out.created.length} partition(s) before taking reports`);
  } catch (err) {
    out.ok = false;
    out.errors.push(err instanceof Error ? err.message : String(err));
  } finally {
    await c?.end().catch(() => undefined);
    out.ms = Date.now() - t0;
    for (const e of out.errors) log(`partitions not prepared at start (the first housekeeping run creates them): ${e}`);
  }
  return out;
}

/**
 * Runs housekeeping `firstAfterMs` after start, then every `everyMs`, in this process (every agent-API
 * process does; the advisory lock keeps it to one at a time). Returns the stop function.
 */
export function startHousekeeping(opts: { everyMs: number; firstAfterMs?: number; clock?: () => Date; log?: (line: string) => void }): () => void {
  let running = false;
  let stopped = false;
  let lastOk: number | null = null;
  const tick = () => {
    if (running || stopped) return;
    running = true;
    // the first run in a process thins every QoS tier whole (it may follow downtime); later ones only the
    // slice that changed tier since the last completed run, with margin
    const now = opts.clock?.() ?? new Date();
    const qosSinceMs = lastOk === null ? undefined : Math.max(2 * opts.everyMs, now.getTime() - lastOk + opts.everyMs);
    void runHousekeeping({ now, log: opts.log, ...(qosSinceMs !== undefined ? { qosSinceMs } : {}) })
      .then((r) => {
        if (!r.skipped && r.errors.length === 0) lastOk = now.getTime();
      })
      .catch((err: unknown) => console.error("housekeeping failed:", err instanceof Error ? err.message : err))
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(tick, opts.firstAfterMs ?? 5_000);
  first.unref();
  const timer = setInterval(tick, opts.everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
  };
}
