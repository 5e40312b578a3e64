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
 * A heartbeat writes no report-log row: it is stored in its host's row, deduplicated by Host.lastSequence.
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

async function lastSequence(hostId: string): Promise<number> {
  return Number((await prisma().host.findUniqueOrThrow({ where: { id: hostId }, select: { lastSequence: true } })).lastSequence);
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
    const results: { p: { status: number; text: string }; c: { status: number; text: string } }[] = [];
    let lastClean = 0;
    // one round after the other, as an agent sends (in order); poison and clean sent together in each
    for (let i = 0; i < rounds; i++) {
      const clean1 = heartbeat(clean.hostId);
      lastClean = clean1.sequence;
      const [p, c] = await Promise.all([post(poison.hostToken, poisons[i % poisons.length]!(poison.hostId)), post(clean.hostToken, clean1)]);
      results.push({ p, c });
    }
    const cleanOk = results.filter((r) => r.c.status === 200 && /"stored":true/.test(r.c.text)).length;
    console.log(`batch isolation over HTTP: clean host ${cleanOk}/${rounds} heartbeats stored (${((100 * cleanOk) / rounds).toFixed(0)} %) while the poison host sent ${rounds} poisoned ones`);
    expect(cleanOk).toBe(rounds);
    for (const r of results) {
      expect(r.p.status, r.p.text.slice(0, 200)).toBe(400);
      expect(r.p.text).toMatch(/hostname|agentVersion|collectedAt|idempotencyKey/);
    }
    expect(await prisma().report.count({ where: { hostId: { in: [poison.hostId, clean.hostId] } } })).toBe(0);
    expect(await lastSequence(poison.hostId)).toBe(-1);
    expect(await lastSequence(clean.hostId)).toBe(lastClean);
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

  it("a deleted host's row in a batch fails alone (not found); the other hosts' rows are stored", async () => {
    // A host deleted while its token is still cached elsewhere: its row passes every check and updates
    // no host row. Everything is submitted in one turn; a host's rows go in order, one per batch.
    const gone = await enrolHost(uniqueHostname("batch-gone"), { note: "batch isolation" });
    await prisma().host.delete({ where: { id: gone.hostId } });
    const batcher = new HeartbeatBatcher(500, 20, 1);
    const cleanRows = Array.from({ length: 30 }, (_, i) => row(clean.hostId, 10_000 + i));
    const outcomes = await Promise.allSettled([...cleanRows.slice(0, 15), row(gone.hostId, 1), ...cleanRows.slice(15)].map((r) => batcher.submit(r)));
    const guilty = outcomes[15];
    const others = outcomes.filter((_, i) => i !== 15);
    expect(others.map((o) => o.status === "fulfilled" && o.value.duplicate)).toEqual(others.map(() => false));
    expect(guilty?.status).toBe("rejected");
    const reason = guilty?.status === "rejected" ? (guilty.reason as unknown) : null;
    expect(reason).toBeInstanceOf(DomainError);
    expect((reason as DomainError).code).toBe("NOT_FOUND");
    expect(await lastSequence(clean.hostId)).toBe(10_029);
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

describe("one batch's answers", () => {
  it("tell each report whether it was stored, and give each host its own config", async () => {
    const scheduled = await enrolHost(uniqueHostname("batch-scheduled"), { note: "batch answers" });
    const plain = await enrolHost(uniqueHostname("batch-plain"), { note: "batch answers" });
    await prisma().host.update({ where: { id: scheduled.hostId }, data: { heartbeatSeconds: 30 } });
    await prisma().latencySchedule.create({ data: { hostId: scheduled.hostId, enabled: false, cpus: "2-3", durationS: 7, everyMinutes: 15, load: "stress" } });
    const first = new HeartbeatBatcher(500, 20, 1);
    // stored before: plain's sequence 5 (the resend below) and 9 (an older one resent later)
    await Promise.all([first.submit(row(plain.hostId, 5)), first.submit(row(plain.hostId, 9))]);
    const batcher = new HeartbeatBatcher(500, 20, 1);
    // one turn → one batch: a host twice with two new sequences, resends of stored sequences, the same new report twice
    const rows = [row(scheduled.hostId, 1), row(plain.hostId, 5), row(scheduled.hostId, 2), row(plain.hostId, 10), row(plain.hostId, 9), row(plain.hostId, 11)];
    const twin = rows[5] as HeartbeatRow;
    const outcomes = await Promise.all([...rows, { ...twin }].map((r) => batcher.submit(r)));
    expect(outcomes.map((o) => o.duplicate)).toEqual([false, true, false, false, true, false, true]);
    const scheduledConfig = { heartbeatSeconds: 30, schedule: { enabled: false, cpus: "2-3", durationS: 7, intervalUs: 200, priority: 95, histogramSize: 400, everyMinutes: 15, load: "stress" } };
    for (const [i, o] of outcomes.entries()) {
      const hostId = i === 6 ? twin.hostId : (rows[i] as HeartbeatRow).hostId;
      expect(o.config).toEqual(hostId === scheduled.hostId ? scheduledConfig : { heartbeatSeconds: 10, schedule: null });
    }
    expect(await prisma().report.count({ where: { hostId: { in: [scheduled.hostId, plain.hostId] } } })).toBe(0);
    const hosts = await prisma().host.findMany({ where: { id: { in: [scheduled.hostId, plain.hostId] } }, select: { id: true, lastSequence: true } });
    expect(Object.fromEntries(hosts.map((h) => [h.id === scheduled.hostId ? "s" : "p", Number(h.lastSequence)]))).toEqual({ s: 2, p: 11 });
  });
});

describe("a resend", () => {
  const hostRow = async (id: string) =>
    prisma().host.findUniqueOrThrow({ where: { id }, select: { lastSeenAt: true, lastSequence: true, agentVersion: true, hostname: true, agentSpoolDropped: true, agentRejected: true, agentSetAside: true } });

  it("at or below the host's sequence is a duplicate and stores nothing; the next sequence is stored", async () => {
    const host = await enrolHost(uniqueHostname("batch-resend"), { note: "batch resend" });
    const batcher = new HeartbeatBatcher(500, 5, 1);
    expect(await batcher.submit(row(host.hostId, 7, { agentVersion: "v1", spoolDropped: 1 }))).toMatchObject({ duplicate: false });
    const stored = await hostRow(host.hostId);
    expect(stored).toMatchObject({ lastSequence: 7n, agentVersion: "v1", agentSpoolDropped: 1n });
    // the same report again (same key), and an older one: both duplicates, the host row untouched
    const again = row(host.hostId, 7, { agentVersion: "v2", hostname: "renamed", spoolDropped: 9, rejected: 9, setAside: 9 });
    expect(await batcher.submit(again)).toMatchObject({ duplicate: true, config: { heartbeatSeconds: 10, schedule: null } });
    expect(await batcher.submit({ ...again, sequence: 3 })).toMatchObject({ duplicate: true });
    expect(await hostRow(host.hostId)).toEqual(stored);
    const next = await batcher.submit(row(host.hostId, 8, { agentVersion: "v2", rejected: 2 }));
    expect(next).toMatchObject({ duplicate: false });
    expect(await hostRow(host.hostId)).toMatchObject({ lastSequence: 8n, agentVersion: "v2", agentSpoolDropped: 1n, agentRejected: 2n });
  });

  it("in flight through two batchers at once (two processes) is stored by one of them", async () => {
    const host = await enrolHost(uniqueHostname("batch-twice"), { note: "batch resend" });
    const a = new HeartbeatBatcher(500, 1, 2);
    const b = new HeartbeatBatcher(500, 1, 2);
    for (let s = 0; s < 20; s++) {
      const r = row(host.hostId, s);
      const outcomes = await Promise.all([a.submit(r), b.submit({ ...r })]);
      expect(outcomes.map((o) => o.duplicate).sort()).toEqual([false, true]);
    }
    expect(await lastSequence(host.hostId)).toBe(19);
  });
});
