/**
 * Latency reads and operator writes: runs, window statistics from rollups (+ raw runs at the edges),
 * trends, the fleet report, comparisons, schedules and uploads. Every statistic comes from merged
 * histograms (server/domain/latency).
 */
import { createHash } from "node:crypto";
import { prisma } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";
import { DomainError } from "@/server/errors";
import { recordAudit, type AuditActor } from "@/server/repo/audit";
import { histogramRecordOf, rollupValueOf, storeRunsTx, type RollupColumns } from "@/server/repo/latency-ingest";
import { histogramEntries, mergeHistograms, type HistogramPart, type LatencyUnit, type SparseHistogramRecord } from "@/server/domain/latency/histogram";
import { driftMarkers, type DriftMarker } from "@/server/domain/latency/drift-markers";
import { rollupAsPart, rollupPartOfRun, type RollupValue } from "@/server/domain/latency/rollup";
import { mergeManyParts } from "@/server/domain/latency/merge-many";
import { DEFAULT_SLO, effectiveSlo, sloVerdict, type SloTargets, type SloVerdict } from "@/server/domain/latency/slo";
import { emptyStats, statsOfParts, type LatencyStats } from "@/server/domain/latency/stats";
import { floorUtc } from "@/server/domain/latency/time-buckets";
import { chooseTrendResolution, trendPoint, type TrendPoint, type TrendResolution } from "@/server/domain/latency/trend";
import { parseUploadedCyclictest, runFromCyclictest } from "@/server/domain/latency/upload";
import { planWindowCover, type TimeRange } from "@/server/domain/latency/window-cover";
import { resolveWindow, type ResolvedWindow, type WindowSpec } from "@/server/domain/latency/window";
import { DEFAULT_SCHEDULE, normaliseSchedule, type LatencyScheduleInput } from "@/server/domain/latency/schedule";
import type { FleetReportRow } from "@/server/domain/latency/csv";

// ── helpers ───────────────────────────────────────────────────────────────────────────────────

/** A run row's stat columns; H is how the histogram column arrives (JSON through Prisma, text from raw SQL). */
type RunStatColumns<H> = {
  unit: string;
  histogramSize: number;
  cycles: bigint;
  overflows: bigint;
  min: number | null;
  max: number | null;
  avg: number | null;
  histogram: H;
};

type RunStatRow = RunStatColumns<Prisma.JsonValue>;

const RUN_STAT_SELECT = {
  unit: true,
  histogramSize: true,
  cycles: true,
  overflows: true,
  min: true,
  max: true,
  avg: true,
  histogram: true,
} as const;

/** The columns summaryOf reads. */
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

function runPartNative(r: RunStatRow): HistogramPart {
  return {
    unit: r.unit === "ns" ? "ns" : "us",
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
function runPartUs(r: RunStatColumns<unknown>, histogram: SparseHistogramRecord): HistogramPart | null {
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

function rollupPart(r: RollupColumns): HistogramPart {
  return rollupAsPart(rollupValueOf(r));
}

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

async function requireHost(hostId: string): Promise<{ id: string; hostname: string }> {
  const host = await prisma().host.findUnique({ where: { id: hostId }, select: { id: true, hostname: true } });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  return host;
}

// ── windows ───────────────────────────────────────────────────────────────────────────────────

export interface WindowParts {
  parts: HistogramPart[];
  /** ns runs with N < 1000 ns: stored, but not expressible in µs windows */
  excludedRuns: number;
  /** rollup + run rows read */
  rowsRead: number;
}

/**
 * µs histogram parts covering [from, to) exactly, per host: day rollups, hour rollups at the edges,
 * raw runs in the partial hours. `hostIds` null = every host.
 */
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

export interface HostWindowStats {
  hostId: string;
  hostname: string;
  window: ResolvedWindow;
  stats: LatencyStats;
  slo: SloVerdict;
  sloTargets: SloTargets;
  excludedRuns: number;
  rowsRead: number;
}

export async function hostWindowStats(hostId: string, spec: WindowSpec, now = new Date()): Promise<HostWindowStats> {
  const range = resolveWindow(spec, now);
  const host = await requireHost(hostId);
  const [parts, targets] = await Promise.all([loadWindowParts([hostId], range), sloTargetsForHosts([hostId])]);
  const p = parts.get(hostId) ?? { parts: [], excludedRuns: 0, rowsRead: 0 };
  const stats = statsOfParts(p.parts);
  const sloTargets = targets.get(hostId)?.targets ?? DEFAULT_SLO;
  return {
    hostId,
    hostname: host.hostname,
    window: range,
    stats,
    slo: sloVerdict(stats, sloTargets),
    sloTargets,
    excludedRuns: p.excludedRuns,
    rowsRead: p.rowsRead,
  };
}

// ── SLO targets ───────────────────────────────────────────────────────────────────────────────

/** Built-in profile a host without an explicit or label-assigned profile is judged by. */
const DEFAULT_PROFILE_ID = "kvm4nfv-host";

export interface HostSlo {
  hostname: string;
  targets: SloTargets;
}

/**
 * Per host: hostname and its profile's SLO (explicit profile → first label (sorted) with an assigned
 * profile → the built-in default profile → max ≤ 20 µs), in ONE query: for 1,000 hosts the ORM's
 * relation loading cost more than the whole histogram merge. Ordered by hostname.
 */
export async function sloTargetsForHosts(hostIds: readonly string[] | null): Promise<Map<string, HostSlo>> {
  const hostSql = hostIds === null ? Prisma.empty : Prisma.sql`WHERE h."id" IN (${Prisma.join(hostIds.length > 0 ? hostIds.map((id) => Prisma.sql`${id}::uuid`) : [Prisma.sql`NULL`])})`;
  const rows = await prisma().$queryRaw<Array<{ id: string; hostname: string; sloMaxUs: number | null; sloP99999Us: number | null; hasProfile: boolean }>>`
    SELECT h."id"::text AS "id", h."hostname", p."sloMaxUs", p."sloP99999Us", (p."id" IS NOT NULL) AS "hasProfile"
    FROM "Host" h
    LEFT JOIN LATERAL (
      SELECT pr."id", pr."sloMaxUs", pr."sloP99999Us" FROM "Profile" pr
      WHERE pr."id" = coalesce(
        h."profileId",
        (SELECT a."profileId" FROM "ProfileLabelAssignment" a WHERE a."label" = ANY (h."labels") ORDER BY a."label" LIMIT 1),
        ${DEFAULT_PROFILE_ID})
    ) p ON TRUE
    ${hostSql}
    ORDER BY h."hostname", h."id"`;
  return new Map(
    rows.map((r) => [r.id, { hostname: r.hostname, targets: effectiveSlo(r.hasProfile ? { sloMaxUs: r.sloMaxUs, sloP99999Us: r.sloP99999Us } : null) }]),
  );
}

// ── fleet report ──────────────────────────────────────────────────────────────────────────────

export interface FleetReport {
  window: ResolvedWindow;
  rows: FleetReportRow[];
  /** every host's histograms merged: the fleet as one distribution */
  fleet: LatencyStats;
  hostsWithData: number;
  rowsRead: number;
}

export async function fleetReport(spec: WindowSpec, now = new Date()): Promise<FleetReport> {
  const range = resolveWindow(spec, now);
  const [partsByHost, hosts] = await Promise.all([loadWindowParts(null, range), sloTargetsForHosts(null)]);
  const rows: FleetReportRow[] = [];
  const fleetParts: HistogramPart[] = [];
  let rowsRead = 0;
  let hostsWithData = 0;
  for (const [hostId, h] of hosts) {
    const p = partsByHost.get(hostId);
    rowsRead += p?.rowsRead ?? 0;
    const merged = p && p.parts.length > 0 ? mergeManyParts(p.parts) : null;
    if (merged) {
      hostsWithData++;
      fleetParts.push(merged);
    }
    const stats = merged ? statsOfParts([merged]) : emptyStats();
    rows.push({ hostId, hostname: h.hostname, stats, slo: sloVerdict(stats, h.targets) });
  }
  return { window: range, rows, fleet: statsOfParts(fleetParts), hostsWithData, rowsRead };
}

// ── trends ────────────────────────────────────────────────────────────────────────────────────

export interface HostTrend {
  hostId: string;
  window: ResolvedWindow;
  resolution: TrendResolution;
  points: TrendPoint[];
  markers: DriftMarker[];
  sloTargets: SloTargets;
}

export async function hostTrend(hostId: string, spec: WindowSpec, resolution?: TrendResolution, now = new Date()): Promise<HostTrend> {
  const range = resolveWindow(spec, now);
  await requireHost(hostId);
  const res = resolution ?? chooseTrendResolution(range.to.getTime() - range.from.getTime());
  const db = prisma();
  let points: TrendPoint[];
  if (res === "run") {
    const runs = await db.latencyRun.findMany({
      where: { hostId, startedAt: { gte: range.from, lt: range.to } },
      select: { startedAt: true, ...RUN_STAT_SELECT },
      orderBy: { startedAt: "asc" },
      take: 5000,
    });
    points = runs.flatMap((r) => {
      const p = runPartUs(r, histogramRecordOf(r.histogram));
      return p ? [trendPoint(r.startedAt, [p])] : [];
    });
  } else {
    const rollups = await db.latencyRollup.findMany({
      where: { hostId, granularity: res, bucketStart: { gte: floorUtc(range.from, res), lt: range.to }, runs: { gt: 0 } },
      select: { hostId: true, bucketStart: true, histogramSize: true, runs: true, cycles: true, overflows: true, min: true, max: true, weightedSum: true, histogram: true },
      orderBy: { bucketStart: "asc" },
    });
    points = rollups.map((r) => trendPoint(r.bucketStart, [rollupPart(r)]));
  }
  const [events, targets] = await Promise.all([
    db.driftEvent.findMany({
      where: { hostId, at: { gte: range.from, lt: range.to } },
      orderBy: { at: "asc" },
      take: 500,
      select: { at: true, kind: true, section: true, key: true, oldValue: true, newValue: true, ruleId: true, oldStatus: true, newStatus: true },
    }),
    sloTargetsForHosts([hostId]),
  ]);
  return { hostId, window: range, resolution: res, points, markers: driftMarkers(events), sloTargets: targets.get(hostId)?.targets ?? DEFAULT_SLO };
}

// ── compare ───────────────────────────────────────────────────────────────────────────────────

export interface ComparedHost {
  hostId: string;
  hostname: string;
  stats: LatencyStats;
  slo: SloVerdict;
  /** merged µs histogram as [bucket, count] pairs, ascending */
  histogram: Array<[number, number]>;
  trend: TrendPoint[];
  markers: DriftMarker[];
}

export async function compareHosts(
  hostIds: readonly string[],
  spec: WindowSpec,
  now = new Date(),
): Promise<{ window: ResolvedWindow; resolution: TrendResolution; hosts: ComparedHost[] }> {
  const range = resolveWindow(spec, now);
  const unique = [...new Set(hostIds)];
  if (unique.length < 2 || unique.length > 4) throw new DomainError("INVALID", "compare 2 to 4 different hosts");
  const hosts = await prisma().host.findMany({ where: { id: { in: unique } }, select: { id: true, hostname: true } });
  if (hosts.length !== unique.length) throw new DomainError("NOT_FOUND", "no such host");
  const resolution = chooseTrendResolution(range.to.getTime() - range.from.getTime());
  const [partsByHost, targets, trends] = await Promise.all([
    loadWindowParts(unique, range),
    sloTargetsForHosts(unique),
    Promise.all(unique.map((id) => hostTrend(id, range, resolution === "run" ? "hour" : resolution, now))),
  ]);
  const out: ComparedHost[] = unique.map((id, i) => {
    const parts = partsByHost.get(id)?.parts ?? [];
    const merged = parts.length > 0 ? mergeHistograms(parts) : null;
    const stats = statsOfParts(parts);
    const trend = trends[i];
    return {
      hostId: id,
      hostname: hosts.find((h) => h.id === id)?.hostname ?? id,
      stats,
      slo: sloVerdict(stats, targets.get(id)?.targets ?? DEFAULT_SLO),
      histogram: merged ? histogramEntries(merged.histogram) : [],
      trend: trend?.points ?? [],
      markers: trend?.markers ?? [],
    };
  });
  return { window: range, resolution: resolution === "run" ? "hour" : resolution, hosts: out };
}

// ── runs ──────────────────────────────────────────────────────────────────────────────────────

export interface RunSummary {
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
  stats: LatencyStats;
}

export async function listRuns(hostId: string, opts: { limit: number; before?: Date }): Promise<RunSummary[]> {
  await requireHost(hostId);
  const runs = await prisma().latencyRun.findMany({
    where: { hostId, ...(opts.before ? { startedAt: { lt: opts.before } } : {}) },
    orderBy: [{ startedAt: "desc" }, { id: "asc" }],
    take: opts.limit,
    select: {
      ...RUN_SUMMARY_SELECT,
      threads: { select: { cpu: true }, orderBy: { thread: "asc" } },
    },
  });
  return runs.map((r) => summaryOf(r, r.threads.map((t) => t.cpu)));
}

function summaryOf(
  r: RunStatRow & { id: string; hostId: string; startedAt: Date; durationS: number; source: string; load: string; priority: number | null; intervalUs: number | null; toolVersion: string | null },
  cpus: Array<number | null>,
): RunSummary {
  return {
    id: r.id,
    hostId: r.hostId,
    startedAt: r.startedAt,
    durationS: r.durationS,
    source: r.source,
    load: r.load,
    unit: r.unit === "ns" ? "ns" : "us",
    histogramSize: r.histogramSize,
    priority: r.priority,
    intervalUs: r.intervalUs,
    toolVersion: r.toolVersion,
    cpus,
    stats: statsOfParts([runPartNative(r)]),
  };
}

export interface RunDetail extends RunSummary {
  hostname: string;
  cmdline: string | null;
  threads: Array<{
    thread: number;
    cpu: number | null;
    stats: LatencyStats;
    histogram: Array<[number, number]>;
  }>;
}

/** One run with its threads; `{ hostId }` alone = that host's latest run (null when it has none). */
export async function getRun(q: { runId: string } | { hostId: string }): Promise<RunDetail | null> {
  const db = prisma();
  const where = "runId" in q ? { id: q.runId } : { hostId: q.hostId };
  if ("hostId" in q) await requireHost(q.hostId);
  const r = await db.latencyRun.findFirst({
    where,
    orderBy: [{ startedAt: "desc" }, { id: "asc" }],
    select: {
      ...RUN_SUMMARY_SELECT,
      host: { select: { hostname: true } },
      cmdline: true,
      threads: { orderBy: { thread: "asc" } },
    },
  });
  if (!r) {
    if ("runId" in q) throw new DomainError("NOT_FOUND", "no such latency run");
    return null;
  }
  const unit: LatencyUnit = r.unit === "ns" ? "ns" : "us";
  return {
    ...summaryOf(r, r.threads.map((t) => t.cpu)),
    hostname: r.host.hostname,
    cmdline: r.cmdline,
    threads: r.threads.map((t) => {
      const histogram = histogramRecordOf(t.histogram);
      return {
        thread: t.thread,
        cpu: t.cpu,
        histogram: histogramEntries(histogram),
        stats: statsOfParts([
          { unit, histogramSize: r.histogramSize, histogram, overflows: Number(t.overflows), cycles: Number(t.cycles), min: t.min, max: t.max, avg: t.avg },
        ]),
      };
    }),
  };
}

// ── upload ────────────────────────────────────────────────────────────────────────────────────

export interface UploadInput {
  hostId: string;
  content: string;
  load: string;
  startedAt?: Date;
  cmdline?: string;
  unit?: LatencyUnit;
}

/** Parses and stores one uploaded cyclictest file. A rejected file stores nothing; the same file twice is stored once. */
export async function uploadCyclictestRun(input: UploadInput, actor: AuditActor, now = new Date()): Promise<{ runId: string; duplicate: boolean }> {
  await requireHost(input.hostId);
  const meta = {
    load: input.load,
    now,
    ...(input.startedAt ? { startedAt: input.startedAt } : {}),
    ...(input.cmdline ? { cmdline: input.cmdline } : {}),
    ...(input.unit ? { unit: input.unit } : {}),
  };
  const run = runFromCyclictest(parseUploadedCyclictest(input.content, meta), meta);
  const idempotencyKey = `upload:${createHash("sha256").update(input.content).digest("hex")}`;
  return prisma().$transaction(async (tx) => {
    const [stored] = await storeRunsTx(tx, input.hostId, [{ run, source: "upload", idempotencyKey }]);
    if (stored?.id) {
      await recordAudit(actor, "latency.upload", "host", input.hostId, { runId: stored.id, load: input.load }, tx);
      return { runId: stored.id, duplicate: false };
    }
    const existing = await tx.latencyRun.findUnique({
      where: { hostId_idempotencyKey: { hostId: input.hostId, idempotencyKey } },
      select: { id: true },
    });
    if (!existing) throw new DomainError("CONFLICT", "run was not stored, try again");
    return { runId: existing.id, duplicate: true };
  });
}

// ── schedule ──────────────────────────────────────────────────────────────────────────────────

export interface LatencySchedule extends LatencyScheduleInput {
  hostId: string;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export async function getSchedule(hostId: string): Promise<LatencySchedule> {
  await requireHost(hostId);
  const s = await prisma().latencySchedule.findUnique({ where: { hostId } });
  if (!s) return { hostId, ...DEFAULT_SCHEDULE, updatedAt: null, updatedBy: null };
  return {
    hostId,
    enabled: s.enabled,
    cpus: s.cpus,
    durationS: s.durationS,
    intervalUs: s.intervalUs,
    priority: s.priority,
    histogramSize: s.histogramSize,
    everyMinutes: s.everyMinutes,
    load: s.load,
    updatedAt: s.updatedAt,
    updatedBy: s.updatedBy,
  };
}

export async function setSchedule(hostId: string, input: LatencyScheduleInput, actor: AuditActor): Promise<LatencySchedule> {
  await requireHost(hostId);
  const s = normaliseSchedule(input);
  await prisma().$transaction(async (tx) => {
    await tx.latencySchedule.upsert({
      where: { hostId },
      create: { hostId, ...s, updatedBy: actor },
      update: { ...s, updatedBy: actor },
    });
    await recordAudit(actor, "latency.schedule.set", "host", hostId, { ...s }, tx);
  });
  return getSchedule(hostId);
}
