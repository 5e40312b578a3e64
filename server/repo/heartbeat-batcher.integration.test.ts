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
    const stored = await prisma().report.findMany({ where: { hostId: { in: [scheduled.hostId, plain.hostId] } }, select: { hostId: true, sequence: true } });
    expect(stored.map((r) => `${r.hostId === scheduled.hostId ? "s" : "p"}${r.sequence}`).sort()).toEqual(["p10", "p11", "p5", "p9", "s1", "s2"]);
    const hosts = await prisma().host.findMany({ where: { id: { in: [scheduled.hostId, plain.hostId] } }, select: { id: true, lastSequence: true } });
    expect(Object.fromEntries(hosts.map((h) => [h.id === scheduled.hostId ? "s" : "p", Number(h.lastSequence)]))).toEqual({ s: 2, p: 11 });
  });
});
