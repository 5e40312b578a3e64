import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma, prisma } from "@/server/db";
import { DomainError } from "@/server/errors";
import { createIngestServer } from "@/server/ingest-server";
import { HeartbeatBatcher, heartbeatRowProblem, type HeartbeatRow } from "@/server/repo/heartbeat-batcher";
import { enrolHost, uniqueHostname } from "@/server/test/callers";

/**
 * Heartbeats of many hosts share one batch statement. One host's bad heartbeat must never fail
 * another's: bad rows are refused before batching, and a batch that still fails is retried row by row.
 */
type Host = { hostId: string; hostToken: string };
let clean: Host;
let poison: Host;
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  clean = await enrolHost(uniqueHostname("batch-clean"), { note: "batch isolation" });
  poison = await enrolHost(uniqueHostname("batch-poison"), { note: "batch isolation" });
  server = createIngestServer({ maxBodyBytes: 1024 * 1024 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await disconnectPrisma();
});

let seq = 0;
function heartbeat(hostId: string, extra: Record<string, unknown> = {}) {
  seq += 1;
  return {
    hostId,
    idempotencyKey: `${hostId}:${seq}`,
    sequence: seq,
    collectedAt: new Date().toISOString(),
    agentVersion: "0.0.0-test",
    hostname: "batch-host",
    heartbeat: { uptimeS: 100 + seq, loadavg: [0.1, 0.2, 0.3] },
    ...extra,
  };
}

async function post(token: string, payload: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${baseUrl}/api/trpc/agent.report`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ json: payload }),
  });
  return { status: res.status, text: await res.text() };
}

function row(hostId: string, n: number, extra: Partial<HeartbeatRow> = {}): HeartbeatRow {
  return { hostId, idempotencyKey: `${hostId}:row:${n}:${randomUUID()}`, sequence: n, collectedAt: new Date(), agentVersion: "t", hostname: "batch-row", ...extra };
}

describe("heartbeat batch isolation", () => {
  it("a clean host's heartbeats all succeed while another host sends poison (over HTTP)", async () => {
    const poisons = [
      (id: string) => heartbeat(id, { hostname: "nul\u0000host" }),
      (id: string) => heartbeat(id, { hostname: "half an emoji \ud83d" }),
      (id: string) => heartbeat(id, { agentVersion: "\udfff" }),
      (id: string) => heartbeat(id, { collectedAt: "0000-01-01T00:00:00Z" }),
      (id: string) => heartbeat(id, { idempotencyKey: "k\u0000" }),
    ];
    const rounds = 40;
    const results = await Promise.all(
      Array.from({ length: rounds }, async (_, i) => {
        // poison and clean interleaved, sent together so they land in the same batches
        const [p, c] = await Promise.all([post(poison.hostToken, poisons[i % poisons.length]!(poison.hostId)), post(clean.hostToken, heartbeat(clean.hostId))]);
        return { p, c };
      }),
    );
    const cleanOk = results.filter((r) => r.c.status === 200).length;
    console.log(`batch isolation over HTTP: clean host ${cleanOk}/${rounds} heartbeats stored (${((100 * cleanOk) / rounds).toFixed(0)} %) while the poison host sent ${rounds} poisoned ones`);
    expect(cleanOk).toBe(rounds);
    for (const r of results) {
      expect(r.p.status, r.p.text.slice(0, 200)).toBe(400);
      expect(r.p.text).toMatch(/hostname|agentVersion|collectedAt|idempotencyKey/);
    }
    expect(await prisma().report.count({ where: { hostId: poison.hostId } })).toBe(0);
    expect(await prisma().report.count({ where: { hostId: clean.hostId } })).toBe(rounds);
  });

  it("refuses, before batching, a row the shared statement could not take", () => {
    expect(heartbeatRowProblem(row(clean.hostId, 1))).toBeNull();
    expect(heartbeatRowProblem(row(clean.hostId, 1, { hostname: "a\u0000b" }))).toMatch(/^hostname: contains NUL/);
    expect(heartbeatRowProblem(row(clean.hostId, 1, { agentVersion: "\ud800" }))).toMatch(/^agentVersion: .*surrogate/);
    expect(heartbeatRowProblem(row(clean.hostId, 1, { collectedAt: new Date("0000-01-01T00:00:00Z") }))).toMatch(/^collectedAt/);
    expect(heartbeatRowProblem(row(clean.hostId, 1, { collectedAt: new Date(Number.NaN) }))).toMatch(/^collectedAt/);
    expect(heartbeatRowProblem(row("not-a-uuid", 1))).toMatch(/^hostId/);
    expect(heartbeatRowProblem(row(clean.hostId, -1))).toMatch(/^sequence/);
  });

  it("when a batch statement fails, retries its rows alone: only the guilty row fails", async () => {
    // A host deleted while its token is still cached elsewhere: its row passes every check and
    // breaks the batch's INSERT (foreign key). Everything is submitted in one turn → one batch.
    const gone = await enrolHost(uniqueHostname("batch-gone"), { note: "batch isolation" });
    await prisma().host.delete({ where: { id: gone.hostId } });
    const batcher = new HeartbeatBatcher(500, 20, 1);
    const cleanRows = Array.from({ length: 30 }, (_, i) => row(clean.hostId, 10_000 + i));
    const before = await prisma().report.count({ where: { hostId: clean.hostId } });
    const outcomes = await Promise.allSettled([...cleanRows.slice(0, 15), row(gone.hostId, 1), ...cleanRows.slice(15)].map((r) => batcher.submit(r)));
    const guilty = outcomes[15];
    const others = outcomes.filter((_, i) => i !== 15);
    expect(others.every((o) => o.status === "fulfilled")).toBe(true);
    expect(guilty?.status).toBe("rejected");
    const reason = guilty?.status === "rejected" ? (guilty.reason as unknown) : null;
    expect(reason).toBeInstanceOf(DomainError);
    expect((reason as DomainError).code).toBe("NOT_FOUND");
    expect(await prisma().report.count({ where: { hostId: clean.hostId } })).toBe(before + 30);
  });

  it("a deleted host's heartbeat over HTTP (token still cached) is a 404, not a 500, and fails no one else", async () => {
    const gone = await enrolHost(uniqueHostname("batch-gone-http"), { note: "batch isolation" });
    expect((await post(gone.hostToken, heartbeat(gone.hostId))).status).toBe(200); // token now cached
    await prisma().host.delete({ where: { id: gone.hostId } });
    const rounds = 20;
    const results = await Promise.all(
      Array.from({ length: rounds }, async () => Promise.all([post(gone.hostToken, heartbeat(gone.hostId)), post(clean.hostToken, heartbeat(clean.hostId))])),
    );
    expect(results.filter(([, c]) => c.status === 200)).toHaveLength(rounds);
    for (const [g] of results) {
      expect(g.status, g.text.slice(0, 200)).toBe(404);
      expect(g.text).toMatch(/host not found/);
    }
  });
});
