/**
 * GET /metrics bench (part of `npm run bench`, BENCH=metrics): prints figures, asserts nothing.
 * In a scratch database: N hosts (default 1,000) with labels, a compliance result and latency counters
 * each, 200 finished migrations; then times the exposition as the route renders it (the three repo
 * statements + formatting). Goal (issue 14): < 200 ms per scrape at 1,000 hosts.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import pg from "pg";
import { createScratchDatabase, dropDatabase } from "@/server/db-bootstrap";
import { disconnectPrisma } from "@/server/db";
import { renderMetrics } from "@/server/services/metrics/render-metrics";
import { nearestRank } from "@/server/bench/nearest-rank";

export async function benchMetrics(opts: { serverUrl: string; hosts?: number; scrapes?: number; log?: (line: string) => void }): Promise<void> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const hosts = opts.hosts ?? 1000;
  const scrapes = opts.scrapes ?? 30;
  const name = `nfvdeck_bench_metrics_${process.pid}`;
  const url = await createScratchDatabase(opts.serverUrl, name);
  const previousUrl = process.env.DATABASE_URL;
  await disconnectPrisma();
  process.env.DATABASE_URL = url;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const ids = Array.from({ length: hosts }, () => randomUUID());
    await client.query(
      `insert into "Host" (id, hostname, "tokenHash", labels, "lastSeenAt", "agentSpoolDropped", "agentRejected")
       select id, 'nfvi-bench-' || lpad(n::text, 5, '0'), md5(id::text), array['site=s' || (n % 7), 'rack=r' || (n % 40), 'role=compute'],
              now() - (n % 50) * interval '1 second', 0, n % 3
       from unnest($1::uuid[]) with ordinality as t(id, n)`,
      [ids],
    );
    await client.query(
      `insert into "ComplianceResult" ("hostId", "profileId", "evaluatedAt", score, pass, fail, warn, na, sections, findings, "inputHash")
       select id, 'kvm4nfv-host', now(), 60 + (n % 40), 30, 5, 3, 6, '{}'::jsonb, '[]'::jsonb, md5(id::text) from unnest($1::uuid[]) with ordinality as t(id, n)`,
      [ids],
    );
    await client.query(
      `insert into "LatencyPromTotal" ("hostId", le, count, "sumSeconds", "updatedAt")
       select id, array[0, 1000000, 1200000, 1210000, 1211000, 1211100, 1211110, 1211111, 1211111, 1211111]::bigint[] , 1211200 + n, 11.5, now()
       from unnest($1::uuid[]) with ordinality as t(id, n)`,
      [ids],
    );
    const userId = randomUUID();
    await client.query(`insert into "user" (id, email, name, role, "updatedAt") values ($1, 'bench@nfvdeck.local', 'bench', 'operator', now())`, [userId]).catch(() => undefined);
    const haveUser = (await client.query(`select 1 from "user" where id = $1`, [userId])).rowCount === 1;
    if (haveUser) {
      await client.query(
        `insert into "Job" (id, kind, "hostId", target, state, "requestedById", "idempotencyKey", result, "finishedAt")
         select gen_random_uuid(), 'migrate', id, 'vnf-' || n, 'succeeded', $2, 'bench-' || n,
                jsonb_build_object('type', 'result', 'status', 'completed', 'totalTimeMs', 400 + n, 'downtimeMs', 3), now()
         from unnest($1::uuid[]) with ordinality as t(id, n) where n <= 200`,
        [ids, userId],
      );
    }
    await renderMetrics({ authorization: null, requiredToken: undefined }); // warm the pool
    const times: number[] = [];
    let bytes = 0;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < scrapes; i++) {
      const t0 = performance.now();
      const { text } = await renderMetrics({ authorization: null, requiredToken: undefined });
      times.push(performance.now() - t0);
      bytes = Buffer.byteLength(text);
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPerScrape = (cpu.user + cpu.system) / 1000 / scrapes;
    times.sort((a, b) => a - b);
    log(
      `\nmetrics: GET /metrics exposition at ${hosts} hosts${haveUser ? " + 200 migrations" : ""}: median ${nearestRank(times, 0.5).toFixed(1)} ms, p95 ${nearestRank(times, 0.95).toFixed(1)} ms over ${scrapes} scrapes (goal < 200 ms); console CPU ${cpuMsPerScrape.toFixed(1)} ms per scrape; ${(bytes / 1024).toFixed(0)} KiB; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
    );
  } finally {
    await client.end();
    await disconnectPrisma();
    if (previousUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousUrl;
    await dropDatabase(opts.serverUrl, name);
  }
}
