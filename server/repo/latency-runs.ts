/** Stored cyclictest runs and rollups, read back as histogram parts: queries and row decoding only. */
import { prisma } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";
import type { HistogramPart, LatencyUnit, SparseHistogramRecord } from "@/server/domain/latency/histogram";
import { rollupAsPart, rollupPartOfRun } from "@/server/domain/latency/rollup";
import type { TrendResolution } from "@/server/domain/latency/trend";
import { histogramRecordOf, rollupValueOf } from "@/server/repo/latency-ingest";
import type { Db } from "@/server/repo/profiles";

/** A run row's stat columns; H is how the histogram column arrives (JSON through Prisma, text from raw SQL). */
export type RunStatColumns<H> = {
  unit: string;
  histogramSize: number;
  cycles: bigint;
  overflows: bigint;
  min: number | null;
  max: number | null;
  avg: number | null;
  histogram: H;
};

const RUN_STAT_SELECT = { unit: true, histogramSize: true, cycles: true, overflows: true, min: true, max: true, avg: true, histogram: true } as const;

const RUN_SUMMARY_SELECT = {
  id: true,
  hostId: true,
  startedAt: true,
  durationS: true,
  source: true,
  load: true,
  priority: true,
  intervalUs: true,
  toolVersion: true,
  ...RUN_STAT_SELECT,
} as const;

const unitOf = (u: string): LatencyUnit => (u === "ns" ? "ns" : "us");

/** A run in its own unit (for the run's own statistics). */
function runPartNative(r: RunStatColumns<Prisma.JsonValue>): HistogramPart {
  return {
    unit: unitOf(r.unit),
    histogramSize: r.histogramSize,
    histogram: histogramRecordOf(r.histogram),
    overflows: Number(r.overflows),
    cycles: Number(r.cycles),
    min: r.min,
    max: r.max,
    avg: r.avg,
  };
}

/** A run as a µs part for window maths (null: an ns run too small to express in µs buckets). */
export function runPartUs(r: RunStatColumns<unknown>, histogram: SparseHistogramRecord): HistogramPart | null {
  return rollupPartOfRun({
    unit: r.unit,
    histogramSize: r.histogramSize,
    cycles: Number(r.cycles),
    overflows: Number(r.overflows),
    min: r.min,
    max: r.max,
    avg: r.avg,
    histogram,
  });
}

export type StoredRunSummary = {
  id: string;
  hostId: string;
  startedAt: Date;
  durationS: number;
  source: string;
  load: string;
  unit: LatencyUnit;
  histogramSize: number;
  priority: number | null;
  intervalUs: number | null;
  toolVersion: string | null;
  cpus: Array<number | null>;
  /** the run's merged histogram in its own unit */
  part: HistogramPart;
};

type SummaryRow = RunStatColumns<Prisma.JsonValue> & Omit<StoredRunSummary, "unit" | "histogramSize" | "cpus" | "part">;

function summaryOf(r: SummaryRow, cpus: Array<number | null>): StoredRunSummary {
  return {
    id: r.id,
    hostId: r.hostId,
    startedAt: r.startedAt,
    durationS: r.durationS,
    source: r.source,
    load: r.load,
    unit: unitOf(r.unit),
    histogramSize: r.histogramSize,
    priority: r.priority,
    intervalUs: r.intervalUs,
    toolVersion: r.toolVersion,
    cpus,
    part: runPartNative(r),
  };
}

export async function listRunSummaries(hostId: string, opts: { limit: number; before?: Date }): Promise<StoredRunSummary[]> {
  const runs = await prisma().latencyRun.findMany({
    where: { hostId, ...(opts.before ? { startedAt: { lt: opts.before } } : {}) },
    orderBy: [{ startedAt: "desc" }, { id: "asc" }],
    take: opts.limit,
    select: { ...RUN_SUMMARY_SELECT, threads: { select: { cpu: true }, orderBy: { thread: "asc" } } },
  });
  return runs.map((r) => summaryOf(r, r.threads.map((t) => t.cpu)));
}

export type StoredRunDetail = StoredRunSummary & {
  hostname: string;
  cmdline: string | null;
  threads: Array<{ thread: number; cpu: number | null; part: HistogramPart }>;
};

/** One run with its threads; `{ hostId }` = that host's latest run. null when there is none. */
export async function findRunDetail(q: { runId: string } | { hostId: string }): Promise<StoredRunDetail | null> {
  const r = await prisma().latencyRun.findFirst({
    where: "runId" in q ? { id: q.runId } : { hostId: q.hostId },
    orderBy: [{ startedAt: "desc" }, { id: "asc" }],
    select: { ...RUN_SUMMARY_SELECT, host: { select: { hostname: true } }, cmdline: true, threads: { orderBy: { thread: "asc" } } },
  });
  if (!r) return null;
  const unit = unitOf(r.unit);
  return {
    ...summaryOf(r, r.threads.map((t) => t.cpu)),
    hostname: r.host.hostname,
    cmdline: r.cmdline,
    threads: r.threads.map((t) => ({
      thread: t.thread,
      cpu: t.cpu,
      part: { unit, histogramSize: r.histogramSize, histogram: histogramRecordOf(t.histogram), overflows: Number(t.overflows), cycles: Number(t.cycles), min: t.min, max: t.max, avg: t.avg },
    })),
  };
}

/** µs parts per run start (runs not expressible in µs are left out), oldest first, at most `limit`. */
export async function runPartsBetween(hostId: string, from: Date, to: Date, limit: number): Promise<{ at: Date; part: HistogramPart }[]> {
  const runs = await prisma().latencyRun.findMany({
    where: { hostId, startedAt: { gte: from, lt: to } },
    select: { startedAt: true, ...RUN_STAT_SELECT },
    orderBy: { startedAt: "asc" },
    take: limit,
  });
  return runs.flatMap((r) => {
    const part = runPartUs(r, histogramRecordOf(r.histogram));
    return part ? [{ at: r.startedAt, part }] : [];
  });
}

/** Hour or day rollups with runs, bucket start in [from, to), oldest first. */
export async function rollupPartsBetween(hostId: string, granularity: Exclude<TrendResolution, "run">, from: Date, to: Date): Promise<{ at: Date; part: HistogramPart }[]> {
  const rollups = await prisma().latencyRollup.findMany({
    where: { hostId, granularity, bucketStart: { gte: from, lt: to }, runs: { gt: 0 } },
    select: { bucketStart: true, histogramSize: true, runs: true, cycles: true, overflows: true, min: true, max: true, weightedSum: true, histogram: true },
    orderBy: { bucketStart: "asc" },
  });
  return rollups.map((r) => ({ at: r.bucketStart, part: rollupAsPart(rollupValueOf(r)) }));
}

export async function findRunIdByIdempotencyKey(hostId: string, idempotencyKey: string, db: Db = prisma()): Promise<string | null> {
  const r = await db.latencyRun.findUnique({ where: { hostId_idempotencyKey: { hostId, idempotencyKey } }, select: { id: true } });
  return r?.id ?? null;
}

/**
 * Serialises stores of one (host, idempotency key) for the rest of the caller's transaction. The unique key
 * includes startedAt (the partition key), so two uploads of one file with different start times are told
 * apart only by looking first: callers lock, look, then store.
 */
export async function lockRunKeyTx(tx: Prisma.TransactionClient, hostId: string, idempotencyKey: string): Promise<void> {
  // pg_advisory_xact_lock returns void, which the adapter cannot decode: wrap it so the statement returns a row count.
  await tx.$executeRaw`SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(${`latency-run:${hostId}:${idempotencyKey}`}::text))) AS l`;
}
