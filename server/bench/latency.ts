/**
 * Latency bench (part of `npm run bench`): prints figures, asserts nothing.
 *
 * In its own scratch database it seeds
 *  - host A: 8,640 runs over 30 days (a 5-minute schedule, 2 measured CPUs, 60 s at 200 µs each),
 *    stored through the real ingest code (storeRunsTx: run + threads + hour/day rollups);
 *  - 1,000 fleet hosts with 30 daily + 48 hourly rollups each (most tuned, 1 in 10 noisy),
 * then measures merged p99.999 over 30 days for host A (goal < 50 ms) and the fleet report over
 * 30 days for 1,001 hosts (goal < 500 ms), plus the ingest cost per run.
 */
import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import { createScratchDatabase, dropDatabase } from "@/server/db-bootstrap";
import { disconnectPrisma, prisma } from "@/server/db";
import type { LatencyRunData } from "@/server/domain/latency/run";
import { statsOfParts } from "@/server/domain/latency/stats";
import { rollupPartOfRun } from "@/server/domain/latency/rollup";
import { storeRunsTx } from "@/server/repo/latency-ingest";
import { getFleetReport } from "@/server/services/latency/get-fleet-report";
import { getHostStats } from "@/server/services/latency/get-host-stats";
import { histogramRecordOf } from "@/server/repo/latency-ingest";
import { nearestRank } from "@/server/bench/nearest-rank";

const DAY = 86_400_000;
const HOUR = 3_600_000;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A realistic thread histogram: the body at 7–12 µs (tuned) or 8–60 µs (noisy), a sparse tail. */
function threadHistogram(rand: () => number, cycles: number, noisy: boolean, size: number) {
  const histogram: Record<string, number> = {};
  let left = cycles;
  let overflows = 0;
  let min = Infinity;
  let max = 0;
  let sum = 0;
  const add = (b: number, c: number) => {
    if (c <= 0) return;
    if (b >= size) overflows += c;
    else histogram[String(b)] = (histogram[String(b)] ?? 0) + c;
    min = Math.min(min, b);
    max = Math.max(max, b);
    sum += b * c;
    left -= c;
  };
  const tail = noisy ? 40 + Math.floor(rand() * 60) : Math.floor(rand() * 4);
  for (let i = 0; i < tail; i++) add(noisy ? 20 + Math.floor(rand() ** 3 * 1500) : 12 + Math.floor(rand() * 6), 1 + Math.floor(rand() * 3));
  const lo = noisy ? 8 : 7;
  const width = noisy ? 30 : 5;
  for (let b = lo; b < lo + width && left > 0; b++) {
    const c = b === lo + width - 1 ? left : Math.floor(left * (0.3 + rand() * 0.4));
    add(b, c);
  }
  return { histogram, overflows, cycles, min, max: max + (overflows > 0 ? Math.floor(rand() * 500) : 0), avg: sum / cycles };
}

function benchRun(rand: () => number, startedAt: Date, noisy = false): LatencyRunData {
  const size = 400;
  const cycles = 300_000; // 60 s at 200 µs
  return {
    startedAt,
    durationS: 60,
    toolVersion: "2.40",
    cmdline: "cyclictest -m -p95 -i200 -h400 -a 2,3 -t 2 -D 60 --mainaffinity=0 -q",
    priority: 95,
    intervalUs: 200,
    load: "idle",
    unit: "us",
    histogramSize: size,
    threads: [2, 3].map((cpu, thread) => ({ thread, cpu, ...threadHistogram(rand, cycles, noisy, size) })),
  };
}

async function timeIt<T>(n: number, fn: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  const ms: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    last = await fn();
    ms.push(performance.now() - t);
  }
  return { ms: ms.sort((a, b) => a - b), last: last as T };
}

const fmt = (ms: number[]) => `median ${nearestRank(ms, 0.5).toFixed(1)} ms, max ${(ms[ms.length - 1] ?? NaN).toFixed(1)} ms (n=${ms.length})`;

async function insertHosts(client: pg.Client, n: number, prefix: string): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    await client.query(`insert into "Host" (id, hostname, "tokenHash") select * from unnest($1::uuid[], $2::text[], $3::text[])`, [
      chunk,
      chunk.map((_, j) => `${prefix}-${String(i + j).padStart(4, "0")}`),
      chunk.map((id) => createHash("sha256").update(id).digest("hex")),
    ]);
  }
  return ids;
}

export async function benchLatency(opts: { serverUrl: string; log?: (line: string) => void }): Promise<void> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const name = `nfvdeck_bench_latency_${process.pid}`;
  const url = await createScratchDatabase(opts.serverUrl, name);
  const previousUrl = process.env.DATABASE_URL;
  await disconnectPrisma();
  process.env.DATABASE_URL = url;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    log("latency bench");
    const now = new Date();
    const rand = rng(1);
    const [hostA] = await insertHosts(client, 1, "lat-a");
    if (!hostA) throw new Error("no host");
    const start = now.getTime() - 30 * DAY;
    const runs = Array.from({ length: 8640 }, (_, i) => benchRun(rand, new Date(start + i * 300_000 + 1000), i % 500 === 0));

    // ingest cost: one run per transaction (what an agent report with one run does), sequentially
    const single = 400;
    const db = prisma();
    const ingestMs: number[] = [];
    for (let i = 0; i < single; i++) {
      const run = runs[i];
      if (!run) continue;
      const t = performance.now();
      await db.$transaction((tx) => storeRunsTx(tx, hostA, [{ run, source: "simulated", idempotencyKey: `bench:${i}` }]));
      ingestMs.push(performance.now() - t);
    }
    ingestMs.sort((a, b) => a - b);
    log(`  ingest, 1 run per transaction (run + 2 threads + hour/day rollup merge, FOR UPDATE): ${fmt(ingestMs)}, p99 ${nearestRank(ingestMs, 0.99).toFixed(1)} ms`);

    // the rest through the same code in day-sized batches
    const t0 = performance.now();
    let batches = 0;
    for (let i = single; i < runs.length; i += 288) {
      const chunk = runs.slice(i, i + 288);
      await db.$transaction(
        (tx) => storeRunsTx(tx, hostA, chunk.map((run, j) => ({ run, source: "simulated" as const, idempotencyKey: `bench:${i + j}` }))),
        { timeout: 60_000 },
      );
      batches++;
    }
    const batchMs = performance.now() - t0;
    log(`  ingest, batches of 288 runs: ${((batchMs / (runs.length - single)) * 1000).toFixed(0)} µs per run (${batches} transactions, ${(batchMs / 1000).toFixed(1)} s)`);

    // concurrent ingest: 8 hosts' agents reporting at once
    const concHosts = await insertHosts(client, 8, "lat-c");
    const perHost = 50;
    const tc = performance.now();
    await Promise.all(
      concHosts.map(async (h, k) => {
        for (let i = 0; i < perHost; i++) {
          const run = benchRun(rand, new Date(now.getTime() - HOUR + i * 1000));
          await db.$transaction((tx) => storeRunsTx(tx, h, [{ run, source: "simulated", idempotencyKey: `c:${k}:${i}` }]));
        }
      }),
    );
    const concMs = performance.now() - tc;
    log(`  ingest, 8 hosts concurrently: ${((concHosts.length * perHost) / (concMs / 1000)).toFixed(0)} runs/s (${(concMs / (concHosts.length * perHost)).toFixed(2)} ms per run wall-clock)`);

    // host A: merged p99.999 over 30 days
    await getHostStats({ hostId: hostA, window: { preset: "30d" }, now });
    const hostStats = await timeIt(20, () => getHostStats({ hostId: hostA, window: { preset: "30d" }, now }));
    const s = hostStats.last.stats;
    log(
      `  host A, preset 30 d = 30 UTC days to today (${s.runs} runs, ${(s.cycles / 1e9).toFixed(2)} G cycles, ${hostStats.last.rowsRead} rows read): p99.999 ${s.lowerBounds.includes("99.999") ? ">" : ""}${s.percentiles["99.999"]} µs, max ${s.max} µs — ${fmt(hostStats.ms)} (goal < 50 ms)`,
    );
    // exactly the 8,640 runs: a custom window from the first run to now (ragged: raw runs at both edges)
    const ragged = { from: new Date(start), to: new Date(now.getTime() + 1) };
    const raggedStats = await timeIt(10, () => getHostStats({ hostId: hostA, window: ragged, now }));
    const rs = raggedStats.last.stats;
    log(
      `  host A, custom window over all ${rs.runs} runs (${raggedStats.last.rowsRead} rows: day + hour rollups, raw runs at the edges): p99.999 ${rs.lowerBounds.includes("99.999") ? ">" : ""}${rs.percentiles["99.999"]} µs — ${fmt(raggedStats.ms)} (goal < 50 ms)`,
    );

    // the same without rollups: merging every raw run
    const rawTimed = await timeIt(3, async () => {
      const rows = await db.latencyRun.findMany({
        where: { hostId: hostA, startedAt: { gte: ragged.from, lt: ragged.to } },
        select: { unit: true, histogramSize: true, cycles: true, overflows: true, min: true, max: true, avg: true, histogram: true },
      });
      return statsOfParts(
        rows.flatMap((r) => {
          const p = rollupPartOfRun({ ...r, cycles: Number(r.cycles), overflows: Number(r.overflows), histogram: histogramRecordOf(r.histogram) });
          return p ? [p] : [];
        }),
      );
    });
    log(`  host A, 30 d merged from the raw runs instead (no rollups), for comparison: ${fmt(rawTimed.ms)}; same p99.999 as via rollups: ${rawTimed.last.percentiles["99.999"] === rs.percentiles["99.999"]}`);

    // 1,000 fleet hosts with rollups
    const fleetIds = await insertHosts(client, 1000, "lat-f");
    const tSeed = performance.now();
    const dayStart = Math.floor(now.getTime() / DAY) * DAY;
    const hourStart = Math.floor(now.getTime() / HOUR) * HOUR;
    for (let i = 0; i < fleetIds.length; i += 50) {
      const rows: Array<[string, string, Date, number, number, number, number, number, number, number, string]> = [];
      for (const id of fleetIds.slice(i, i + 50)) {
        const noisy = rand() < 0.1;
        const mk = (g: string, at: number, nRuns: number) => {
          const cycles = nRuns * 600_000;
          const h = threadHistogram(rand, cycles, noisy, 400);
          rows.push([id, g, new Date(at), 400, nRuns, cycles, h.overflows, h.min, h.max, h.avg * cycles, JSON.stringify(h.histogram)]);
        };
        for (let d = 0; d < 30; d++) mk("day", dayStart - d * DAY, 288);
        for (let h = 0; h < 48; h++) mk("hour", hourStart - h * HOUR, 12);
      }
      await client.query(
        `insert into "LatencyRollup" ("hostId", granularity, "bucketStart", "histogramSize", runs, cycles, overflows, min, max, "weightedSum", histogram)
         select * from unnest($1::uuid[], $2::text[], $3::timestamp[], $4::int[], $5::int[], $6::bigint[], $7::bigint[], $8::float8[], $9::float8[], $10::float8[], $11::jsonb[])`,
        Array.from({ length: 11 }, (_, c) => rows.map((r) => r[c])),
      );
    }
    await client.query("analyze");
    const buckets = await client.query<{ avg: string }>(`select avg((select count(*) from jsonb_object_keys(histogram)))::text as avg from "LatencyRollup" where granularity = 'day'`);
    log(`  seeded 1,000 hosts × (30 day + 48 hour rollups) in ${((performance.now() - tSeed) / 1000).toFixed(1)} s; ${Number(buckets.rows[0]?.avg ?? 0).toFixed(0)} non-empty buckets per day row on average`);

    await getFleetReport({ window: { preset: "30d" }, now });
    const fleet30 = await timeIt(5, () => getFleetReport({ window: { preset: "30d" }, now }));
    const f = fleet30.last;
    const pass = f.rows.filter((r) => r.slo.status === "pass").length;
    log(
      `  fleet report, 30 d, ${f.rows.length} hosts (${f.rowsRead} rollup/run rows): ${fmt(fleet30.ms)} (goal < 500 ms); fleet p99.999 ${f.fleet.lowerBounds.includes("99.999") ? ">" : ""}${f.fleet.percentiles["99.999"]} µs, SLO pass ${pass}/${f.rows.length}`,
    );
    const fleet24 = await timeIt(5, () => getFleetReport({ window: { preset: "24h" }, now }));
    log(`  fleet report, 24 h, ${fleet24.last.rows.length} hosts (${fleet24.last.rowsRead} rows): ${fmt(fleet24.ms)}`);
    const fleet7 = await timeIt(5, () => getFleetReport({ window: { preset: "7d" }, now }));
    log(`  fleet report, 7 d (${fleet7.last.rowsRead} rows): ${fmt(fleet7.ms)}`);
  } finally {
    await client.end();
    await disconnectPrisma();
    if (previousUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousUrl;
    await dropDatabase(opts.serverUrl, name);
  }
}
