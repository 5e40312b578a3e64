/**
 * Migrations are additive: a database created by ONLY the first migration and filled with data is upgraded by
 * the path `npm start` takes (server/cli/launch.ts → openDatabase → prisma migrate deploy + seeding) and keeps
 * every row. The migrations applied are whatever folders prisma/migrations holds, so each new one is covered.
 */
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dropDatabase, openDatabase } from "@/server/db-bootstrap";

const MIGRATIONS = path.resolve(import.meta.dirname, "../prisma/migrations");
const migrationNames = fs
  .readdirSync(MIGRATIONS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(MIGRATIONS, d.name, "migration.sql")))
  .map((d) => d.name)
  .sort();
const FIRST = "20261122000000_init";

const serverUrl = (() => {
  const u = new URL(inject("databaseUrl"));
  u.pathname = "/postgres";
  return u.toString();
})();
const dbName = `nfvdeck_upgrade_${process.pid}_${Date.now().toString(36)}`;
const dbUrl = (() => {
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** What `prisma migrate deploy` records for an applied migration (its table, as Prisma creates it). */
async function applyFirstMigrationOnly(c: pg.Client): Promise<void> {
  const sql = fs.readFileSync(path.join(MIGRATIONS, FIRST, "migration.sql"), "utf8");
  await c.query(sql);
  await c.query(`CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
  await c.query(`INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "applied_steps_count") VALUES ($1, $2, now(), $3, 1)`, [
    randomUUID(),
    createHash("sha256").update(sql).digest("hex"),
    FIRST,
  ]);
}

const hostId = randomUUID();
const runId = randomUUID();
const collectedAt = new Date("2026-11-20T10:00:00.000Z");

/**
 * A host as the first schema stored it: its row, a section, a latency run with a thread, a day rollup, a
 * QoS sample, three reports, a custom profile, an audit row. Later migrations rewrite some of these:
 * LatencyPromTotal is backfilled from the day rollups, the time-series tables are rebuilt as partitioned
 * tables, and the report log keeps the newest report per slot (sequence mod 512).
 */
async function fillWithData(c: pg.Client): Promise<void> {
  await c.query(`INSERT INTO "Profile" ("id", "name", "rules", "sloMaxUs", "updatedAt") VALUES ('custom-upgrade', 'Upgrade lab', '[]', 25, now())`);
  await c.query(
    `INSERT INTO "Host" ("id", "hostname", "labels", "tokenHash", "lastSequence", "profileId", "cpus", "isVirtual", "lastSeenAt")
     VALUES ($1, 'upgrade-host', ARRAY['rt-lab'], 'hash-of-token', 41, 'custom-upgrade', 8, false, $2)`,
    [hostId, collectedAt],
  );
  await c.query(
    `INSERT INTO "HostSection" ("hostId", "section", "hash", "ok", "available", "durationMs", "data", "collectedAt", "updatedAt")
     VALUES ($1, 'kvm', 'h1', true, true, 1.5, '{"vendor":"intel"}', $2, now())`,
    [hostId, collectedAt],
  );
  await c.query(
    `INSERT INTO "LatencyRun" ("id", "hostId", "startedAt", "durationS", "histogramSize", "source", "idempotencyKey", "cycles", "overflows", "min", "max", "avg", "histogram")
     VALUES ($1, $2, $3, 60, 400, 'agent', 'k1', 1000, 0, 7, 16, 9, '{"8":600,"9":400}')`,
    [runId, hostId, collectedAt],
  );
  await c.query(
    `INSERT INTO "LatencyThread" ("runId", "thread", "cpu", "cycles", "overflows", "min", "avg", "max", "histogram") VALUES ($1, 0, 2, 1000, 0, 7, 9, 16, '{"8":600,"9":400}')`,
    [runId],
  );
  await c.query(
    `INSERT INTO "LatencyRollup" ("hostId", "granularity", "bucketStart", "histogramSize", "runs", "cycles", "overflows", "min", "max", "weightedSum", "histogram")
     VALUES ($1, 'day', $2, 400, 1, 1000, 0, 7, 16, 9000, '{"8":600,"9":400}')`,
    // the day bucket of the run's own (fixed) instant: no migration looks at the clock
    [hostId, new Date(Date.UTC(collectedAt.getUTCFullYear(), collectedAt.getUTCMonth(), collectedAt.getUTCDate()))],
  );
  await c.query(`INSERT INTO "QosSample" ("id", "hostId", "at", "group", "domain", "llcOccupancyBytes") VALUES (7001, $1, $2, 'vnf-a', 'L3:0', 1048576)`, [hostId, collectedAt]);
  // 41 and 553 share slot 41: the upgrade keeps 553 (the newer) and 1
  for (const seq of [1, 41, 553]) {
    await c.query(`INSERT INTO "Report" ("hostId", "idempotencyKey", "sequence", "collectedAt") VALUES ($1, $2, $3, $4)`, [hostId, `r${seq}`, seq, collectedAt]);
  }
  await c.query(`INSERT INTO "AuditEvent" ("actor", "action", "targetType", "targetId") VALUES ('system', 'upgrade.test', 'host', $1)`, [hostId]);
}

beforeAll(async () => {
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE "${dbName}"`));
  await withClient(dbUrl, async (c) => {
    await applyFirstMigrationOnly(c);
    await fillWithData(c);
  });
});
afterAll(async () => {
  await dropDatabase(serverUrl, dbName);
});

describe("upgrade from the first migration", () => {
  it("the current code's migrate path applies every later migration and keeps the data", async () => {
    expect(migrationNames[0]).toBe(FIRST);
    const running = await openDatabase({ databaseUrl: dbUrl, port: 0 });
    await running.stop();

    await withClient(dbUrl, async (c) => {
      const applied = await c.query<{ migration_name: string }>(`SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL ORDER BY 1`);
      expect(applied.rows.map((r) => r.migration_name)).toEqual(migrationNames);

      const host = await c.query(`SELECT "hostname", "labels", "tokenHash", "lastSequence"::int AS "lastSequence", "profileId", "cpus", "isVirtual", "lastSeenAt" FROM "Host" WHERE "id" = $1`, [hostId]);
      expect(host.rows).toEqual([
        { hostname: "upgrade-host", labels: ["rt-lab"], tokenHash: "hash-of-token", lastSequence: 41, profileId: "custom-upgrade", cpus: 8, isVirtual: false, lastSeenAt: collectedAt },
      ]);
      const section = await c.query(`SELECT "hash", "data" FROM "HostSection" WHERE "hostId" = $1`, [hostId]);
      expect(section.rows).toEqual([{ hash: "h1", data: { vendor: "intel" } }]);
      const run = await c.query(`SELECT "cycles"::int AS "cycles", "max", "histogram" FROM "LatencyRun" WHERE "id" = $1`, [runId]);
      expect(run.rows).toEqual([{ cycles: 1000, max: 16, histogram: { "8": 600, "9": 400 } }]);
      const thread = await c.query(`SELECT "hostId", "runStartedAt", "thread", "cpu", "cycles"::int AS "cycles" FROM "LatencyThread" WHERE "runId" = $1`, [runId]);
      expect(thread.rows).toEqual([{ hostId, runStartedAt: collectedAt, thread: 0, cpu: 2, cycles: 1000 }]);
      const promTotal = await c.query(`SELECT "le"::int[] AS "le", "count"::int AS "count", "sumSeconds" FROM "LatencyPromTotal" WHERE "hostId" = $1`, [hostId]);
      expect(promTotal.rows).toEqual([{ le: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000], count: 1000, sumSeconds: 0.009 }]);
      const qos = await c.query(`SELECT "id"::int AS "id", "group", "llcOccupancyBytes"::int AS "llc" FROM "QosSample" WHERE "hostId" = $1`, [hostId]);
      expect(qos.rows).toEqual([{ id: 7001, group: "vnf-a", llc: 1048576 }]);
      const reports = await c.query(`SELECT "idempotencyKey", "sequence"::int AS "sequence", "slot" FROM "Report" WHERE "hostId" = $1 ORDER BY "sequence"`, [hostId]);
      expect(reports.rows).toEqual([
        { idempotencyKey: "r1", sequence: 1, slot: 1 },
        { idempotencyKey: "r553", sequence: 553, slot: 41 },
      ]);
      const profile = await c.query(`SELECT "name", "sloMaxUs" FROM "Profile" WHERE "id" = 'custom-upgrade'`);
      expect(profile.rows).toEqual([{ name: "Upgrade lab", sloMaxUs: 25 }]);
      expect((await c.query(`SELECT 1 FROM "AuditEvent" WHERE "action" = 'upgrade.test' AND "targetId" = $1`, [hostId])).rowCount).toBe(1);
      // the migrate path also seeds what the code owns
      const builtIns = await c.query(`SELECT "id" FROM "Profile" WHERE "builtIn" ORDER BY 1`);
      expect(builtIns.rows.map((r) => r.id)).toEqual(["kvm4nfv-guest", "kvm4nfv-host"]);
    });
  });
});
