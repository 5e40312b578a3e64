/**
 * Housekeeping against real PostgreSQL with an injected clock, in a database of its own (it drops
 * partitions: the shared test database's rows must not be in the way): partitions created ahead, rows
 * moved out of DEFAULT, expired partitions detached and dropped, rows inside retention kept, each
 * section's latest history row kept, QoS thinned, rollups trimmed, and two runs at once safe.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScratchDatabase, dropDatabase } from "@/server/db-bootstrap";
import { disconnectPrisma } from "@/server/db";
import { PARTITION_FAMILIES, partitionName } from "@/server/domain/housekeeping/partitions";
import { createFamilyPartition } from "@/server/repo/partitions";
import { listRunSummaries } from "@/server/repo/latency-runs";
import { thinQosSamples } from "@/server/repo/qos-retention";
import { runHousekeeping, type HousekeepingRetention } from "@/server/services/housekeeping/run-housekeeping";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = new Date("2026-03-10T12:00:00.000Z"); // a Tuesday
const at = (ms: number) => new Date(T0.getTime() + ms);
const retention: HousekeepingRetention = { latency: 30, qos: 30, history: 7, rollupDays: 400 };

const serverUrl = (() => {
  const u = new URL(process.env.DATABASE_URL ?? "");
  u.pathname = "/postgres";
  return u.toString();
})();
const dbName = `nfvdeck_housekeeping_${process.pid}_${Date.now().toString(36)}`;
let url = "";
let c: pg.Client;
const hostId = randomUUID();
const logs: string[] = [];

const ts = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");

async function insertRun(startedAt: Date, threads = 2): Promise<string> {
  const id = randomUUID();
  await c.query(
    `INSERT INTO "LatencyRun" ("id", "hostId", "startedAt", "durationS", "histogramSize", "source", "idempotencyKey", "cycles", "overflows", "min", "max", "avg", "histogram")
     VALUES ($1, $2, $3, 60, 100, 'agent', $4, 1000, 0, 5, 20, 8, '{"8": 1000}')`,
    [id, hostId, ts(startedAt), `agent:${id}`],
  );
  for (let t = 0; t < threads; t++) {
    await c.query(
      `INSERT INTO "LatencyThread" ("hostId", "runStartedAt", "runId", "thread", "cpu", "cycles", "overflows", "histogram") VALUES ($1, $2, $3, $4, $4, 500, 0, '{"8": 500}')`,
      [hostId, ts(startedAt), id, t],
    );
  }
  return id;
}

async function insertQos(atTime: Date): Promise<void> {
  await c.query(`INSERT INTO "QosSample" ("hostId", "at", "group", "domain", "mbmTotalBytes") VALUES ($1, $2, 'vnf-a', '0', 1)`, [hostId, ts(atTime)]);
}

async function insertHistory(section: string, changedAt: Date, hash: string): Promise<void> {
  await c.query(`INSERT INTO "HostSectionHistory" ("hostId", "section", "hash", "data", "changedAt") VALUES ($1, $2, $3, '{}', $4)`, [hostId, section, hash, ts(changedAt)]);
}

async function insertDrift(atTime: Date): Promise<void> {
  await c.query(`INSERT INTO "DriftEvent" ("hostId", "at", "kind", "section", "key") VALUES ($1, $2, 'snapshot', 'kernel', 'cmdline')`, [hostId, ts(atTime)]);
}

async function insertRollup(granularity: "hour" | "day", bucketStart: Date): Promise<void> {
  await c.query(
    `INSERT INTO "LatencyRollup" ("hostId", "granularity", "bucketStart", "histogramSize", "runs", "cycles", "overflows", "weightedSum", "histogram") VALUES ($1, $2, $3, 100, 1, 10, 0, 80, '{"8": 10}')`,
    [hostId, granularity, ts(bucketStart)],
  );
}

/** table → partition of each row (by the row's time column), for assertions */
async function partitionsOf(table: string): Promise<string[]> {
  const r = await c.query<{ p: string }>(`SELECT tableoid::regclass::text AS p FROM "${table}" ORDER BY 1`);
  return r.rows.map((row) => row.p.replace(/"/g, ""));
}

async function partitionNames(table: string): Promise<string[]> {
  const r = await c.query<{ name: string }>(
    `SELECT child.relname AS name FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid JOIN pg_class parent ON parent.oid = i.inhparent WHERE parent.relname = $1 ORDER BY 1`,
    [table],
  );
  return r.rows.map((row) => row.name);
}

const run = (now: Date) => runHousekeeping({ now, retention, databaseUrl: url, log: (l) => logs.push(l) });

beforeAll(async () => {
  url = await createScratchDatabase(serverUrl, dbName);
  // QoS thinning goes through the Prisma client: point it (and every repo read here) at this database
  await disconnectPrisma();
  process.env.DATABASE_URL = url;
  c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`INSERT INTO "Host" ("id", "hostname", "tokenHash") VALUES ($1, 'hk-host', $2)`, [hostId, `hash-${hostId}`]);
}, 120_000);

afterAll(async () => {
  await c?.end();
  await disconnectPrisma();
  await dropDatabase(serverUrl, dbName).catch(() => undefined);
});

describe("housekeeping", () => {
  it("creates partitions ahead, splits DEFAULT, drops expired partitions whole and keeps what retention keeps", async () => {
    // Before any run every row lands in DEFAULT (the migration creates no range partition).
    const recentRun = await insertRun(at(-2 * DAY));
    await insertRun(at(-40 * DAY)); // past the 30-day latency retention
    await insertQos(at(-1 * DAY));
    await insertHistory("kernel", at(-400 * DAY), "k1"); // the only version: must survive any retention
    await insertHistory("irq", at(-1 * HOUR), "i1");
    await insertHistory("irq", at(-30 * 60_000), "i2");
    await insertDrift(at(-1 * HOUR));
    await insertRollup("hour", at(-40 * DAY));
    await insertRollup("day", at(-40 * DAY));
    expect(await partitionsOf("LatencyRun")).toEqual(["LatencyRun_default", "LatencyRun_default"]);

    const first = await run(T0);
    expect(first.skipped).toBe(false);
    expect(first.errors).toEqual([]);
    // today + 7 days ahead for the daily tables, this week + 4 for the weekly ones
    const runParts = await partitionNames("LatencyRun");
    for (let d = 0; d <= 7; d++) expect(runParts).toContain(partitionName("LatencyRun", new Date(Date.UTC(2026, 2, 10 + d))));
    expect(await partitionNames("LatencyThread")).toEqual(runParts.map((n) => n.replace("LatencyRun", "LatencyThread")));
    const driftParts = await partitionNames("DriftEvent");
    for (const monday of [9, 16, 23, 30]) expect(driftParts).toContain(partitionName("DriftEvent", new Date(Date.UTC(2026, 2, monday))));
    expect(driftParts).toContain("DriftEvent_p20260406");
    // the retained run two days back got its own partition (moved with its threads), the expired one is gone
    expect(await partitionsOf("LatencyRun")).toEqual(["LatencyRun_p20260308"]);
    expect(await partitionsOf("LatencyThread")).toEqual(["LatencyThread_p20260308", "LatencyThread_p20260308"]);
    expect(first.moved).toBe(1 + 2 + 1 + 2 + 1); // run + 2 threads, QoS, 2 irq history rows, drift
    expect(first.defaultExpired).toBe(3); // the 40-day-old run and its 2 threads
    expect(await partitionsOf("HostSectionHistory")).toEqual(["HostSectionHistory_default", "HostSectionHistory_p20260309", "HostSectionHistory_p20260309"]);
    expect(first.rollupsDeleted).toEqual({ hour: 1, day: 0 });
    // Prisma's reads over the partitioned tables (threads through the composite relation)
    const summaries = await listRunSummaries(hostId, { limit: 10 });
    expect(summaries.map((s) => [s.id, s.cpus])).toEqual([[recentRun, [0, 1]]]);

    // 35 days later: rows written meanwhile, some inside retention
    const T1 = at(35 * DAY);
    const keptRun = await insertRun(at(34 * DAY)); // inside retention: lands in DEFAULT now (no partition that far yet)
    await insertRun(at(7 * DAY)); // into the partition made ahead on day 0: [03-17, 03-18) ends after T1's cutoff T0 + 5 d, kept
    await insertQos(at(34 * DAY));
    for (const m of [0, 1, 2]) await insertQos(new Date(at(34 * DAY).getTime() - 60 * 60_000 + m * 60_000)); // three readings in one 5-minute bucket
    await insertHistory("kernel", at(34 * DAY), "k2");

    const second = await run(T1);
    expect(second.errors).toEqual([]);
    const dropped = second.dropped.map((d) => d.partition);
    // every daily partition whose end is at or before T1 − 30 d = T0 + 5 d, threads before runs
    expect(dropped).toContain("LatencyThread_p20260308");
    expect(dropped).toContain("LatencyRun_p20260308");
    expect(dropped.indexOf("LatencyThread_p20260308")).toBeLessThan(dropped.indexOf("LatencyRun_p20260308"));
    expect(dropped).toContain("LatencyRun_p20260314"); // [03-14, 03-15) ends at T0 + 4.5 d
    expect(dropped).not.toContain("LatencyRun_p20260315"); // ends 03-16 00:00, after the cutoff 03-15 12:00
    expect(second.dropped.find((d) => d.partition === "LatencyRun_p20260308")?.rows).toBe(1);
    expect(logs.some((l) => /dropped LatencyRun_p20260308 \(1 row\(s\)/.test(l))).toBe(true);
    const runs = (await c.query<{ id: string }>(`SELECT "id" FROM "LatencyRun" ORDER BY "startedAt"`)).rows.map((r) => r.id);
    expect(runs).toHaveLength(2);
    expect(runs).toContain(keptRun);
    expect(await partitionsOf("LatencyRun")).toEqual(["LatencyRun_p20260317", "LatencyRun_p20260413"]);
    // history: week partitions past 7 days dropped; each section's latest row kept (irq i2 carried into DEFAULT)
    const history = (await c.query<{ section: string; hash: string }>(`SELECT "section", "hash" FROM "HostSectionHistory" ORDER BY "section", "changedAt"`)).rows;
    expect(history).toEqual([
      { section: "irq", hash: "i2" },
      { section: "kernel", hash: "k2" },
    ]);
    expect(second.dropped.find((d) => d.partition === "HostSectionHistory_p20260309")?.carried).toBe(1);
    expect(await c.query(`SELECT 1 FROM "DriftEvent"`).then((r) => r.rowCount)).toBe(0);
    // QoS: the day-0 reading (35 d old) went with its partition, three in one 5-minute bucket thinned to one
    expect(await c.query(`SELECT 1 FROM "QosSample"`).then((r) => r.rowCount)).toBe(2);
    expect(second.qos?.thinned).toBe(2);
    expect(await partitionNames("LatencyRun")).toContain(partitionName("LatencyRun", new Date(Date.UTC(2026, 3, 21))));

    // a third run at the same instant finds nothing to do
    const third = await run(T1);
    expect([third.created, third.dropped, third.moved, third.defaultExpired]).toEqual([[], [], 0, 0]);
  });

  it("two runs at once: one skips or waits its turn, nothing fails, the result is the same", async () => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtext('nfvdeck:housekeeping'))`);
      const blocked = await run(at(60 * DAY));
      expect(blocked.skipped).toBe(true);
      expect(blocked.created).toEqual([]);
    } finally {
      await holder.query(`SELECT pg_advisory_unlock(hashtext('nfvdeck:housekeeping'))`);
      await holder.end();
    }
    const T2 = at(60 * DAY);
    await insertRun(at(59 * DAY));
    const [a, b] = await Promise.all([run(T2), run(T2)]);
    expect([...a.errors, ...b.errors]).toEqual([]);
    expect([a.skipped, b.skipped]).not.toEqual([true, true]);
    // whichever ran, every partition is there exactly once and the fresh run sits in its own
    const created = [...a.created, ...b.created];
    expect(new Set(created).size).toBe(created.length);
    // cutoff T2 − 30 d = 04-09 12:00: the 03-17 partition went, the 04-13 one stays
    expect(await partitionsOf("LatencyRun")).toEqual(["LatencyRun_p20260413", "LatencyRun_p20260508"]);
    const names = await partitionNames("LatencyRun");
    for (let d = 0; d <= 7; d++) expect(names).toContain(partitionName("LatencyRun", new Date(Date.UTC(2026, 4, 9 + d))));
  });

  it("QoS thinning of the last slice only: readings that just changed tier are thinned, older ones left as they are", async () => {
    const T3 = at(61 * DAY);
    const bucket = (ageMs: number) => Math.floor((T3.getTime() - ageMs) / 300_000) * 300_000; // a 5-minute bucket start
    const fresh = bucket(6 * HOUR + 10 * 60_000); // entered the 5-minute tier 10 minutes ago
    const old = bucket(2 * DAY);
    for (const start of [fresh, old]) for (const m of [0, 1, 2]) await insertQos(new Date(start + m * 60_000));
    const { thinned } = await thinQosSamples(T3, { deleteExpired: false, sinceMs: 30 * 60_000 });
    expect(thinned).toBe(2);
    const left = await c.query(`SELECT 1 FROM "QosSample" WHERE "at" >= $1`, [ts(new Date(old))]);
    expect(left.rowCount).toBe(1 + 3);
    // a whole pass (after downtime) catches the rest
    expect((await thinQosSamples(T3, { deleteExpired: false })).thinned).toBe(2);
  });

  it("partitioned parents get statistics of their own: ANALYZEd when partitions change or none exist, skipped otherwise", async () => {
    const T2 = at(50 * DAY);
    await insertRun(at(50 * DAY - HOUR));
    await insertQos(at(50 * DAY - HOUR));
    const inheritedStats = async (table: string) =>
      (await c.query(`SELECT 1 FROM pg_stats WHERE schemaname = current_schema() AND tablename = $1 AND inherited`, [table])).rowCount ?? 0;
    const first = await run(T2);
    expect(first.errors).toEqual([]);
    // 15 days on, the daily families got new partitions ahead (so their parents were analyzed); the weekly
    // ones were made far enough ahead by the last run and already have statistics from earlier runs
    expect(first.created.some((n) => n.startsWith("LatencyRun_p"))).toBe(true);
    expect([...first.analyzed].sort()).toEqual(["LatencyRun", "LatencyThread", "QosSample"]);
    for (const table of ["LatencyRun", "LatencyThread", "QosSample"]) expect(await inheritedStats(table), table).toBeGreaterThan(0);
    // the same instant again: no partition changes, and the parents with rows already have statistics
    const again = await run(T2);
    expect(again.created).toEqual([]);
    expect(again.analyzed).not.toContain("LatencyRun");
    expect(again.analyzed).not.toContain("QosSample");
  });

  it("a row reaching DEFAULT while its partition is being created is moved into it, not a failed step", async () => {
    const family = PARTITION_FAMILIES.find((f) => f.name === "latency");
    if (!family) throw new Error("no latency family");
    const day = new Date(Date.UTC(2027, 0, 5)); // far beyond anything made ahead: rows for it land in DEFAULT
    const range = { from: day, to: new Date(day.getTime() + DAY) };
    // an ingest transaction has written a run for that day into DEFAULT and not committed yet
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    try {
      await writer.query("BEGIN");
      const runId = randomUUID();
      await writer.query(
        `INSERT INTO "LatencyRun" ("id", "hostId", "startedAt", "durationS", "histogramSize", "source", "idempotencyKey", "cycles", "overflows", "min", "max", "avg", "histogram")
         VALUES ($1, $2, $3, 60, 100, 'agent', $4, 1000, 0, 5, 20, 8, '{"8": 1000}')`,
        [runId, hostId, ts(new Date(day.getTime() + HOUR)), `agent:${runId}`],
      );
      // housekeeping sees no committed row for that day, so it creates the partition directly; the CREATE
      // waits for the writer's lock on DEFAULT, then finds the row
      const creating = createFamilyPartition(c, family, range);
      await new Promise((r) => setTimeout(r, 300));
      await writer.query("COMMIT");
      const created = await creating;
      expect(created.created).toEqual(["LatencyRun_p20270105", "LatencyThread_p20270105"]);
      expect(created.moved).toBe(1);
      const where = await c.query<{ p: string }>(`SELECT tableoid::regclass::text AS p FROM "LatencyRun" WHERE "id" = $1`, [runId]);
      expect(where.rows.map((r) => r.p.replace(/"/g, ""))).toEqual(["LatencyRun_p20270105"]);
    } finally {
      await writer.end();
    }
  });

  it("deleting a host cascades through the partitioned tables (threads via the run's composite key)", async () => {
    await insertQos(at(59 * DAY));
    await insertDrift(at(59 * DAY));
    await c.query(`DELETE FROM "Host" WHERE "id" = $1`, [hostId]);
    for (const t of ["LatencyRun", "LatencyThread", "QosSample", "DriftEvent", "HostSectionHistory", "LatencyRollup"]) {
      expect(await c.query(`SELECT 1 FROM "${t}" WHERE "hostId" = $1`, [hostId]).then((r) => r.rowCount), t).toBe(0);
    }
  });
});
