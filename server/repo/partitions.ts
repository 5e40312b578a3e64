/**
 * Partition maintenance DDL for the time-series tables (server/domain/housekeeping/partitions.ts says which).
 * Runs on one dedicated connection (a session-level advisory lock must be taken and released on the same
 * one); every statement group is its own short transaction with a lock timeout, so ingest is never held
 * for long: a run that cannot get its locks fails that step and the next run retries it.
 */
import pg from "pg";
import {
  defaultPartitionName,
  isExpired,
  parsePartitionName,
  partitionName,
  partitionRangeOf,
  type PartitionFamily,
  type PartitionRange,
} from "@/server/domain/housekeeping/partitions";

export type SqlSession = pg.Client;

export async function openSqlSession(url: string): Promise<SqlSession> {
  const c = new pg.Client({ connectionString: url, application_name: "nfvdeck-housekeeping" });
  await c.connect();
  // DDL on a partitioned table waits for ingest's row locks: give up after a few seconds, retry next run
  await c.query("SET lock_timeout = '5s'");
  return c;
}

const LOCK_KEY = "nfvdeck:housekeeping";

/** Session-level: at most one housekeeping run at a time across every process on this database. */
export async function tryHousekeepingLock(c: SqlSession): Promise<boolean> {
  const r = await c.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS ok", [LOCK_KEY]);
  return r.rows[0]?.ok === true;
}

export async function releaseHousekeepingLock(c: SqlSession): Promise<void> {
  await c.query("SELECT pg_advisory_unlock(hashtext($1))", [LOCK_KEY]);
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** A timestamp-without-time-zone literal in UTC (the columns hold UTC wall time). */
const tsLiteral = (d: Date) => `'${d.toISOString().replace("T", " ").replace("Z", "")}'`;

async function inTx<T>(c: SqlSession, fn: () => Promise<T>): Promise<T> {
  await c.query("BEGIN");
  try {
    const out = await fn();
    await c.query("COMMIT");
    return out;
  } catch (err) {
    await c.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** Lower bounds of a table's range partitions (ours only; the DEFAULT partition is left out). */
export async function listPartitionStarts(c: SqlSession, table: string): Promise<Date[]> {
  const r = await c.query<{ name: string }>(
    `SELECT child.relname AS name FROM pg_inherits i
       JOIN pg_class child ON child.oid = i.inhrelid
       JOIN pg_class parent ON parent.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = parent.relnamespace
     WHERE parent.relname = $1 AND n.nspname = current_schema()`,
    [table],
  );
  return r.rows.flatMap((row) => {
    const d = parsePartitionName(table, row.name);
    return d ? [d] : [];
  });
}

async function defaultHasRows(c: SqlSession, table: string, column: string, range: PartitionRange): Promise<boolean> {
  const r = await c.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${ident(defaultPartitionName(table))} WHERE ${ident(column)} >= ${tsLiteral(range.from)} AND ${ident(column)} < ${tsLiteral(range.to)}) AS found`,
  );
  return r.rows[0]?.found === true;
}

/**
 * Creates the family's partitions for one range in one transaction. Rows already in the DEFAULT partition
 * for that range (an upgrade's copied data, a clock that ran ahead) are moved into the new partitions:
 * children first out of DEFAULT (so deleting a run never cascades to its threads), parents attached first
 * (so the threads' foreign key validates on attach). Returns the partitions created and the rows moved.
 */
export async function createFamilyPartition(c: SqlSession, family: PartitionFamily, range: PartitionRange): Promise<{ created: string[]; moved: number }> {
  try {
    return await createFamilyPartitionOnce(c, family, range, false);
  } catch (err) {
    // a row for this range reached DEFAULT between the check and the CREATE (ingest runs beside
    // housekeeping): PostgreSQL refuses the new partition; take the move path, with DEFAULT locked
    if ((err as { code?: string }).code !== "23514") throw err;
    return createFamilyPartitionOnce(c, family, range, true);
  }
}

async function createFamilyPartitionOnce(c: SqlSession, family: PartitionFamily, range: PartitionRange, lockDefault: boolean): Promise<{ created: string[]; moved: number }> {
  return inTx(c, async () => {
    const missing = [];
    for (const t of family.tables) {
      const exists = await c.query("SELECT 1 FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace", [partitionName(t.table, range.from)]);
      if (exists.rowCount === 0) missing.push(t);
    }
    if (missing.length === 0) return { created: [], moved: 0 };
    const bounds = `FOR VALUES FROM (${tsLiteral(range.from)}) TO (${tsLiteral(range.to)})`;
    // writes that land in DEFAULT wait until this commits, so no row slips in between move and attach
    if (lockDefault) for (const t of missing) await c.query(`LOCK TABLE ${ident(defaultPartitionName(t.table))} IN EXCLUSIVE MODE`);
    let needsMove = lockDefault;
    for (const t of missing) if (await defaultHasRows(c, t.table, t.column, range)) needsMove = true;
    if (!needsMove) {
      for (const t of missing) await c.query(`CREATE TABLE ${ident(partitionName(t.table, range.from))} PARTITION OF ${ident(t.table)} ${bounds}`);
      return { created: missing.map((t) => partitionName(t.table, range.from)), moved: 0 };
    }
    let moved = 0;
    for (const t of missing) await c.query(`CREATE TABLE ${ident(partitionName(t.table, range.from))} (LIKE ${ident(t.table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMPRESSION)`);
    for (const t of [...missing].reverse()) {
      const r = await c.query(
        `WITH moved AS (DELETE FROM ${ident(defaultPartitionName(t.table))} WHERE ${ident(t.column)} >= ${tsLiteral(range.from)} AND ${ident(t.column)} < ${tsLiteral(range.to)} RETURNING *)
         INSERT INTO ${ident(partitionName(t.table, range.from))} SELECT * FROM moved`,
      );
      moved += r.rowCount ?? 0;
    }
    for (const t of missing) await c.query(`ALTER TABLE ${ident(t.table)} ATTACH PARTITION ${ident(partitionName(t.table, range.from))} ${bounds}`);
    return { created: missing.map((t) => partitionName(t.table, range.from)), moved };
  });
}

export interface DroppedPartition {
  table: string;
  partition: string;
  rows: number;
  bytes: number;
  /** rows kept by carrying them into DEFAULT (each key's latest version) */
  carried: number;
}

/**
 * Drops the family's partitions for one expired range: DETACH, then DROP (never a DELETE of its rows),
 * children first. With `keepLatestPer`, each key's latest row in the partition is first copied into the
 * table again (it lands in DEFAULT, the range being gone) when no newer row exists.
 */
export async function dropFamilyPartition(c: SqlSession, family: PartitionFamily, range: PartitionRange): Promise<DroppedPartition[]> {
  return inTx(c, async () => {
    const out: DroppedPartition[] = [];
    for (const t of [...family.tables].reverse()) {
      const name = partitionName(t.table, range.from);
      const exists = await c.query<{ oid: string | null }>("SELECT to_regclass($1)::text AS oid", [ident(name)]);
      if (!exists.rows[0]?.oid) continue;
      const stat = await c.query<{ rows: string; bytes: string }>(
        `SELECT (SELECT count(*) FROM ${ident(name)})::text AS rows, pg_total_relation_size($1::regclass)::text AS bytes`,
        [ident(name)],
      );
      const s = stat.rows[0] ?? { rows: "0", bytes: "0" };
      await c.query(`ALTER TABLE ${ident(t.table)} DETACH PARTITION ${ident(name)}`);
      let carried = 0;
      if (family.keepLatestPer && family.keepLatestPer.length > 0) {
        const keys = family.keepLatestPer.map(ident);
        const col = ident(t.column);
        const match = keys.map((k) => `n.${k} = d.${k}`).join(" AND ");
        const r = await c.query(
          `INSERT INTO ${ident(t.table)}
           SELECT DISTINCT ON (${keys.map((k) => `d.${k}`).join(", ")}) d.* FROM ${ident(name)} d
           WHERE NOT EXISTS (SELECT 1 FROM ${ident(t.table)} n WHERE ${match} AND n.${col} >= d.${col})
           ORDER BY ${keys.map((k) => `d.${k}`).join(", ")}, d.${col} DESC, d."id" DESC`,
        );
        carried = r.rowCount ?? 0;
      }
      await c.query(`DROP TABLE ${ident(name)}`);
      out.push({ table: t.table, partition: name, rows: Number(s.rows), bytes: Number(s.bytes), carried });
    }
    return out;
  });
}

/** Ranges (not expired, not beyond `horizon`) that rows in the family's DEFAULT partition fall in. */
export async function defaultRanges(c: SqlSession, family: PartitionFamily, now: Date, retentionDays: number, horizon: Date): Promise<PartitionRange[]> {
  const t = family.tables[0];
  if (!t) return [];
  const col = ident(t.column);
  const r = await c.query<{ ms: number }>(
    `SELECT DISTINCT (extract(epoch FROM date_trunc('${family.step}', ${col})) * 1000)::float8 AS ms
     FROM ${ident(defaultPartitionName(t.table))} WHERE ${col} < ${tsLiteral(horizon)}`,
  );
  return r.rows
    .map((row) => partitionRangeOf(new Date(Number(row.ms)), family.step))
    .filter((range) => !isExpired(range, now, retentionDays))
    .sort((a, b) => a.from.getTime() - b.from.getTime());
}

/**
 * Deletes rows past retention that sit in the DEFAULT partition (only rows no range partition took: normally
 * few). With `keepLatestPer`, each key's latest row stays.
 */
export async function deleteExpiredDefaultRows(c: SqlSession, family: PartitionFamily, cutoff: Date): Promise<number> {
  let deleted = 0;
  for (const t of [...family.tables].reverse()) {
    const col = ident(t.column);
    const keep =
      family.keepLatestPer && family.keepLatestPer.length > 0
        ? `AND EXISTS (SELECT 1 FROM ${ident(t.table)} n WHERE ${family.keepLatestPer.map((k) => `n.${ident(k)} = d.${ident(k)}`).join(" AND ")} AND (n.${col}, n."id") > (d.${col}, d."id"))`
        : "";
    const r = await c.query(`DELETE FROM ${ident(defaultPartitionName(t.table))} d WHERE d.${col} < ${tsLiteral(cutoff)} ${keep}`);
    deleted += r.rowCount ?? 0;
  }
  return deleted;
}

/**
 * LatencyRollup is not partitioned (one row per host per hour or day, updated in place on ingest): expired
 * rows of one granularity are deleted in bounded batches. Returns the rows deleted.
 */
export async function deleteExpiredRollups(c: SqlSession, granularity: "hour" | "day", before: Date, batch = 50_000): Promise<number> {
  let total = 0;
  for (let i = 0; i < 1000; i++) {
    const r = await c.query(
      `DELETE FROM "LatencyRollup" WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM "LatencyRollup" WHERE "granularity" = $1 AND "bucketStart" < ${tsLiteral(before)} LIMIT ${batch}))`,
      [granularity],
    );
    total += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) < batch) break;
  }
  return total;
}

/**
 * VACUUM after the batch deletes, so the next days' rows reuse the space: under load autovacuum may not
 * reach the table for days (measured in BENCH=scale30: 420k live and 424k dead rollup rows, never vacuumed).
 */
export async function vacuumRollups(c: SqlSession): Promise<void> {
  await c.query(`VACUUM (ANALYZE) "LatencyRollup"`);
}

/**
 * ANALYZE a partitioned parent when it has no statistics of its own yet or `force` (partitions were added or
 * dropped). Autovacuum analyzes the partitions but never a partitioned parent, so without this the planner
 * estimates every query over the parent (joins, the fleet windows) from defaults. Returns whether it ran.
 */
export async function analyzePartitionedParent(c: SqlSession, table: string, force: boolean): Promise<boolean> {
  if (!force) {
    const r = await c.query<{ has: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = current_schema() AND tablename = $1 AND inherited) AS has`,
      [table],
    );
    if (r.rows[0]?.has) return false;
  }
  await c.query(`ANALYZE ${ident(table)}`);
  return true;
}
