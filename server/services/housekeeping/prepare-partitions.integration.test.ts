/**
 * The partitions an agent-API process prepares before it takes reports, on a freshly migrated database of
 * its own (real PostgreSQL, injected clock): a fresh install's first rows land in their own partition, not
 * DEFAULT; a second start takes no lock and creates nothing; a run holding the lock elsewhere is waited
 * for and then found done; a lock held past the wait leaves start going on with nothing created.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScratchDatabase, dropDatabase } from "@/server/db-bootstrap";
import { PARTITION_FAMILIES, partitionName } from "@/server/domain/housekeeping/partitions";
import { prepareTimeSeriesPartitions, type HousekeepingRetention } from "@/server/services/housekeeping/run-housekeeping";

const T0 = new Date("2026-05-20T08:30:00.000Z"); // a Wednesday
const retention: HousekeepingRetention = { latency: 30, qos: 30, history: 365, rollupDays: 400 };
const serverUrl = (() => {
  const u = new URL(process.env.DATABASE_URL ?? "");
  u.pathname = "/postgres";
  return u.toString();
})();
const dbName = `nfvdeck_prepare_${process.pid}_${Date.now().toString(36)}`;
let url = "";
let c: pg.Client;
const logs: string[] = [];
const LOCK = "SELECT pg_advisory_lock(hashtext('nfvdeck:housekeeping'))";
const UNLOCK = "SELECT pg_advisory_unlock(hashtext('nfvdeck:housekeeping'))";

async function partitionCount(): Promise<number> {
  const r = await c.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid
      WHERE child.relkind = 'r' AND child.relname NOT LIKE '%\\_default' AND child.relnamespace = current_schema()::regnamespace`,
  );
  return Number(r.rows[0]?.n);
}

beforeAll(async () => {
  url = await createScratchDatabase(serverUrl, dbName);
  c = new pg.Client({ connectionString: url });
  await c.connect();
}, 120_000);

afterAll(async () => {
  await c?.end();
  await dropDatabase(serverUrl, dbName).catch(() => undefined);
});

describe("partitions prepared before an agent-API process takes reports", () => {
  it("gives a fresh install's first rows their own partition, and does nothing on the next start", async () => {
    expect(await partitionCount()).toBe(0);
    // a lock held past the wait: start goes on, nothing created, the reason logged
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query(LOCK);
    const blocked = await prepareTimeSeriesPartitions({ now: T0, retention, databaseUrl: url, waitMs: 300, log: (l) => logs.push(l) });
    expect(blocked.ok).toBe(false);
    expect(blocked.created).toEqual([]);
    expect(logs.at(-1)).toMatch(/another process held the housekeeping lock/);
    expect(await partitionCount()).toBe(0);

    // the other process lets go within the wait: this one creates them
    const release = setTimeout(() => void other.query(UNLOCK), 400);
    const first = await prepareTimeSeriesPartitions({ now: T0, retention, databaseUrl: url, waitMs: 10_000, log: (l) => logs.push(l) });
    clearTimeout(release);
    expect(first.errors).toEqual([]);
    expect(first.ok).toBe(true);
    for (const family of PARTITION_FAMILIES) {
      const from = family.step === "day" ? new Date(Date.UTC(2026, 4, 20)) : new Date(Date.UTC(2026, 4, 18)); // today / this Monday
      for (const t of family.tables) expect(first.created).toContain(partitionName(t.table, from));
    }
    const made = await partitionCount();
    expect(made).toBe(first.created.length);

    // the first rows of the day land in today's partition
    const hostId = randomUUID();
    await c.query(`INSERT INTO "Host" ("id", "hostname", "tokenHash") VALUES ($1, 'prep-host', $2)`, [hostId, `hash-${hostId}`]);
    await c.query(`INSERT INTO "QosSample" ("hostId", "at", "group", "domain", "mbmTotalBytes") VALUES ($1, '2026-05-20 08:31:00', 'vnf-a', '0', 1)`, [hostId]);
    await c.query(`INSERT INTO "DriftEvent" ("hostId", "at", "kind", "section", "key") VALUES ($1, '2026-05-20 08:31:00', 'snapshot', 'kernel', 'cmdline')`, [hostId]);
    const q = await c.query<{ p: string }>(`SELECT tableoid::regclass::text AS p FROM "QosSample" UNION ALL SELECT tableoid::regclass::text FROM "DriftEvent"`);
    expect(q.rows.map((r) => r.p.replace(/"/g, ""))).toEqual(["QosSample_p20260520", "DriftEvent_p20260518"]);

    // next start, while another process's housekeeping holds the lock all along: ok, so it never needed the lock
    await other.query(LOCK);
    const again = await prepareTimeSeriesPartitions({ now: T0, retention, databaseUrl: url, waitMs: 5_000, log: (l) => logs.push(l) });
    expect(again).toMatchObject({ ok: true, created: [] });
    expect(await partitionCount()).toBe(made);
    await other.query(UNLOCK);
    await other.end();
  }, 60_000);
});
