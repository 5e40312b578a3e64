/**
 * Migration 20261202130000_timeseries_partitions on a database holding data: every earlier migration is
 * applied, rows are written into the five time-series tables, then this migration runs. Every row is
 * still there with its id, the sequences go on from where they were, threads keep their run (now by the
 * composite key) and the tables are partitioned.
 */
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../../prisma/migrations");
const MINE = "20261202130000_timeseries_partitions";
const earlier = fs
  .readdirSync(MIGRATIONS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name < MINE && fs.existsSync(path.join(MIGRATIONS, d.name, "migration.sql")))
  .map((d) => d.name)
  .sort();
const sql = (name: string) => fs.readFileSync(path.join(MIGRATIONS, name, "migration.sql"), "utf8");

const serverUrl = (() => {
  const u = new URL(process.env.DATABASE_URL ?? "");
  u.pathname = "/postgres";
  return u.toString();
})();
const dbName = `nfvdeck_partmig_${process.pid}_${Date.now().toString(36)}`;
let c: pg.Client;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  for (const name of earlier) await c.query(sql(name));
}, 120_000);

afterAll(async () => {
  await c?.end();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
  await admin.end();
});

describe("partitioning migration", () => {
  it("keeps every row, id and sequence; threads keep their run", async () => {
    const hostId = randomUUID();
    const runId = randomUUID();
    await c.query(`INSERT INTO "Host" ("id", "hostname", "tokenHash") VALUES ($1, 'mig-host', 'h')`, [hostId]);
    await c.query(
      `INSERT INTO "LatencyRun" ("id", "hostId", "startedAt", "durationS", "histogramSize", "source", "idempotencyKey", "cycles", "overflows", "histogram")
       VALUES ($1, $2, '2026-11-20 10:00:00', 60, 100, 'agent', 'agent:r1', 1000, 0, '{"8": 1000}')`,
      [runId, hostId],
    );
    await c.query(`INSERT INTO "LatencyThread" ("runId", "thread", "cpu", "cycles", "overflows", "histogram") VALUES ($1, 0, 2, 500, 0, '{"8": 500}'), ($1, 1, 3, 500, 0, '{"8": 500}')`, [runId]);
    await c.query(`INSERT INTO "QosSample" ("hostId", "at", "group", "domain") VALUES ($1, '2026-11-20 10:00:00', 'g', '0'), ($1, '2026-11-20 10:01:00', 'g', '0')`, [hostId]);
    await c.query(`INSERT INTO "DriftEvent" ("hostId", "at", "kind", "section", "key") VALUES ($1, '2026-11-20 10:00:00', 'snapshot', 'kernel', 'k')`, [hostId]);
    await c.query(`INSERT INTO "HostSectionHistory" ("hostId", "section", "hash", "changedAt") VALUES ($1, 'kernel', 'x', '2026-11-20 10:00:00')`, [hostId]);
    const before = await c.query<{ q: string; d: string; h: string }>(
      `SELECT (SELECT max("id") FROM "QosSample")::text AS q, (SELECT max("id") FROM "DriftEvent")::text AS d, (SELECT max("id") FROM "HostSectionHistory")::text AS h`,
    );

    await c.query(sql(MINE));

    const kinds = await c.query<{ relname: string; relkind: string }>(
      `SELECT relname, relkind FROM pg_class WHERE relname IN ('LatencyRun', 'LatencyThread', 'QosSample', 'DriftEvent', 'HostSectionHistory') ORDER BY 1`,
    );
    expect(kinds.rows.map((r) => r.relkind)).toEqual(["p", "p", "p", "p", "p"]);
    const threads = await c.query(`SELECT "hostId", "runStartedAt", "thread", "cpu" FROM "LatencyThread" WHERE "runId" = $1 ORDER BY "thread"`, [runId]);
    expect(threads.rows.map((r: { hostId: string; thread: number; cpu: number }) => [r.hostId, r.thread, r.cpu])).toEqual([
      [hostId, 0, 2],
      [hostId, 1, 3],
    ]);
    expect((await c.query(`SELECT "idempotencyKey" FROM "LatencyRun" WHERE "id" = $1`, [runId])).rows).toEqual([{ idempotencyKey: "agent:r1" }]);
    const after = await c.query<{ q: string; d: string; h: string }>(
      `SELECT (SELECT max("id") FROM "QosSample")::text AS q, (SELECT max("id") FROM "DriftEvent")::text AS d, (SELECT max("id") FROM "HostSectionHistory")::text AS h`,
    );
    expect(after.rows).toEqual(before.rows);
    // sequences go on (no id reused), and belong to the new tables
    const next = await c.query<{ id: string }>(`INSERT INTO "QosSample" ("hostId", "at", "group", "domain") VALUES ($1, now(), 'g', '0') RETURNING "id"::text AS id`, [hostId]);
    expect(BigInt(next.rows[0]?.id ?? "0")).toBeGreaterThan(BigInt(before.rows[0]?.q ?? "0"));
    const owned = await c.query(`SELECT 1 FROM pg_depend d JOIN pg_class s ON s.oid = d.objid WHERE s.relname = 'QosSample_id_seq' AND d.refobjid = '"QosSample"'::regclass`);
    expect(owned.rowCount).toBe(1);
    // the same agent run again (same start) is still a duplicate; the FK refuses a thread without its run
    const dup = await c.query(
      `INSERT INTO "LatencyRun" ("id", "hostId", "startedAt", "durationS", "histogramSize", "source", "idempotencyKey", "cycles", "overflows", "histogram")
       VALUES ($1, $2, '2026-11-20 10:00:00', 60, 100, 'agent', 'agent:r1', 1000, 0, '{}') ON CONFLICT DO NOTHING`,
      [randomUUID(), hostId],
    );
    expect(dup.rowCount).toBe(0);
    await expect(
      c.query(`INSERT INTO "LatencyThread" ("hostId", "runStartedAt", "runId", "thread", "cycles", "overflows", "histogram") VALUES ($1, '2026-11-21 10:00:00', $2, 5, 1, 0, '{}')`, [hostId, runId]),
    ).rejects.toThrow(/foreign key/);
  });
});
