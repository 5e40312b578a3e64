/**
 * The rows GET /metrics is rendered from: latest state and the cumulative latency counters, one row
 * per host, plus the last migration per VM and job counts. Three index-friendly statements per scrape;
 * never a scan of raw latency runs or reports.
 */
import { prisma } from "@/server/db";
import type { MetricsHost, MetricsJobCount, MetricsMigration } from "@/server/contract/api/metrics";

type HostRow = {
  id: string;
  hostname: string;
  labels: string[];
  lastSeenAt: Date | null;
  heartbeatSeconds: number;
  score: number | null;
  pass: number | null;
  fail: number | null;
  warn: number | null;
  na: number | null;
  le: bigint[] | null;
  count: bigint | null;
  sumSeconds: number | null;
  agentSpoolDropped: bigint | null;
  agentRejected: bigint | null;
};

export async function listMetricsHosts(): Promise<MetricsHost[]> {
  const rows = await prisma().$queryRaw<HostRow[]>`
    SELECT h.id::text AS id, h.hostname, h.labels, h."lastSeenAt", h."heartbeatSeconds",
           c.score, c.pass, c.fail, c.warn, c.na,
           t.le, t.count, t."sumSeconds",
           h."agentSpoolDropped", h."agentRejected"
    FROM "Host" h
    LEFT JOIN "ComplianceResult" c ON c."hostId" = h.id
    LEFT JOIN "LatencyPromTotal" t ON t."hostId" = h.id`;
  return rows.map((r) => ({
    id: r.id,
    hostname: r.hostname,
    labels: r.labels,
    lastSeenAt: r.lastSeenAt,
    heartbeatSeconds: r.heartbeatSeconds,
    compliance:
      r.score === null ? null : { score: r.score, pass: r.pass ?? 0, fail: r.fail ?? 0, warn: r.warn ?? 0, na: r.na ?? 0 },
    latency: r.count === null ? null : { le: (r.le ?? []).map(Number), count: Number(r.count), sumSeconds: r.sumSeconds ?? 0 },
    agentSpoolDropped: r.agentSpoolDropped === null ? null : Number(r.agentSpoolDropped),
    agentRejected: r.agentRejected === null ? null : Number(r.agentRejected),
  }));
}

/** The last completed migration per (host, VM), with QEMU's figures from the job result. */
export async function listLastMigrations(): Promise<MetricsMigration[]> {
  const rows = await prisma().$queryRaw<{ hostname: string; vm: string; total: number | null; downtime: number | null }[]>`
    SELECT DISTINCT ON (j."hostId", j.target) h.hostname, j.target AS vm,
           (j.result->>'totalTimeMs')::float8 AS total, (j.result->>'downtimeMs')::float8 AS downtime
    FROM "Job" j JOIN "Host" h ON h.id = j."hostId"
    WHERE j.kind = 'migrate' AND j.target IS NOT NULL AND j.result->>'status' = 'completed'
      AND jsonb_typeof(j.result->'totalTimeMs') = 'number'
    ORDER BY j."hostId", j.target, j."finishedAt" DESC NULLS LAST`;
  return rows.map((r) => ({ hostname: r.hostname, vm: r.vm, totalTimeMs: r.total, downtimeMs: r.downtime }));
}

export async function countJobsByKindAndState(): Promise<MetricsJobCount[]> {
  const rows = await prisma().$queryRaw<{ kind: string; state: string; n: bigint }[]>`
    SELECT kind::text AS kind, state::text AS state, count(*) AS n FROM "Job" GROUP BY kind, state`;
  return rows.map((r) => ({ kind: r.kind, state: r.state, count: Number(r.n) }));
}
