import os from "node:os";
import path from "node:path";
import { createScratchDatabase, dropDatabase, startEmbeddedPostgres } from "@/server/db-bootstrap";
import { benchIngest } from "@/server/bench/ingest";
import { benchLatency } from "@/server/bench/latency";
import { benchFootprint } from "@/agent/bench/footprint";
import { benchPlacement } from "@/server/bench/placement";
import { benchMetrics } from "@/server/bench/metrics";
import { benchDispatch } from "@/server/bench/dispatch";
import { benchPages } from "@/server/bench/pages";
import { benchScale30 } from "@/server/bench/scale30";

/**
 * `npm run bench`: prints figures, asserts nothing. Uses DATABASE_URL's server when set, else an
 * embedded PostgreSQL. Each part runs in its own scratch database.
 * Select parts with BENCH=ingest,latency,footprint,placement,dispatch,pages,scale30 (default: all). placement needs no database.
 */
const parts = new Set((process.env.BENCH ?? "ingest,latency,metrics,footprint,placement,dispatch,pages,scale30").split(","));

/** 1-, 5- and 15-minute load averages: the figures mean little without what else was running. */
const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(" ");

async function main() {
  if (parts.has("placement")) {
    const load = loadAverage();
    console.log(`nfvdeck bench — ${os.cpus().length} CPUs, node ${process.version}, load average ${load}`);
    benchPlacement();
    if ([...parts].every((p) => p === "placement")) return;
  }
  let serverUrl = process.env.DATABASE_URL;
  let stop = async () => undefined as void;
  if (!serverUrl) {
    const uid = typeof process.getuid === "function" ? process.getuid() : 0;
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(os.tmpdir(), `nfvdeck-bench-${uid}`, "pg"),
      port: Number(process.env.NFVDECK_BENCH_PG_PORT ?? 54333),
      database: "postgres",
    });
    serverUrl = pg.url;
    stop = pg.stop;
  }
  console.log(`nfvdeck bench — ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), node ${process.version}, load average ${loadAverage()}`);
  try {
    if (parts.has("ingest")) {
      const name = `nfvdeck_bench_ingest_${process.pid}`;
      const url = await createScratchDatabase(serverUrl, name);
      try {
        await benchIngest({
          databaseUrl: url,
          hosts: Number(process.env.BENCH_HOSTS ?? 2000),
          fullHosts: Number(process.env.BENCH_FULL_HOSTS ?? 1000),
          concurrency: Number(process.env.BENCH_CONCURRENCY ?? 32),
          seconds: Number(process.env.BENCH_SECONDS ?? 8),
          fleetConcurrency: Number(process.env.BENCH_FLEET_CONCURRENCY ?? 256),
          rounds: Number(process.env.BENCH_ROUNDS ?? 4),
          sliceSeconds: Number(process.env.BENCH_SLICE_SECONDS ?? 1.5),
          only: process.env.BENCH_INGEST === "full" ? "full" : undefined,
        });
      } finally {
        await dropDatabase(serverUrl, name);
      }
    }
    if (parts.has("latency")) {
      await benchLatency({ serverUrl });
    }
    if (parts.has("metrics")) {
      await benchMetrics({ serverUrl, hosts: Number(process.env.BENCH_METRICS_HOSTS ?? 1000) });
    }
    if (parts.has("footprint")) {
      await benchFootprint();
    }
    if (parts.has("dispatch")) {
      await benchDispatch({ serverUrl, jobs: Number(process.env.BENCH_JOBS ?? 100) });
    }
    if (parts.has("scale30")) {
      await benchScale30({ serverUrl, hosts: Number(process.env.BENCH_SCALE_HOSTS ?? 20000), days: Number(process.env.BENCH_SCALE_DAYS ?? 30) });
    }
    if (parts.has("pages")) {
      await benchPages({ serverUrl, hostCounts: (process.env.BENCH_PAGES_HOSTS ?? "1000,20000").split(",").map(Number) });
    }
  } finally {
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
