/**
 * Storing cyclictest runs: the run (totals merged across threads), its threads, and the hour + day
 * rollups it falls in — all inside the caller's transaction, so a run is never visible without its
 * rollups (and a rejected report stores nothing).
 *
 * Rollup concurrency: for each affected key, `INSERT … ON CONFLICT DO NOTHING` makes sure the row
 * exists, then `SELECT … ORDER BY key FOR UPDATE` locks the rows in one global order (no deadlock
 * between two reports touching the same hour and day), the merge runs in TypeScript with the same
 * pure code as every read (mergeHistograms), and one UPDATE per key writes it back. Two agents or an
 * agent and an upload for the same host serialise on the row; different hosts never contend.
 */
import { Prisma } from "@/server/generated/prisma/client";
import type { LatencyRunReport } from "@/server/contract/sections/latency";
import type { HistogramPart, SparseHistogramRecord } from "@/server/domain/latency/histogram";
import { agentRunIdempotencyKey, runFromReport } from "@/server/domain/latency/report-run";
import { mergeIntoRollup, rollupPartOfRun, type RollupValue } from "@/server/domain/latency/rollup";
import { addPrometheusLatencyCounts, emptyPrometheusLatencyCounts, prometheusLatencyCountsOf, type PrometheusLatencyCounts } from "@/server/domain/latency/prometheus-buckets";
import { runTotals, type LatencyRunData } from "@/server/domain/latency/run";
import { rollupKeyId, rollupKeysFor, type RollupKey } from "@/server/domain/latency/time-buckets";
import { markWindowSummariesTx } from "@/server/repo/latency-window-summary";

export type LatencyRunSource = "agent" | "upload" | "simulated";

export interface RunToStore {
  run: LatencyRunData;
  source: LatencyRunSource;
  /** unique per host; a second run with the same key is not stored again */
  idempotencyKey: string;
}

export interface StoredRun {
  idempotencyKey: string;
  /** null when the key was already stored (duplicate) */
  id: string | null;
  duplicate: boolean;
}

/** JSON from the database as a sparse histogram record (written only by this module). */
export function histogramRecordOf(v: Prisma.JsonValue): SparseHistogramRecord {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return {};
  const out: SparseHistogramRecord = {};
  for (const [k, c] of Object.entries(v)) if (typeof c === "number") out[k] = c;
  return out;
}

/** A rollup row's value columns as Prisma and raw SQL return them. */
export type RollupColumns = {
  histogramSize: number;
  runs: number;
  cycles: bigint;
  overflows: bigint;
  min: number | null;
  max: number | null;
  weightedSum: number;
  histogram: Prisma.JsonValue;
};

type RollupRow = RollupColumns & { granularity: string; bucketStart: Date };

export function rollupValueOf(r: RollupColumns): RollupValue {
  return {
    unit: "us",
    histogramSize: r.histogramSize,
    runs: r.runs,
    cycles: Number(r.cycles),
    overflows: Number(r.overflows),
    min: r.min,
    max: r.max,
    weightedSum: r.weightedSum,
    histogram: histogramRecordOf(r.histogram),
  };
}

/** Merges run parts into the host's rollups for the given keys (caller's transaction). */
export async function mergeIntoRollupsTx(
  tx: Prisma.TransactionClient,
  hostId: string,
  byKey: Map<string, { key: RollupKey; parts: HistogramPart[] }>,
): Promise<void> {
  if (byKey.size === 0) return;
  const keys = [...byKey.values()].map((v) => v.key).sort((a, b) => (rollupKeyId(a) < rollupKeyId(b) ? -1 : 1));
  await tx.$executeRaw`
    INSERT INTO "LatencyRollup" ("hostId", "granularity", "bucketStart", "unit", "histogramSize", "runs", "cycles", "overflows", "weightedSum", "histogram")
    VALUES ${Prisma.join(
      keys.map((k) => Prisma.sql`(${hostId}::uuid, ${k.granularity}, ${k.bucketStart}, 'us', 1, 0, 0, 0, 0, '{}'::jsonb)`),
    )}
    ON CONFLICT ("hostId", "granularity", "bucketStart") DO NOTHING`;
  const rows = await tx.$queryRaw<RollupRow[]>`
    SELECT "granularity", "bucketStart", "histogramSize", "runs", "cycles", "overflows", "min", "max", "weightedSum", "histogram"
    FROM "LatencyRollup"
    WHERE "hostId" = ${hostId}::uuid
      AND ("granularity", "bucketStart") IN (${Prisma.join(keys.map((k) => Prisma.sql`(${k.granularity}, ${k.bucketStart})`))})
    ORDER BY "granularity", "bucketStart"
    FOR UPDATE`;
  for (const row of rows) {
    const key: RollupKey = { granularity: row.granularity === "day" ? "day" : "hour", bucketStart: row.bucketStart };
    const pending = byKey.get(rollupKeyId(key));
    if (!pending) continue;
    const next = mergeIntoRollup(row.runs > 0 ? rollupValueOf(row) : null, pending.parts);
    await tx.$executeRaw`
      UPDATE "LatencyRollup" SET
        "histogramSize" = ${next.histogramSize}, "runs" = ${next.runs}, "cycles" = ${BigInt(next.cycles)},
        "overflows" = ${BigInt(next.overflows)}, "min" = ${next.min}, "max" = ${next.max},
        "weightedSum" = ${next.weightedSum}, "histogram" = ${JSON.stringify(next.histogram)}::jsonb
      WHERE "hostId" = ${hostId}::uuid AND "granularity" = ${row.granularity} AND "bucketStart" = ${row.bucketStart}`;
  }
}

/** Adds newly stored runs to the host's Prometheus counters (one upsert; counters only add). */
async function addToPrometheusTotalsTx(tx: Prisma.TransactionClient, hostId: string, c: PrometheusLatencyCounts): Promise<void> {
  const le = c.le.map((v) => BigInt(v));
  await tx.$executeRaw`
    INSERT INTO "LatencyPromTotal" ("hostId", "le", "count", "sumSeconds", "updatedAt")
    VALUES (${hostId}::uuid, ${le}::bigint[], ${BigInt(c.count)}, ${c.sumSeconds}, now())
    ON CONFLICT ("hostId") DO UPDATE SET
      "le" = ARRAY(SELECT a + b FROM unnest("LatencyPromTotal"."le", EXCLUDED."le") WITH ORDINALITY AS u(a, b, i) ORDER BY i),
      "count" = "LatencyPromTotal"."count" + EXCLUDED."count",
      "sumSeconds" = "LatencyPromTotal"."sumSeconds" + EXCLUDED."sumSeconds",
      "updatedAt" = now()`;
}

/**
 * Stores runs for one host in the caller's transaction. Idempotent per (host, idempotencyKey).
 * Throws DomainError INVALID for a malformed run (before anything is written).
 */
export async function storeRunsTx(tx: Prisma.TransactionClient, hostId: string, items: readonly RunToStore[]): Promise<StoredRun[]> {
  if (items.length === 0) return [];
  const prepared = items.map((item) => ({ item, totals: runTotals(item.run) }));
  const inserted = await tx.latencyRun.createManyAndReturn({
    data: prepared.map(({ item, totals }) => ({
      hostId,
      startedAt: item.run.startedAt,
      durationS: item.run.durationS,
      toolVersion: item.run.toolVersion,
      cmdline: item.run.cmdline,
      priority: item.run.priority,
      intervalUs: item.run.intervalUs,
      load: item.run.load,
      unit: item.run.unit,
      histogramSize: item.run.histogramSize,
      source: item.source,
      idempotencyKey: item.idempotencyKey,
      cycles: BigInt(totals.cycles),
      overflows: BigInt(totals.overflows),
      min: totals.min,
      max: totals.max,
      avg: totals.avg,
      histogram: totals.histogram,
    })),
    skipDuplicates: true,
    select: { id: true, idempotencyKey: true },
  });
  const idByKey = new Map(inserted.map((r) => [r.idempotencyKey ?? "", r.id]));
  const threads: Prisma.LatencyThreadCreateManyInput[] = [];
  const byKey = new Map<string, { key: RollupKey; parts: HistogramPart[] }>();
  let promTotals: PrometheusLatencyCounts | null = null;
  /** startedAt range of the stored runs that reach the rollups (ms) */
  let span: { min: number; max: number } | null = null;
  for (const { item, totals } of prepared) {
    const id = idByKey.get(item.idempotencyKey);
    if (!id) continue;
    idByKey.delete(item.idempotencyKey); // the same key twice in one batch: only the first was inserted
    for (const t of item.run.threads) {
      threads.push({
        hostId,
        runStartedAt: item.run.startedAt,
        runId: id,
        thread: t.thread,
        cpu: t.cpu,
        cycles: BigInt(t.cycles),
        overflows: BigInt(t.overflows),
        min: t.min,
        avg: t.avg,
        max: t.max,
        histogram: t.histogram,
      });
    }
    const part = rollupPartOfRun({ unit: item.run.unit, histogramSize: item.run.histogramSize, ...totals });
    if (!part) continue;
    const t = item.run.startedAt.getTime();
    span = span ? { min: Math.min(span.min, t), max: Math.max(span.max, t) } : { min: t, max: t };
    promTotals = addPrometheusLatencyCounts(promTotals ?? emptyPrometheusLatencyCounts(), prometheusLatencyCountsOf(part));
    for (const key of rollupKeysFor(item.run.startedAt)) {
      const k = rollupKeyId(key);
      const entry = byKey.get(k) ?? { key, parts: [] };
      entry.parts.push(part);
      byKey.set(k, entry);
    }
  }
  if (threads.length > 0) await tx.latencyThread.createMany({ data: threads });
  await mergeIntoRollupsTx(tx, hostId, byKey);
  // the preset window summaries these runs fall in are recomputed by the refresher (one upsert, no merge here)
  if (span) await markWindowSummariesTx(tx, hostId, new Date(span.min), new Date(span.max));
  if (promTotals) await addToPrometheusTotalsTx(tx, hostId, promTotals);
  const insertedKeys = new Set(inserted.map((r) => r.idempotencyKey));
  const seen = new Set<string>();
  return items.map((item) => {
    const first = !seen.has(item.idempotencyKey);
    seen.add(item.idempotencyKey);
    const id = first && insertedKeys.has(item.idempotencyKey) ? (inserted.find((r) => r.idempotencyKey === item.idempotencyKey)?.id ?? null) : null;
    return { idempotencyKey: item.idempotencyKey, id, duplicate: id === null };
  });
}

/** Agent path: called by the report transaction (server/repo/reports.ts). */
export async function storeLatencyRunsTx(
  tx: Prisma.TransactionClient,
  hostId: string,
  runs: LatencyRunReport[],
  _reportKey: string,
): Promise<void> {
  await storeRunsTx(
    tx,
    hostId,
    runs.map((r) => ({ run: runFromReport(r), source: "agent", idempotencyKey: agentRunIdempotencyKey(r) })),
  );
}
