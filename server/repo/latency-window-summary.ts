/**
 * Precomputed per-host latency statistics over the preset windows (LatencyWindowSummary), so the fleet
 * latency page ranks, filters and counts 20,000 small rows instead of merging every host's histograms on
 * every request; plus the fleet's merged histogram per preset (LatencyFleetWindowSummary).
 *
 * Exactness: a host's row is computed by the same SQL as the exact page query (windowStatsCtes in
 * latency-fleet-page.ts: percentiles from the merged histogram) over the summary window
 * (domain/latency/window-summary.ts: the preset as of the last whole UTC hour), and is used only while it is
 * current: its window is the current summary window and it is not stale. The fleet row is used only when it
 * was merged from exactly the current host rows (the max `rev` and the count of rows it was merged from).
 *
 * Freshness protocol (multi-process safe):
 * - ingest (storeRunsTx) upserts the host's three rows in its own transaction: `ingestSeq + 1`, and
 *   `stale` when a run started inside the stored window (a run in the current hour does not touch the
 *   figures: it belongs to the next window). A new host's rows start stale.
 * - the refresher recomputes rows that are stale, missing, or for an older window, a batch of hosts per
 *   transaction under a per-preset transaction advisory lock (a second process skips). Its upsert keeps the
 *   row stale when `ingestSeq` moved since the snapshot the figures were read in, so a run committed while a
 *   batch was computed is never lost: the row is recomputed by the next pass.
 */
import { Prisma } from "@/server/generated/prisma/client";
import { prisma } from "@/server/db";
import type { FleetReportPageInput } from "@/server/contract/api/latency";
import { WINDOW_PRESETS, type WindowPreset } from "@/server/domain/latency/window";
import { summaryWindow, type SummaryWindow } from "@/server/domain/latency/window-summary";
import { QUANTILES, rankOverStatsSql, runRankQueryRow, windowStatsCtes, type FleetRankResult, type QKey } from "@/server/repo/latency-fleet-page";

const ALL_QUANTILES: ReadonlySet<QKey> = new Set(Object.keys(QUANTILES) as QKey[]);

class LockBusy extends Error {}

/** Transaction advisory lock per preset (two-int form; its own key space). */
const LOCK_CLASS = 20261203;
const lockKey = (preset: WindowPreset) => WINDOW_PRESETS.indexOf(preset);

/**
 * Ingest: the host's runs starting in [minStartedAt, maxStartedAt] were stored (caller's transaction, after
 * the rollups). One statement, three rows of this host.
 */
export async function markWindowSummariesTx(tx: Prisma.TransactionClient, hostId: string, minStartedAt: Date, maxStartedAt: Date): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "LatencyWindowSummary" AS s ("hostId", "preset", "stale", "ingestSeq")
    VALUES ${Prisma.join([...WINDOW_PRESETS].sort().map((p) => Prisma.sql`(${hostId}::uuid, ${p}, true, 1)`))}
    ON CONFLICT ("hostId", "preset") DO UPDATE SET
      "ingestSeq" = s."ingestSeq" + 1,
      "stale" = s."stale" OR s."windowTo" IS NULL OR (s."windowFrom" <= ${maxStartedAt} AND s."windowTo" > ${minStartedAt})`;
}

/**
 * Hosts whose row of `preset` is not current for window `w`: missing, stale, or for another window.
 * `refreshable`: only those a refresh for `w` may write — never a row already computed for a later window
 * (a process whose clock lags must not move the rows back; its pages use the exact query instead).
 */
function pendingSql(preset: WindowPreset, w: SummaryWindow, refreshable = false): Prisma.Sql {
  return Prisma.sql`
    SELECT h.id AS "hostId" FROM "Host" h
    LEFT JOIN "LatencyWindowSummary" s ON s."hostId" = h.id AND s."preset" = ${preset}
    WHERE (s."hostId" IS NULL OR s."stale" OR s."windowFrom" IS DISTINCT FROM ${w.from} OR s."windowTo" IS DISTINCT FROM ${w.to})
      ${refreshable ? Prisma.sql`AND (s."windowTo" IS NULL OR s."windowTo" <= ${w.to})` : Prisma.empty}`;
}

/** Recomputes the given hosts' rows of `preset` for window `w` (caller's transaction). */
async function computeHostsTx(tx: Prisma.TransactionClient, preset: WindowPreset, w: SummaryWindow, hostIds: readonly string[], now: Date): Promise<number> {
  if (hostIds.length === 0) return 0;
  return tx.$executeRaw`
    WITH ids AS (SELECT DISTINCT unnest(${[...hostIds]}::uuid[]) AS "hostId"),
    ${windowStatsCtes(w, ALL_QUANTILES, hostIds)},
    hh AS (SELECT "hostId", jsonb_object_agg(bucket::text, n) AS hist FROM b WHERE n > 0 GROUP BY "hostId"),
    cur AS (SELECT "hostId", "ingestSeq" FROM "LatencyWindowSummary" WHERE "preset" = ${preset} AND "hostId" = ANY(${[...hostIds]}::uuid[]))
    INSERT INTO "LatencyWindowSummary" AS s ("hostId", "preset", "windowFrom", "windowTo", "computedAt", "stale", "ingestSeq",
      "histogramSize", "runs", "total", "overflows", "min", "max", "weightedSum", "weightedCycles", "p50", "p99", "p999", "p9999", "p99999", "histogram")
    SELECT ids."hostId", ${preset}, ${w.from}, ${w.to}, ${now}, false, coalesce(cur."ingestSeq", 0),
      st.size, st.runs, st.total, st.ovf, st."min", st."max", st.ws, st.wc, st.p50, st.p99, st.p999, st.p9999, st.p99999, hh.hist
    FROM ids JOIN "Host" h ON h.id = ids."hostId"
    LEFT JOIN st USING ("hostId") LEFT JOIN hh USING ("hostId") LEFT JOIN cur USING ("hostId")
    ORDER BY ids."hostId"
    ON CONFLICT ("hostId", "preset") DO UPDATE SET
      "windowFrom" = EXCLUDED."windowFrom", "windowTo" = EXCLUDED."windowTo", "computedAt" = EXCLUDED."computedAt",
      -- a run stored after this statement's snapshot moved ingestSeq: keep the row stale
      "stale" = s."ingestSeq" <> EXCLUDED."ingestSeq",
      "rev" = nextval('"LatencyWindowSummary_rev_seq"'),
      "histogramSize" = EXCLUDED."histogramSize", "runs" = EXCLUDED."runs", "total" = EXCLUDED."total", "overflows" = EXCLUDED."overflows",
      "min" = EXCLUDED."min", "max" = EXCLUDED."max", "weightedSum" = EXCLUDED."weightedSum", "weightedCycles" = EXCLUDED."weightedCycles",
      "p50" = EXCLUDED."p50", "p99" = EXCLUDED."p99", "p999" = EXCLUDED."p999", "p9999" = EXCLUDED."p9999", "p99999" = EXCLUDED."p99999",
      "histogram" = EXCLUDED."histogram"`;
}

/** Merges the preset's host rows into the fleet row (caller's transaction, under the preset's lock). */
async function computeFleetTx(tx: Prisma.TransactionClient, preset: WindowPreset, w: SummaryWindow, now: Date): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "LatencyFleetWindowSummary" AS f ("preset", "windowFrom", "windowTo", "computedAt", "sourceRev", "sourceRows",
      "histogramSize", "runs", "overflows", "min", "max", "weightedSum", "weightedCycles", "histogram")
    SELECT ${preset}, ${w.from}, ${w.to}, ${now}, coalesce(a.rev, 0), a.n, a.size, a.runs, a.ovf, a."min", a."max", a.ws, a.wc,
      (SELECT jsonb_object_agg(k, n) FROM (
         SELECT e.key AS k, sum(e.value::bigint)::bigint AS n
         FROM "LatencyWindowSummary" x CROSS JOIN LATERAL jsonb_each_text(x."histogram") e
         WHERE x."preset" = ${preset} GROUP BY e.key) z WHERE n > 0)
    FROM (
      SELECT max("rev") AS rev, count(*)::int AS n, min("histogramSize") AS size, sum("runs")::int AS runs, sum("overflows")::bigint AS ovf,
        min("min") AS "min", max("max") AS "max", sum("weightedSum") AS ws, sum("weightedCycles") AS wc
      FROM "LatencyWindowSummary" WHERE "preset" = ${preset}
    ) a
    ON CONFLICT ("preset") DO UPDATE SET
      "windowFrom" = EXCLUDED."windowFrom", "windowTo" = EXCLUDED."windowTo", "computedAt" = EXCLUDED."computedAt",
      "sourceRev" = EXCLUDED."sourceRev", "sourceRows" = EXCLUDED."sourceRows", "histogramSize" = EXCLUDED."histogramSize",
      "runs" = EXCLUDED."runs", "overflows" = EXCLUDED."overflows", "min" = EXCLUDED."min", "max" = EXCLUDED."max",
      "weightedSum" = EXCLUDED."weightedSum", "weightedCycles" = EXCLUDED."weightedCycles", "histogram" = EXCLUDED."histogram"`;
}

export interface SummaryStatus {
  /** host rows not current (missing, stale, other window), counted up to the limit + 1 */
  pending: number;
  /** the fleet row was merged from exactly the current host rows, for this window */
  fleetCurrent: boolean;
}

async function statusOf(db: Prisma.TransactionClient, preset: WindowPreset, w: SummaryWindow, limit: number): Promise<SummaryStatus> {
  const rows = await db.$queryRaw<{ pending: number; fleet_current: boolean }[]>`
    SELECT
      (SELECT count(*)::int FROM (${pendingSql(preset, w)} LIMIT ${limit + 1}) x) AS pending,
      coalesce((
        SELECT f."windowFrom" = ${w.from} AND f."windowTo" = ${w.to}
          AND f."sourceRows" = (SELECT count(*)::int FROM "LatencyWindowSummary" WHERE "preset" = ${preset})
          AND f."sourceRev" = (SELECT coalesce(max("rev"), 0) FROM "LatencyWindowSummary" WHERE "preset" = ${preset})
        FROM "LatencyFleetWindowSummary" f WHERE f."preset" = ${preset}), false) AS fleet_current`;
  const r = rows[0];
  return { pending: r?.pending ?? 0, fleetCurrent: r?.fleet_current ?? false };
}

export async function windowSummaryStatus(preset: WindowPreset, now: Date, limit = 1_000_000): Promise<SummaryStatus> {
  return statusOf(prisma(), preset, summaryWindow(preset, now), limit);
}

export interface RefreshResult {
  preset: WindowPreset;
  /** host rows recomputed */
  hosts: number;
  batches: number;
  fleet: boolean;
  /** another process held the preset's lock: nothing done */
  skipped: boolean;
  /** rows still pending when maxHosts was reached */
  left: number;
  ms: number;
}

/**
 * Recomputes the preset's pending host rows (at most `maxHosts`), `batchSize` hosts per transaction, then
 * the fleet row when every host row is current. Returns at once when another process holds the lock
 * (`waitMs`: waits that long for it first).
 */
export async function refreshWindowSummary(
  preset: WindowPreset,
  opts: { now: Date; batchSize?: number; maxHosts?: number; waitMs?: number },
): Promise<RefreshResult> {
  const t0 = Date.now();
  const w = summaryWindow(preset, opts.now);
  const batchSize = opts.batchSize ?? 2000;
  const maxHosts = opts.maxHosts ?? Number.POSITIVE_INFINITY;
  const result: RefreshResult = { preset, hosts: 0, batches: 0, fleet: false, skipped: false, left: 0, ms: 0 };
  for (;;) {
    const step = await prisma().$transaction(
      async (tx) => {
        if (opts.waitMs !== undefined) {
          // a page request: wait a little for another refresher's batch (then give up: the caller goes exact)
          await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(opts.waitMs))}`);
          try {
            await tx.$queryRaw`SELECT 1 AS ok FROM pg_advisory_xact_lock(${LOCK_CLASS}::int, ${lockKey(preset)}::int)`;
          } catch (err) {
            // lock_timeout (55P03): the transaction is aborted, roll it back
            if (/lock timeout|55P03/i.test(err instanceof Error ? err.message : String(err))) throw new LockBusy();
            throw err;
          }
        } else {
          const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${LOCK_CLASS}::int, ${lockKey(preset)}::int) AS ok`;
          if (!lock?.ok) return { skipped: true, done: true, n: 0 };
        }
        const room = Math.min(batchSize, maxHosts - result.hosts);
        const ids =
          room > 0 ? (await tx.$queryRaw<{ hostId: string }[]>`${pendingSql(preset, w, true)} ORDER BY h.id LIMIT ${room}`).map((r) => r.hostId) : [];
        const n = await computeHostsTx(tx, preset, w, ids, opts.now);
        if (ids.length < room || room <= 0) {
          // every host row current (or the budget spent): the fleet row, when its host rows are all current
          const s = await statusOf(tx, preset, w, room <= 0 ? 1_000_000 : 0);
          if (s.pending === 0 && !s.fleetCurrent) {
            await computeFleetTx(tx, preset, w, opts.now);
            result.fleet = true;
          }
          if (room <= 0) result.left = s.pending;
          return { skipped: false, done: true, n };
        }
        return { skipped: false, done: false, n };
      },
      { timeout: 120_000, maxWait: 10_000 },
    ).catch((err: unknown) => {
      if (err instanceof LockBusy) return { skipped: true, done: true, n: 0 };
      throw err;
    });
    result.hosts += step.n;
    if (step.n > 0) result.batches++;
    if (step.skipped) result.skipped = true;
    if (step.done) break;
  }
  result.ms = Date.now() - t0;
  return result;
}

/** Every preset (the refresher's pass: housekeeping and the ingest process's timer). */
export async function refreshWindowSummaries(opts: { now: Date; batchSize?: number }): Promise<RefreshResult[]> {
  const out: RefreshResult[] = [];
  for (const preset of WINDOW_PRESETS) out.push(await refreshWindowSummary(preset, opts));
  return out;
}

/**
 * The rank query over the precomputed rows of `preset` for window `w`. It also says whether they are all
 * current (pending: hosts whose row is missing, for another window or stale; fleet_current: the fleet row was
 * merged from exactly these rows): only then is its answer the exact one.
 */
export function summaryRankSql(input: Omit<FleetReportPageInput, "window">, preset: WindowPreset, w: SummaryWindow): Prisma.Sql {
  const statsCtes = Prisma.sql`
    st AS (
      SELECT "hostId", "histogramSize" AS size, "runs", "overflows" AS ovf, "total", "min", "max", "weightedSum" AS ws, "weightedCycles" AS wc,
        "p50", "p99", "p999", "p9999", "p99999", "stale"
      FROM "LatencyWindowSummary" WHERE "preset" = ${preset} AND "windowFrom" = ${w.from} AND "windowTo" = ${w.to}
    ),
    fl AS (SELECT * FROM "LatencyFleetWindowSummary" WHERE "preset" = ${preset})`;
  const fleetCols = Prisma.sql`
      (SELECT "histogramSize" FROM fl) AS f_size,
      (SELECT "runs" FROM fl) AS f_runs,
      (SELECT "overflows"::text FROM fl) AS f_ovf,
      (SELECT "min" FROM fl) AS f_min,
      (SELECT "max" FROM fl) AS f_max,
      (SELECT "weightedSum" FROM fl) AS f_ws,
      (SELECT "weightedCycles" FROM fl) AS f_wc,
      (SELECT "histogram" FROM fl) AS f_hist`;
  const extraCols = Prisma.sql`,
      (SELECT count(*)::int FROM r WHERE NOT r.st_has OR r.st_stale) AS pending,
      coalesce((
        SELECT fl."windowFrom" = ${w.from} AND fl."windowTo" = ${w.to} AND fl."sourceRows" = a.n AND fl."sourceRev" = a.rev
        FROM fl, (SELECT count(*)::int AS n, coalesce(max("rev"), 0) AS rev FROM "LatencyWindowSummary" WHERE "preset" = ${preset}) a), false) AS fleet_current`;
  return rankOverStatsSql(input, statsCtes, fleetCols, extraCols);
}

/** A page ranked from the summaries, and whether they were all current (else the caller must not use it). */
export async function rankFromSummaries(
  input: Omit<FleetReportPageInput, "window">,
  preset: WindowPreset,
  w: SummaryWindow,
): Promise<{ rank: FleetRankResult; status: SummaryStatus }> {
  const { result, row } = await runRankQueryRow<{ pending: number; fleet_current: boolean }>(input, summaryRankSql(input, preset, w));
  return { rank: result, status: { pending: row.pending, fleetCurrent: row.fleet_current } };
}
