/**
 * The window read behind every latency statistic: µs histogram parts covering [from, to) exactly, per host —
 * day rollups, hour rollups at the edges, raw runs in the partial hours (server/domain/latency/window-cover).
 */
import { prisma } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";
import type { HistogramPart, SparseHistogramRecord } from "@/server/domain/latency/histogram";
import { rollupAsPart, type RollupValue } from "@/server/domain/latency/rollup";
import { planWindowCover, type TimeRange } from "@/server/domain/latency/window-cover";
import { runPartUs, type RunStatColumns } from "@/server/repo/latency-runs";

type RollupTextRow = { hostId: string; count: number; rows: string };

/** One "size|runs|cycles|overflows|min|max|weightedSum|{histogram}" line (see loadWindowParts). */
function parseRollupLine(line: string): RollupValue {
  const f = line.split("|");
  if (f.length !== 8) throw new Error(`rollup line with ${f.length} fields`);
  const num = (i: number) => Number(f[i]);
  const opt = (i: number) => (f[i] === "" ? null : Number(f[i]));
  return {
    unit: "us",
    histogramSize: num(0),
    runs: num(1),
    cycles: num(2),
    overflows: num(3),
    min: opt(4),
    max: opt(5),
    weightedSum: num(6),
    histogram: parseHistogramText(f[7] ?? "{}"),
  };
}

type RunTextRow = RunStatColumns<string> & { hostId: string };

function parseHistogramText(text: string): SparseHistogramRecord {
  const v: unknown = JSON.parse(text);
  if (typeof v !== "object" || v === null || Array.isArray(v)) return {};
  return v as SparseHistogramRecord; // written only by latency-ingest; entries are re-validated by mergeHistograms
}

export interface WindowParts {
  parts: HistogramPart[];
  /** ns runs with N < 1000 ns: stored, but not expressible in µs windows */
  excludedRuns: number;
  /** rollup + run rows read */
  rowsRead: number;
}

/** Per host (`hostIds` null = every host). */
export async function loadWindowParts(hostIds: readonly string[] | null, range: TimeRange): Promise<Map<string, WindowParts>> {
  const cover = planWindowCover(range.from, range.to);
  const db = prisma();
  const hostSql = hostIds === null ? Prisma.empty : Prisma.sql`AND "hostId" IN (${Prisma.join(hostIds.map((id) => Prisma.sql`${id}::uuid`))})`;
  const rollupSql: Prisma.Sql[] = [];
  if (cover.days) rollupSql.push(Prisma.sql`("granularity" = 'day' AND "bucketStart" >= ${cover.days.from} AND "bucketStart" < ${cover.days.to})`);
  for (const h of cover.hours) rollupSql.push(Prisma.sql`("granularity" = 'hour' AND "bucketStart" >= ${h.from} AND "bucketStart" < ${h.to})`);
  // Rollups come back as one text row per host ("size|runs|cycles|overflows|min|max|Σ|{json}" lines):
  // a 1,000-host 30-day report reads ~30,000 rows, and the ORM's per-column mapping of that many rows
  // cost ~5× more than this (measured for npm run bench; see docs/latency.md).
  const [rollups, runs] = await Promise.all([
    rollupSql.length === 0 || (hostIds !== null && hostIds.length === 0)
      ? Promise.resolve([] as RollupTextRow[])
      : db.$queryRaw<RollupTextRow[]>`
          SELECT "hostId"::text AS "hostId", count(*)::int AS "count",
            string_agg(concat_ws('|', "histogramSize", "runs", "cycles", "overflows", coalesce("min"::text, ''), coalesce("max"::text, ''), "weightedSum", "histogram"::text), E'\n') AS "rows"
          FROM "LatencyRollup"
          WHERE "runs" > 0 ${hostSql} AND (${Prisma.join(rollupSql, " OR ")})
          GROUP BY "hostId"`,
    cover.raw.length === 0 || (hostIds !== null && hostIds.length === 0)
      ? Promise.resolve([] as RunTextRow[])
      : db.$queryRaw<RunTextRow[]>`
          SELECT "hostId"::text AS "hostId", "unit", "histogramSize", "cycles", "overflows", "min", "max", "avg", "histogram"::text AS "histogram"
          FROM "LatencyRun"
          WHERE TRUE ${hostSql} AND (${Prisma.join(
            cover.raw.map((r) => Prisma.sql`("startedAt" >= ${r.from} AND "startedAt" < ${r.to})`),
            " OR ",
          )})`,
  ]);
  const out = new Map<string, WindowParts>();
  const entry = (hostId: string): WindowParts => {
    let e = out.get(hostId);
    if (!e) {
      e = { parts: [], excludedRuns: 0, rowsRead: 0 };
      out.set(hostId, e);
    }
    return e;
  };
  for (const r of rollups) {
    const e = entry(r.hostId);
    for (const line of r.rows.split("\n")) e.parts.push(rollupAsPart(parseRollupLine(line)));
    e.rowsRead += r.count;
  }
  for (const r of runs) {
    const e = entry(r.hostId);
    e.rowsRead++;
    const p = runPartUs(r, parseHistogramText(r.histogram));
    if (p) e.parts.push(p);
    else e.excludedRuns++;
  }
  return out;
}

