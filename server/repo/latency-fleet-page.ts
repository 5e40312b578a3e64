/**
 * The fleet latency report at fleet scale: every host's merged window statistics are ranked in SQL
 * (percentiles by a running sum over the merged sparse histogram, the SLO verdict against the resolved
 * profile's targets), and the counts and the fleet's merged histogram come back with one page of host ids.
 * Same semantics as loadWindowParts + mergeManyParts + percentiles + sloVerdict (server/domain/latency),
 * except that raw ns runs in a window's partial edge hours are left out of the ranks (the page's rows
 * themselves are computed by the domain code, exactly).
 */
import { Prisma } from "@/server/generated/prisma/client";
import { prisma } from "@/server/db";
import type { FleetReportPageInput } from "@/server/contract/api/latency";
import type { HistogramPart, SparseHistogramRecord } from "@/server/domain/latency/histogram";
import { planWindowCover, type TimeRange } from "@/server/domain/latency/window-cover";
import { GUEST_PROFILE_ID, HOST_PROFILE_ID } from "@/server/domain/compliance/builtin-profiles";
import { DEFAULT_SLO } from "@/server/domain/latency/slo";

/** [num, den] of each reported percentile: cum·den ≥ num·total (percentiles() in histogram.ts). */
export const QUANTILES = { p50: [50, 100], p99: [99, 100], p999: [999, 1000], p9999: [9999, 10000], p99999: [99999, 100000] } as const;
export type QKey = keyof typeof QUANTILES;
const SORT_Q: Record<string, QKey> = { p50: "p50", p99: "p99", "p99.9": "p999", "p99.99": "p9999", "p99.999": "p99999" };

/** The µs histogram parts covering the window, per host (`hostIds`: only these hosts). */
export function partsSql(range: TimeRange, hostIds?: readonly string[]): Prisma.Sql {
  const cover = planWindowCover(range.from, range.to);
  const only = hostIds === undefined ? Prisma.empty : Prisma.sql`AND "hostId" = ANY(${[...hostIds]}::uuid[])`;
  const rollup: Prisma.Sql[] = [];
  if (cover.days) rollup.push(Prisma.sql`("granularity" = 'day' AND "bucketStart" >= ${cover.days.from} AND "bucketStart" < ${cover.days.to})`);
  for (const h of cover.hours) rollup.push(Prisma.sql`("granularity" = 'hour' AND "bucketStart" >= ${h.from} AND "bucketStart" < ${h.to})`);
  const selects: Prisma.Sql[] = [];
  if (rollup.length > 0) {
    selects.push(Prisma.sql`
      SELECT "hostId", "histogramSize" AS size, "runs" AS runs, "cycles"::bigint AS cycles, "overflows"::bigint AS ovf, "min", "max",
        "weightedSum" AS ws, "cycles"::float8 AS wc, "histogram"
      FROM "LatencyRollup" WHERE "runs" > 0 ${only} AND (${Prisma.join(rollup, " OR ")})`);
  }
  if (cover.raw.length > 0) {
    selects.push(Prisma.sql`
      SELECT "hostId", "histogramSize", 1, "cycles", "overflows", "min", "max",
        coalesce("avg" * "cycles", 0), CASE WHEN "avg" IS NULL THEN 0 ELSE "cycles"::float8 END, "histogram"
      FROM "LatencyRun" WHERE "unit" = 'us' ${only} AND (${Prisma.join(
        cover.raw.map((r) => Prisma.sql`("startedAt" >= ${r.from} AND "startedAt" < ${r.to})`),
        " OR ",
      )})`);
  }
  if (selects.length === 0) {
    return Prisma.sql`SELECT NULL::uuid AS "hostId", 0 AS size, 0 AS runs, 0::bigint AS cycles, 0::bigint AS ovf, NULL::float8 AS "min", NULL::float8 AS "max", 0::float8 AS ws, 0::float8 AS wc, '{}'::jsonb AS histogram WHERE FALSE`;
  }
  return Prisma.join(selects, " UNION ALL ");
}

function sortKeySql(sort: FleetReportPageInput["sort"]): Prisma.Sql {
  const q = SORT_Q[sort];
  if (q) {
    const col = Prisma.raw(q);
    // a lower bound "> N" sorts just above N; no data sorts as -1 (the report's own order)
    return Prisma.sql`CASE WHEN r.total IS NULL OR r.total = 0 THEN -1 WHEN r.${col} IS NULL THEN r.size + 0.5 ELSE r.${col} END`;
  }
  switch (sort) {
    case "host":
      return Prisma.sql`NULL::float8`;
    case "min":
      return Prisma.sql`coalesce(r."min", -1)`;
    case "max":
      return Prisma.sql`coalesce(r."max", -1)`;
    case "mean":
      return Prisma.sql`coalesce(CASE WHEN r.wc > 0 THEN r.ws / r.wc END, -1)`;
    case "cycles":
      return Prisma.sql`coalesce(r.total, 0)`;
    default:
      return Prisma.sql`CASE r.slo WHEN 'fail' THEN 0 WHEN 'pass' THEN 1 WHEN 'no-target' THEN 2 ELSE 3 END`;
  }
}

export type FleetRankResult = {
  hosts: number;
  hostsWithData: number;
  failing: number;
  matching: number;
  page: number;
  /** the page's host ids, in order */
  ids: string[];
  /** every host's window merged into one part (null: no data in the window) */
  fleet: HistogramPart | null;
};

type RankRow = {
  hosts: number;
  with_data: number;
  failing: number;
  matching: number;
  offset: number;
  ids: string[] | null;
  f_size: number | null;
  f_runs: number | null;
  f_ovf: string | null;
  f_min: number | null;
  f_max: number | null;
  f_ws: number | null;
  f_wc: number | null;
  f_hist: Record<string, string | number> | null;
};

/**
 * Every host's merged window statistics as CTEs over the histogram parts (parts, hp, b, t, c, q, then st:
 * "hostId", size, runs, ovf, total, min, max, ws, wc, p50 … p99999), and b (per host and bucket) for the
 * fleet. `needed`: the quantiles to compute (the others are NULL); each is an aggregate over every bucket row.
 */
export function windowStatsCtes(range: TimeRange, needed: ReadonlySet<QKey>, hostIds?: readonly string[]): Prisma.Sql {
  const qCols = Prisma.join(
    (Object.entries(QUANTILES) as [QKey, readonly [number, number]][]).map(([k, [num, den]]) =>
      needed.has(k)
        ? Prisma.sql`min(c.bucket) FILTER (WHERE c.cum * ${den}::bigint >= ${num}::bigint * t.total) AS ${Prisma.raw(k)}`
        : Prisma.sql`NULL::int AS ${Prisma.raw(k)}`,
    ),
    ", ",
  );
  return Prisma.sql`
    parts AS MATERIALIZED (${partsSql(range, hostIds)}),
    hp AS (
      SELECT "hostId", min(size) AS size, sum(runs)::int AS runs, sum(ovf)::bigint AS ovf,
        min("min") FILTER (WHERE cycles > 0) AS "min", max("max") FILTER (WHERE cycles > 0) AS "max", sum(ws) AS ws, sum(wc) AS wc
      FROM parts GROUP BY "hostId"
    ),
    b AS MATERIALIZED (
      SELECT p."hostId", e.key::int AS bucket, sum(e.value::bigint)::bigint AS n
      FROM parts p CROSS JOIN LATERAL jsonb_each_text(p.histogram) e
      GROUP BY 1, 2
    ),
    t AS (
      SELECT hp.*, hp.ovf + coalesce(bs.n, 0) AS total
      FROM hp LEFT JOIN (SELECT "hostId", sum(n)::bigint AS n FROM b GROUP BY 1) bs USING ("hostId")
    ),
    c AS (
      SELECT b."hostId", b.bucket, (sum(b.n) OVER (PARTITION BY b."hostId" ORDER BY b.bucket))::bigint AS cum
      FROM b JOIN hp USING ("hostId") WHERE b.bucket < hp.size AND b.n > 0
    ),
    q AS (
      SELECT t."hostId", ${qCols} FROM t JOIN c USING ("hostId") GROUP BY t."hostId"
    ),
    st AS (
      SELECT t."hostId", t.size, t.runs, t.ovf, t.total, t."min", t."max", t.ws, t.wc, q.p50, q.p99, q.p999, q.p9999, q.p99999, FALSE AS stale
      FROM t LEFT JOIN q USING ("hostId")
    )`;
}

/** The fleet columns (f_size … f_hist) of the exact query: every part merged. */
const EXACT_FLEET_SQL = Prisma.sql`
      (SELECT min(size) FROM parts) AS f_size,
      (SELECT sum(runs)::int FROM parts) AS f_runs,
      (SELECT sum(ovf)::text FROM parts) AS f_ovf,
      (SELECT min("min") FILTER (WHERE cycles > 0) FROM parts) AS f_min,
      (SELECT max("max") FILTER (WHERE cycles > 0) FROM parts) AS f_max,
      (SELECT sum(ws) FROM parts) AS f_ws,
      (SELECT sum(wc) FROM parts) AS f_wc,
      (SELECT jsonb_object_agg(bucket::text, n) FROM (SELECT bucket, sum(n)::bigint AS n FROM b GROUP BY bucket) fb WHERE n > 0) AS f_hist`;

/**
 * Ranking, filtering, counting and paging over per-host statistics: `statsCtes` defines st (one row per
 * measured host: size, total, min, max, ws, wc, p50 … p99999, stale); the SLO verdict comes from the host's
 * profile resolved now; `fleetCols` gives the fleet columns f_size … f_hist; `extraCols` more (", …").
 */
export function rankOverStatsSql(input: Omit<FleetReportPageInput, "window">, statsCtes: Prisma.Sql, fleetCols: Prisma.Sql, extraCols: Prisma.Sql = Prisma.empty): Prisma.Sql {
  const dir = input.dir === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const search = input.q.trim().toLowerCase();
  const matchSql = Prisma.join(
    [
      search === "" ? Prisma.sql`TRUE` : Prisma.sql`strpos(lower(r.hostname), ${search}) > 0`,
      input.slo === "all" ? Prisma.sql`TRUE` : Prisma.sql`r.slo = ${input.slo}`,
    ],
    " AND ",
  );
  const offset = (input.page - 1) * input.pageSize;
  const order = Prisma.sql`m.k ${dir} NULLS LAST, m.hostname ${input.sort === "host" ? dir : Prisma.sql`ASC`}, m."hostId"`;
  return Prisma.sql`
    WITH ${statsCtes},
    -- the host's resolved profile (resolveProfile): its own, else its first assigned label's (code-point order),
    -- else the built-in default; set-based (a correlated lookup per host cost ~140 ms at 20,000 hosts)
    lab AS (
      SELECT DISTINCT ON (h.id) h.id AS "hostId", a."profileId"
      FROM "ProfileLabelAssignment" a JOIN "Profile" y ON y.id = a."profileId" JOIN "Host" h ON a.label = ANY(h.labels)
      ORDER BY h.id, a.label COLLATE "C"
    ),
    prof AS (
      SELECT h.id AS "hostId", h.hostname, p.id AS pid, p."sloMaxUs", p."sloP99999Us"
      FROM "Host" h
      LEFT JOIN "Profile" x ON x.id = h."profileId"
      LEFT JOIN lab ON lab."hostId" = h.id
      LEFT JOIN "Profile" p ON p.id = coalesce(x.id, lab."profileId", CASE WHEN h."isVirtual" THEN ${GUEST_PROFILE_ID} ELSE ${HOST_PROFILE_ID} END)
    ),
    tg AS (
      SELECT prof.*,
        CASE WHEN pid IS NULL OR ("sloMaxUs" IS NULL AND "sloP99999Us" IS NULL) THEN ${DEFAULT_SLO.maxUs}::float8 ELSE "sloMaxUs" END AS tmax,
        CASE WHEN pid IS NULL OR ("sloMaxUs" IS NULL AND "sloP99999Us" IS NULL) THEN ${DEFAULT_SLO.p99999Us}::float8 ELSE "sloP99999Us" END AS tp5
      FROM prof
    ),
    r AS (
      SELECT tg."hostId", tg.hostname, st.size, st.total, st."min", st."max", st.ws, st.wc, st.p50, st.p99, st.p999, st.p9999, st.p99999,
        st."hostId" IS NOT NULL AS st_has, st.stale AS st_stale,
        CASE
          WHEN tg.tmax IS NULL AND tg.tp5 IS NULL THEN 'no-target'
          WHEN st.total IS NULL OR st.total = 0 THEN 'no-data'
          WHEN (tg.tmax IS NOT NULL AND (st."max" IS NULL OR st."max" > tg.tmax))
            OR (tg.tp5 IS NOT NULL AND (
              (st.p99999 IS NULL AND (st.size IS NULL OR st.size > tg.tp5 OR st."max" IS NULL OR st."max" > tg.tp5))
              OR (st.p99999 IS NOT NULL AND st.p99999 > tg.tp5)))
            THEN 'fail'
          ELSE 'pass'
        END AS slo
      FROM tg LEFT JOIN st USING ("hostId")
    ),
    m AS (
      SELECT r."hostId", r.hostname, ${sortKeySql(input.sort)} AS k FROM r WHERE ${matchSql}
    ),
    mc AS (SELECT count(*)::int AS n FROM m),
    off AS (SELECT least(${offset}, greatest(0, ((mc.n + ${input.pageSize} - 1) / ${input.pageSize} - 1) * ${input.pageSize})) AS o FROM mc),
    -- OFFSET + LIMIT: a top-N sort of the page's rows, not a sort of every host
    pg AS (
      SELECT m."hostId", m.k, m.hostname FROM m
      ORDER BY ${order} OFFSET (SELECT o FROM off) LIMIT ${input.pageSize}
    )
    SELECT
      (SELECT count(*)::int FROM r) AS hosts,
      (SELECT count(*)::int FROM r WHERE r.total > 0) AS with_data,
      (SELECT count(*)::int FROM r WHERE r.slo = 'fail') AS failing,
      (SELECT n FROM mc) AS matching,
      (SELECT o FROM off)::int AS "offset",
      (SELECT array_agg(m."hostId"::text ORDER BY ${order}) FROM pg m) AS ids,
      ${fleetCols}${extraCols}`;
}

/** The quantiles the exact query computes: the sort's and p99.999 (for the SLO). */
function neededQuantiles(sort: FleetReportPageInput["sort"]): Set<QKey> {
  return new Set<QKey>(["p99999", ...(SORT_Q[sort] ? [SORT_Q[sort] as QKey] : [])]);
}

/** The one exact query behind a page of the report, merging every host's histograms (exported for the bench's EXPLAIN ANALYZE). */
export function fleetLatencyRankSql(input: Omit<FleetReportPageInput, "window">, range: TimeRange): Prisma.Sql {
  return rankOverStatsSql(input, windowStatsCtes(range, neededQuantiles(input.sort)), EXACT_FLEET_SQL);
}

/** Runs a rank query (exact, or over the precomputed summaries) and shapes its one row. */
export async function runRankQuery(input: Pick<FleetReportPageInput, "pageSize">, sql: Prisma.Sql): Promise<FleetRankResult> {
  return (await runRankQueryRow<object>(input, sql)).result;
}

/** runRankQuery, and the row itself (for the extra columns). */
export async function runRankQueryRow<X extends object>(input: Pick<FleetReportPageInput, "pageSize">, sql: Prisma.Sql): Promise<{ result: FleetRankResult; row: RankRow & X }> {
  const rows = await prisma().$queryRaw<(RankRow & X)[]>(sql);
  const r = rows[0];
  if (!r) throw new Error("fleet latency rank: no row");
  const fleet: HistogramPart | null =
    r.f_size === null || r.f_hist === null
      ? null
      : {
          unit: "us",
          histogramSize: r.f_size,
          histogram: Object.fromEntries(Object.entries(r.f_hist).map(([k, v]) => [k, Number(v)])) as SparseHistogramRecord,
          overflows: Number(r.f_ovf ?? 0),
          min: r.f_min,
          max: r.f_max,
          weightedSum: r.f_ws ?? 0,
          weightedCycles: r.f_wc ?? 0,
          runs: r.f_runs ?? 0,
        };
  return {
    result: { hosts: r.hosts, hostsWithData: r.with_data, failing: r.failing, matching: r.matching, page: Math.floor(r.offset / input.pageSize) + 1, ids: r.ids ?? [], fleet },
    row: r,
  };
}

export async function rankFleetLatency(input: Omit<FleetReportPageInput, "window">, range: TimeRange): Promise<FleetRankResult> {
  return runRankQuery(input, fleetLatencyRankSql(input, range));
}

/** Every host id by hostname, in keyset batches (the CSV export reads the fleet a batch at a time). */
export async function* hostIdBatches(batchSize = 500): AsyncGenerator<string[]> {
  let after: { hostname: string; id: string } | null = null;
  for (;;) {
    const cursor: Prisma.Sql = after ? Prisma.sql`WHERE (h.hostname, h.id) > (${after.hostname}, ${after.id}::uuid)` : Prisma.empty;
    const rows: { id: string; hostname: string }[] = await prisma().$queryRaw<{ id: string; hostname: string }[]>`
      SELECT h.id::text AS id, h.hostname FROM "Host" h ${cursor} ORDER BY h.hostname, h.id LIMIT ${batchSize}`;
    if (rows.length === 0) return;
    yield rows.map((r) => r.id);
    const last: { id: string; hostname: string } = rows[rows.length - 1]!;
    after = { hostname: last.hostname, id: last.id };
    if (rows.length < batchSize) return;
  }
}
