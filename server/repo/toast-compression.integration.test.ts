/**
 * Migration 20261203124000_lz4_section_toast: where the server has lz4, the large jsonb columns written by
 * every full report use it — on the tables, on every partition, and on partitions housekeeping creates
 * later (both ways it creates them); a server without lz4 (the embedded one) keeps pglz.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFamilyPartition, openSqlSession, type SqlSession } from "@/server/repo/partitions";
import { PARTITION_FAMILIES } from "@/server/domain/housekeeping/partitions";
import { enrolHost, uniqueHostname } from "@/server/test/callers";

let c: SqlSession;
beforeAll(async () => {
  c = await openSqlSession(process.env.DATABASE_URL ?? "");
});
afterAll(async () => {
  await c.end();
});

async function lz4Available(): Promise<boolean> {
  await c.query("BEGIN");
  try {
    await c.query("CREATE TEMP TABLE lz4_probe (d text COMPRESSION lz4)");
    return true;
  } catch (err) {
    if ((err as { code?: string }).code !== "0A000") throw err;
    return false;
  } finally {
    await c.query("ROLLBACK");
  }
}

/** attcompression of `column` on `table` and on each of its partitions: 'l' lz4, '' the default (pglz). */
async function compressionOf(table: string, column: string): Promise<Record<string, string>> {
  const r = await c.query<{ rel: string; method: string }>(
    `SELECT cl.relname AS rel, a.attcompression::text AS method FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid
     WHERE a.attname = $2 AND cl.relnamespace = current_schema()::regnamespace
       AND (cl.relname = $1 OR cl.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = format('%I', $1::text)::regclass))`,
    [table, column],
  );
  return Object.fromEntries(r.rows.map((row) => [row.rel, row.method]));
}

describe("TOAST compression of section data and findings", () => {
  it("is lz4 wherever the server has it, on tables and on every partition, old and new", async () => {
    const want = (await lz4Available()) ? "l" : "";
    for (const [table, column] of [["HostSection", "data"], ["HostSectionHistory", "data"], ["ComplianceResult", "findings"]] as const) {
      const methods = await compressionOf(table, column);
      expect(Object.keys(methods).length).toBeGreaterThan(0);
      for (const [rel, method] of Object.entries(methods)) expect({ rel, method }).toEqual({ rel, method: want });
    }
    const history = PARTITION_FAMILIES.find((f) => f.tables.some((t) => t.table === "HostSectionHistory"));
    if (!history) throw new Error("no partition family holds HostSectionHistory");
    // a far-future week: created plainly, then (a row waiting in DEFAULT) by the move-and-attach path
    const plain = { from: new Date(Date.UTC(2099, 0, 5)), to: new Date(Date.UTC(2099, 0, 12)) };
    const moved = { from: new Date(Date.UTC(2099, 0, 12)), to: new Date(Date.UTC(2099, 0, 19)) };
    await createFamilyPartition(c, history, plain);
    const { hostId } = await enrolHost(uniqueHostname("toast-host"), { note: "toast-compression" });
    const waiting = await c.query(`INSERT INTO "HostSectionHistory" ("hostId", section, hash, data, "changedAt") VALUES ($1, 'kvm', 'x', '{}'::jsonb, '2099-01-13 00:00:00')`, [hostId]);
    expect(waiting.rowCount).toBe(1);
    try {
      expect((await createFamilyPartition(c, history, moved)).moved).toBe(1);
      const methods = await compressionOf("HostSectionHistory", "data");
      for (const start of ["20990105", "20990112"]) {
        const rel = Object.keys(methods).find((name) => name.includes(start));
        expect(rel, `a partition for ${start}`).toBeDefined();
        expect(methods[rel ?? ""]).toBe(want);
      }
    } finally {
      for (const start of ["20990105", "20990112"]) {
        const rel = Object.keys(await compressionOf("HostSectionHistory", "data")).find((name) => name.includes(start));
        if (rel) await c.query(`DROP TABLE "${rel}"`);
      }
      await c.query(`DELETE FROM "HostSectionHistory" WHERE "changedAt" >= '2099-01-01'`);
    }
  });
});
