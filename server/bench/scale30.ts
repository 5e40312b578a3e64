/**
 * Storage over months (part of `npm run bench`, BENCH=scale30): prints figures, asserts nothing.
 * 30 days of a 20,000-host lab compressed in time, in a scratch database. Each simulated day writes
 * that day's time-series rows with synthetic timestamps in bulk SQL (latency runs + threads + hour/day
 * rollups, QoS readings, drift events, section history), then sends a sample of runs through the real
 * write path (storeRunsTx: run, threads, rollup merge, Prometheus totals), then runs housekeeping at the end
 * of the day (injected clock). Printed per day: bulk ingest rate, write-path rate, housekeeping time and
 * what it dropped, the database size. On day 1 and the last day: the fleet and host pages' main queries.
 *
 * Rows per host are scaled down (BENCH_SCALE_RUNS, default 1 run a day per host instead of an agent's
 * 288 at 5-minute runs; BENCH_SCALE_QOS, 2 QoS readings instead of 5,760) so 30 days fit in minutes on 2 cores; the
 * retention is shortened (7 days latency and QoS, 14 history and day rollups) so the plateau shows
 * inside 30 days. Sizes at the real rate scale by the factor printed.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import pg from "pg";
import { createScratchDatabase, dropDatabase } from "@/server/db-bootstrap";
import { disconnectPrisma } from "@/server/db";
import type { LatencyRunData } from "@/server/domain/latency/run";
import { listFleetPage } from "@/server/repo/fleet-page";
import { getHostOverview } from "@/server/repo/hosts";
import { listDriftEvents } from "@/server/repo/drift-events";
import { storeRunsTx } from "@/server/repo/latency-ingest";
import { listRunSummaries } from "@/server/repo/latency-runs";
import { loadWindowParts } from "@/server/repo/latency-window-parts";
import { getHostQos } from "@/server/repo/qos";
import { inTransaction } from "@/server/repo/transaction";
import { runHousekeeping, type HousekeepingRetention } from "@/server/services/housekeeping/run-housekeeping";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = new Date("2027-01-04T00:00:00.000Z"); // a Monday
const RETENTION: HousekeepingRetention = { latency: 7, qos: 7, history: 14, rollupDays: 14 };

const ts = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");
const mib = (b: number) => `${(b / (1 << 20)).toFixed(0)} MiB`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; max: number }> {
  const ms: number[] = [];
  await fn(-1); // warm-up
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  return { p50: median(ms), max: Math.max(...ms) };
}

function sampleRun(startedAt: Date, seed: number): LatencyRunData {
  const thread = (t: number) => {
    const histogram: Record<string, number> = {};
    let cycles = 0;
    for (let b = 6; b <= 16; b++) {
      const n = Math.max(1, Math.round(30_000 / (1 + Math.abs(b - 8 - ((seed + t) % 2)) ** 3)));
      histogram[String(b)] = n;
      cycles += n;
    }
    return { thread: t, cpu: 2 + t, cycles, overflows: 0, min: 6, max: 16, avg: 8.4, histogram };
  };
  const threads = [thread(0), thread(1)];
  return {
    startedAt,
    durationS: 60,
    toolVersion: "2.4",
    cmdline: "cyclictest -m -p95 -i200 -h400 -D60 -a2,3 -t2",
    priority: 95,
    intervalUs: 200,
    load: "idle",
    unit: "us",
    histogramSize: 400,
    threads,
  };
}

/** Sizes of the time-series tables (all partitions) and of the whole database. */
async function sizes(c: pg.Client): Promise<{ db: number; tables: Record<string, number> }> {
  const tables: Record<string, number> = {};
  for (const t of ["LatencyRun", "LatencyThread", "LatencyRollup", "QosSample", "DriftEvent", "HostSectionHistory"]) {
    const r = await c.query<{ b: string }>(
      // pg_partition_tree of a plain table (LatencyRollup) is empty: count the table itself then
      `SELECT greatest(pg_total_relation_size($1::regclass), (SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree($1::regclass)))::text AS b`,
      [`"${t}"`],
    );
    tables[t] = Number(r.rows[0]?.b ?? 0);
  }
  const db = await c.query<{ b: string }>("SELECT pg_database_size(current_database())::text AS b");
  return { db: Number(db.rows[0]?.b ?? 0), tables };
}

export async function benchScale30(opts: { serverUrl: string; hosts?: number; days?: number; log?: (line: string) => void }): Promise<void> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const hosts = opts.hosts ?? 20_000;
  const days = opts.days ?? 30;
  const runsPerDay = Number(process.env.BENCH_SCALE_RUNS ?? 1);
  const qosPerDay = Number(process.env.BENCH_SCALE_QOS ?? 2);
  const writePathRuns = Number(process.env.BENCH_SCALE_WRITE_PATH_RUNS ?? 25);
  const name = `nfvdeck_bench_scale30_${process.pid}`;
  const url = await createScratchDatabase(opts.serverUrl, name);
  const previousUrl = process.env.DATABASE_URL;
  await disconnectPrisma();
  process.env.DATABASE_URL = url;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t00 = performance.now();
  try {
    log(`\nscale30 — ${hosts} hosts × ${days} simulated days (compressed), retention ${RETENTION.latency} d latency/QoS, ${RETENTION.history} d history and day rollups`);
    log(
      `  per host per day: ${runsPerDay} cyclictest runs × 2 threads (+ their hour/day rollups), ${qosPerDay} QoS readings, drift and a section change on 1 % of hosts.` +
        ` A real agent writes 288 runs (one per 5 min) and 5,760 QoS readings (4 series × 1/min) a day: latency rows ×${Math.round(288 / runsPerDay)}, QoS ×${5760 / qosPerDay} (before thinning).`,
    );
    const ids = Array.from({ length: hosts }, () => randomUUID());
    await c.query(
      `INSERT INTO "Host" ("id", "hostname", "tokenHash", "labels", "lastSeenAt", "cpuModel", "cpuVendor", "sockets", "numaNodes", "cpus", "kernelRelease", "agentVersion", "isVirtual")
       SELECT id, 'nfvi-' || lpad(n::text, 6, '0'), md5(id::text), array['site=s' || (n % 7), 'rack=r' || (n % 40)], $2::timestamp,
              'Intel(R) Xeon(R) Gold 6338N CPU @ 2.20GHz', 'GenuineIntel', 2, 2, 64, '5.14.0-362.el9.x86_64', '0.9.0', false
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
      [ids, ts(START)],
    );
    await c.query(
      `INSERT INTO "ComplianceResult" ("hostId", "profileId", "evaluatedAt", "score", "pass", "fail", "warn", "na", "sections", "findings", "inputHash")
       SELECT id, 'kvm4nfv-host', $2::timestamp, 60 + (n % 40), 30, n % 5, n % 3, 6, '{"bios": "fail", "kvm": "pass"}'::jsonb, '[]'::jsonb, md5(id::text)
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
      [ids, ts(START)],
    );
    // a temp table of host ids, numbered, for the daily bulk inserts
    await c.query(`CREATE TEMP TABLE bench_hosts AS SELECT id, n::int AS n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`, [ids]);
    await c.query(`ANALYZE bench_hosts`);
    const hk0 = await runHousekeeping({ now: START, retention: RETENTION, databaseUrl: url, log: () => undefined });
    log(`  seeded ${hosts} hosts in ${((performance.now() - t00) / 1000).toFixed(1)} s; housekeeping created ${hk0.created.length} partitions ahead`);
    log(`  load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (other work on the box slows every figure)`);
    log("  day | bulk rows   rows/s  | write path runs/s | housekeeping ms, dropped (partitions, rows incl. rollups deleted) | DB size   latency  rollups  QoS   history");

    const pageTimings: Record<number, Record<string, { p50: number; max: number }>> = {};
    let rand = 1;
    const pick = () => ids[(rand = (rand * 48271) % 2147483647) % ids.length] as string;
    for (let day = 1; day <= days; day++) {
      const dayStart = new Date(START.getTime() + (day - 1) * DAY);
      const now = new Date(dayStart.getTime() + DAY - 1000);
      const t0 = performance.now();
      let rows = 0;
      // runs at fixed hours spread over the day, per host; threads carry the run's start (the partition key)
      const runHours = Array.from({ length: runsPerDay }, (_, k) => Math.floor(((k + 0.5) * 24) / runsPerDay));
      const r1 = await c.query(
        `INSERT INTO "LatencyRun" ("id", "hostId", "startedAt", "durationS", "toolVersion", "histogramSize", "source", "idempotencyKey", "cycles", "overflows", "min", "max", "avg", "histogram")
         SELECT gen_random_uuid(), h.id, $1::timestamp + make_interval(hours => hr, secs => h.n % 3000), 60, '2.4', 400, 'simulated', 'bench:' || h.n || ':' || $2 || ':' || hr,
                300000, 0, 6, 14 + (h.n % 5), 8.4,
                jsonb_build_object('6', 900, '7', 30000, '8', 180000, '9', 70000, '10', 14000, '11', 3000, '12', 1200, '13', 500, '14', 300 + h.n % 100)
         FROM bench_hosts h CROSS JOIN unnest($3::int[]) AS hr`,
        [ts(dayStart), day, runHours],
      );
      rows += r1.rowCount ?? 0;
      const r2 = await c.query(
        `INSERT INTO "LatencyThread" ("hostId", "runStartedAt", "runId", "thread", "cpu", "cycles", "overflows", "min", "avg", "max", "histogram")
         SELECT r."hostId", r."startedAt", r."id", t, 2 + t, 150000, 0, 6, 8.4, r."max",
                jsonb_build_object('6', 450, '7', 15000, '8', 90000, '9', 35000, '10', 7000, '11', 1500, '12', 600, '13', 250, '14', 150)
         FROM "LatencyRun" r CROSS JOIN generate_series(0, 1) AS t
         WHERE r."startedAt" >= $1::timestamp AND r."startedAt" < $2::timestamp AND r."source" = 'simulated'`,
        [ts(dayStart), ts(new Date(dayStart.getTime() + DAY))],
      );
      rows += r2.rowCount ?? 0;
      const r3 = await c.query(
        `INSERT INTO "LatencyRollup" ("hostId", "granularity", "bucketStart", "histogramSize", "runs", "cycles", "overflows", "min", "max", "weightedSum", "histogram")
         SELECT h.id, g.granularity, g.bucket, 400, g.runs, 300000 * g.runs, 0, 6, 18, 8.4 * 300000 * g.runs,
                jsonb_build_object('6', 900 * g.runs, '7', 30000 * g.runs, '8', 180000 * g.runs, '9', 70000 * g.runs, '10', 14000 * g.runs, '11', 3000 * g.runs, '12', 1200 * g.runs, '13', 500 * g.runs, '14', 400 * g.runs)
         FROM bench_hosts h CROSS JOIN (
           SELECT 'hour' AS granularity, $1::timestamp + make_interval(hours => hr) AS bucket, 1 AS runs FROM unnest($2::int[]) AS hr
           UNION ALL SELECT 'day', $1::timestamp, $3::int
         ) g`,
        [ts(dayStart), runHours, runsPerDay],
      );
      rows += r3.rowCount ?? 0;
      const r4 = await c.query(
        `INSERT INTO "QosSample" ("hostId", "at", "group", "domain", "llcOccupancyBytes", "mbmTotalBytes", "mbmLocalBytes")
         SELECT h.id, $1::timestamp + make_interval(hours => 6 * (k / 4) + 1, mins => k % 4), 'vnf-' || (k % 2), (k / 2 % 2)::text, 4194304, 1000000000::bigint * $2, 800000000::bigint * $2
         FROM bench_hosts h CROSS JOIN generate_series(0, $3::int - 1) AS k`,
        [ts(dayStart), day, qosPerDay],
      );
      rows += r4.rowCount ?? 0;
      const r5 = await c.query(
        `INSERT INTO "HostSectionHistory" ("hostId", "section", "hash", "data", "changedAt")
         SELECT h.id, 'kernel', md5(h.id::text || $2::text), '{"cmdline": "isolcpus=2-31 nohz_full=2-31 rcu_nocbs=2-31"}'::jsonb, $1::timestamp + interval '9 hours'
         FROM bench_hosts h WHERE (h.n + $2::int) % 100 = 0`,
        [ts(dayStart), day],
      );
      rows += r5.rowCount ?? 0;
      const r6 = await c.query(
        `INSERT INTO "DriftEvent" ("hostId", "at", "kind", "section", "key", "oldValue", "newValue")
         SELECT h.id, $1::timestamp + interval '9 hours', 'snapshot', 'kernel', 'cmdline.' || k, 'a', 'b'
         FROM bench_hosts h CROSS JOIN generate_series(1, 3) AS k WHERE (h.n + $2::int) % 100 = 0`,
        [ts(dayStart), day],
      );
      rows += r6.rowCount ?? 0;
      const bulkS = (performance.now() - t0) / 1000;

      // the real write path for a sample of hosts (one run each, later in the day)
      const t1 = performance.now();
      for (let i = 0; i < writePathRuns; i++) {
        const hostId = ids[(day * 7919 + i * 104729) % ids.length] as string;
        const startedAt = new Date(dayStart.getTime() + 22 * HOUR + (i % 3000) * 1000);
        await inTransaction((tx) => storeRunsTx(tx, hostId, [{ run: sampleRun(startedAt, i), source: "agent", idempotencyKey: `agent:bench-${day}-${i}` }]));
      }
      const writeRate = writePathRuns / ((performance.now() - t1) / 1000);

      const t2 = performance.now();
      // as the periodic runs do: QoS thinned for the slice that changed tier since the previous run (a simulated day ago)
      const hk = await runHousekeeping({ now, retention: RETENTION, databaseUrl: url, log: () => undefined, qosSinceMs: DAY + HOUR });
      const hkMs = performance.now() - t2;
      const s = await sizes(c);
      const latency = (s.tables.LatencyRun ?? 0) + (s.tables.LatencyThread ?? 0);
      const history = (s.tables.DriftEvent ?? 0) + (s.tables.HostSectionHistory ?? 0);
      const droppedParts = hk.dropped.length;
      const droppedRows = hk.dropped.reduce((n, d) => n + d.rows, 0) + hk.rollupsDeleted.hour + hk.rollupsDeleted.day;
      log(
        `  ${String(day).padStart(3)} | ${String(rows).padStart(8)} ${String(Math.round(rows / bulkS)).padStart(8)} | ${writeRate.toFixed(0).padStart(17)} | ${hkMs.toFixed(0).padStart(6)}, ${droppedParts} partitions (${droppedRows} rows)${hk.errors.length ? ` ERRORS ${hk.errors.join("; ")}` : ""} | ${mib(s.db).padStart(8)} ${mib(latency).padStart(8)} ${mib(s.tables.LatencyRollup ?? 0).padStart(8)} ${mib(s.tables.QosSample ?? 0).padStart(5)} ${mib(history).padStart(7)}`,
      );

      if (day === 1 || day === days) {
        await c.query("ANALYZE"); // partitioned parents are never auto-analysed
        const host = () => pick();
        const t: Record<string, { p50: number; max: number }> = {};
        t["fleet: listFleetPage (page 1 of 50, by hostname)"] = await timed(10, () =>
          listFleetPage({ q: "", status: "all", compliance: "all", sort: "hostname", dir: "asc", page: 1, pageSize: 50 }, now),
        );
        t["fleet: latency window parts, all hosts, last 24 h"] = await timed(3, () => loadWindowParts(null, { from: new Date(now.getTime() - DAY), to: now }));
        t["host: overview"] = await timed(20, () => getHostOverview(host(), now));
        t["host: latency runs (50 newest, with threads)"] = await timed(20, () => listRunSummaries(host(), { limit: 50 }));
        t["host: latency window parts, 7 d"] = await timed(20, () => loadWindowParts([host()], { from: new Date(now.getTime() - 7 * DAY), to: now }));
        t["host: drift events (50 newest)"] = await timed(20, () => listDriftEvents(host(), { limit: 50 }));
        t["host: QoS 24 h"] = await timed(20, () => getHostQos(host(), "24h", now));
        pageTimings[day] = t;
      }
    }
    const first = pageTimings[1] ?? {};
    const last = pageTimings[days] ?? {};
    log(`  main queries of the fleet and host pages, median (max) ms: day 1 → day ${days}`);
    for (const k of Object.keys(first)) {
      const a = first[k];
      const b = last[k];
      if (!a || !b) continue;
      log(`    ${k.padEnd(52)} ${a.p50.toFixed(1).padStart(7)} (${a.max.toFixed(0)}) → ${b.p50.toFixed(1).padStart(7)} (${b.max.toFixed(0)})`);
    }
    log(`  scale30 took ${((performance.now() - t00) / 1000).toFixed(0)} s; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  } finally {
    await c.end();
    await disconnectPrisma();
    process.env.DATABASE_URL = previousUrl;
    await dropDatabase(opts.serverUrl, name).catch(() => undefined);
  }
}
