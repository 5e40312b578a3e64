import type http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma } from "@/server/db";
import { freeTcpPort } from "@/server/db-bootstrap";
import { createIngestServer } from "@/server/ingest-server";
import { enrolHost, uniqueHostname } from "@/server/test/callers";

/**
 * A PostgreSQL outage mid-run: the agent API answers 503 (retry later), never 401 (which would tell
 * an agent its token is bad) nor a 500 carrying driver text. The outage is real: the server's
 * database client is re-pointed at a TCP port nothing listens on, then back.
 */
type Host = { hostId: string; hostToken: string };
let cached: Host;
let uncached: Host;
let server: http.Server;
let baseUrl: string;
const realUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  cached = await enrolHost(uniqueHostname("outage-cached"), { note: "db outage" });
  uncached = await enrolHost(uniqueHostname("outage-uncached"), { note: "db outage" });
  server = createIngestServer({ maxBodyBytes: 1024 * 1024 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await disconnectPrisma();
  process.env.DATABASE_URL = realUrl;
});

let seq = 0;
async function heartbeat(host: Host): Promise<{ status: number; text: string }> {
  seq += 1;
  const res = await fetch(`${baseUrl}/api/trpc/agent.report`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${host.hostToken}` },
    body: JSON.stringify({
      json: { hostId: host.hostId, idempotencyKey: `${host.hostId}:${seq}`, sequence: seq, collectedAt: new Date().toISOString(), agentVersion: "t", hostname: "outage" },
    }),
  });
  return { status: res.status, text: await res.text() };
}

async function databaseDown() {
  await disconnectPrisma();
  process.env.DATABASE_URL = `postgresql://postgres@127.0.0.1:${await freeTcpPort()}/gone?connect_timeout=2`;
}

async function databaseBack() {
  await disconnectPrisma();
  process.env.DATABASE_URL = realUrl;
}

describe("agent API during a PostgreSQL outage", () => {
  it("answers 503 for an uncached token and for a cached one, and recovers afterwards", async () => {
    expect((await heartbeat(cached)).status).toBe(200); // its token is now cached
    await databaseDown();
    try {
      const forUncached = await heartbeat(uncached);
      expect(forUncached.status, forUncached.text.slice(0, 300)).toBe(503);
      expect(forUncached.text).toMatch(/database unavailable/);
      const forCached = await heartbeat(cached);
      expect(forCached.status, forCached.text.slice(0, 300)).toBe(503);
      for (const r of [forUncached, forCached]) expect(r.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres|prisma|\bat \S+ \(/i);
      const health = await fetch(`${baseUrl}/api/health`);
      expect(health.status).toBe(503);
    } finally {
      await databaseBack();
    }
    // the outage was not remembered as "unknown token"
    const after = await heartbeat(uncached);
    expect(after.status, after.text.slice(0, 300)).toBe(200);
  });
});
