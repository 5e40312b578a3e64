import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type http from "node:http";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentHash } from "@/server/contract/canonical";
import { kvmSection } from "@/server/contract/sections/kvm";
import { disconnectPrisma, prisma } from "@/server/db";
import { createIngestServer } from "@/server/ingest-server";
import { agentCaller, enrolHost } from "@/server/test/callers";

const MAX_BODY = 256 * 1024;

type Host = { hostId: string; hostToken: string };
let own: Host;
let other: Host;
let server: http.Server;
let baseUrl: string;

/** A minimal valid kvm section (validated against the current schema below). */
function kvmData(params: Record<string, string> = { halt_poll_ns: "200000" }) {
  return {
    vendorModule: "kvm_intel",
    kvmParams: params,
    vendorParams: { enable_apicv: "Y" },
    enableApicv: true,
    preemptionTimer: true,
    pleGap: 0,
    nxHugePages: "N",
    kvmclockPeriodicSync: false,
    haltPollNs: 200000,
    nested: false,
    warnings: [],
  };
}

function envelope(data: unknown, hash = contentHash(data)) {
  return { ok: true, available: true, durationMs: 1.5, hash, data };
}

let seq = 0;
function report(hostId: string, extra: Record<string, unknown> = {}) {
  seq += 1;
  return {
    hostId,
    idempotencyKey: `${hostId}:${seq}:${randomUUID()}`,
    sequence: seq,
    collectedAt: new Date().toISOString(),
    agentVersion: "0.0.0-test",
    hostname: "ingest-own",
    ...extra,
  };
}

/** Rows the ingest path may write for these hosts, plus the host rows' mutable fields. */
async function dbState() {
  const hostIds = [own.hostId, other.hostId];
  const where = { hostId: { in: hostIds } };
  const [reports, sections, history, hosts] = await Promise.all([
    prisma().report.count({ where }),
    prisma().hostSection.count({ where }),
    prisma().hostSectionHistory.count({ where }),
    prisma().host.findMany({
      where: { id: { in: hostIds } },
      orderBy: { id: "asc" },
      select: { id: true, lastSeenAt: true, lastSequence: true, agentVersion: true, hostname: true },
    }),
  ]);
  return { reports, sections, history, hosts: hosts.map((h) => ({ ...h, lastSequence: h.lastSequence.toString() })) };
}

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/**
 * Hostile or malformed payloads: each must be a 4xx with a message and store nothing. Built lazily
 * (the hosts exist only after beforeAll).
 */
const base = () => report(own.hostId);
const HOSTILE: Record<string, { payload: () => unknown; message: RegExp; httpMessage?: RegExp }> = {
  "wrong type: sequence as string": { payload: () => ({ ...base(), sequence: "7" }), message: /sequence/i },
  "wrong type: hostId not a uuid": { payload: () => ({ ...base(), hostId: "not-a-uuid" }), message: /hostId/i },
  "wrong type: sections is an array": { payload: () => ({ ...base(), sections: [] }), message: /sections/i },
  "missing fields": { payload: () => ({ hostId: own.hostId }), message: /idempotencyKey|required/i },
  "unknown top-level key": { payload: () => ({ ...base(), extra: true }), message: /extra|unrecognized/i },
  "huge array: 100 000 qos samples": {
    payload: () => ({ ...base(), qosSamples: Array.from({ length: 100_000 }, () => ({})) }),
    message: /qosSamples/i,
    // ~300 kB: over HTTP the body limit (256 kB here) answers first
    httpMessage: /exceeds the limit/i,
  },
  "huge array: 1 000 latency runs": { payload: () => ({ ...base(), latencyRuns: Array.from({ length: 1000 }, () => ({})) }), message: /latencyRuns/i },
  "deep nesting (5 000 levels)": { payload: () => ({ ...base(), heartbeat: nested(5000) }), message: /nested deeper/i },
  "__proto__ key at top level": {
    payload: () => JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(base()).slice(1)}`) as unknown,
    message: /__proto__|unrecognized/i,
  },
  "__proto__ key inside sections": {
    payload: () => ({ ...base(), sections: JSON.parse(`{"__proto__":${JSON.stringify(envelope(null))}}`) as unknown }),
    message: /__proto__|unrecognized/i,
  },
  "constructor key inside a record": {
    payload: () => ({ ...base(), sections: { kvm: envelope(kvmData({ constructor: "x" })) } }),
    message: /forbidden key/i,
  },
  "__proto__ key inside a record": {
    payload: () => ({ ...base(), sections: { kvm: envelope({ ...kvmData(), kvmParams: JSON.parse(`{"__proto__":"x"}`) as unknown }) } }),
    message: /forbidden key|kvmParams/i,
  },
  "non-hex hash": { payload: () => ({ ...base(), sections: { kvm: { ...envelope(kvmData()), hash: "z".repeat(64) } } }), message: /hash/i },
  "hash mismatch": { payload: () => ({ ...base(), sections: { kvm: envelope(kvmData(), contentHash({ other: 1 })) } }), message: /hash does not match/i },
  "report for another host's id": { payload: () => report(other.hostId), message: /own host/i },
};
const HOSTILE_NAMES = Object.keys(HOSTILE);

beforeAll(async () => {
  own = await enrolHost("ingest-own", { note: "ingest test" });
  other = await enrolHost("ingest-other", { note: "ingest test" });
  server = createIngestServer({ maxBodyBytes: MAX_BODY });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await disconnectPrisma();
});

describe("agent.report through createCaller", () => {
  it("uses a kvm section that is valid under the current contract", () => {
    expect(kvmSection.safeParse(kvmData()).success).toBe(true);
  });

  it("stores a resent heartbeat (same idempotency key) once: in the host's row, no report-log row", async () => {
    const caller = await agentCaller(own.hostToken);
    const r = report(own.hostId);
    const first = await caller.agent.report(r);
    const stored = await dbState();
    const second = await caller.agent.report(r);
    expect(first).toMatchObject({ stored: true, duplicate: false });
    expect(second).toMatchObject({ stored: false, duplicate: true });
    // the resend changed nothing (not even last-seen); a heartbeat is stored as its host's sequence
    expect(await dbState()).toEqual(stored);
    expect(stored.hosts.find((h) => h.id === own.hostId)?.lastSequence).toBe(String(r.sequence));
    expect(await prisma().report.count({ where: { hostId: own.hostId, idempotencyKey: r.idempotencyKey } })).toBe(0);
  });

  it("stores a resent report with a section once, and the section once", async () => {
    const caller = await agentCaller(own.hostToken);
    const r = report(own.hostId, { sections: { kvm: envelope(kvmData()) } });
    const before = await dbState();
    const first = await caller.agent.report(r);
    const second = await caller.agent.report(r);
    expect(first).toMatchObject({ stored: true, duplicate: false, sectionsChanged: ["kvm"] });
    expect(second).toMatchObject({ stored: false, duplicate: true });
    const after = await dbState();
    expect(after.reports - before.reports).toBe(1);
    expect(await prisma().report.count({ where: { hostId: own.hostId, idempotencyKey: r.idempotencyKey } })).toBe(1);
    expect(await prisma().hostSection.count({ where: { hostId: own.hostId, section: "kvm" } })).toBe(1);
  });

  it("does not rewrite an unchanged section (same hash → no new history row)", async () => {
    const caller = await agentCaller(own.hostToken);
    const before = await dbState();
    const res = await caller.agent.report(report(own.hostId, { sections: { kvm: envelope(kvmData()) } }));
    expect(res.sectionsChanged).toEqual([]);
    const after = await dbState();
    expect(after.reports).toBe(before.reports + 1);
    expect(after.history).toBe(before.history);
  });

  it("refuses an unknown bearer token with UNAUTHORIZED and stores nothing", async () => {
    const before = await dbState();
    const caller = await agentCaller(`nfvh_${"x".repeat(43)}`);
    await expect(caller.agent.report(report(own.hostId))).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await dbState()).toEqual(before);
  });

  it("refuses a report for another host's id with FORBIDDEN and stores nothing", async () => {
    const before = await dbState();
    const caller = await agentCaller(own.hostToken);
    const err = await caller.agent.report(report(other.hostId, { sections: { kvm: envelope(kvmData()) } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("FORBIDDEN");
    expect(await dbState()).toEqual(before);
  });

  it.each(HOSTILE_NAMES)("refuses %s with a 4xx and changes nothing", async (name) => {
    const hostile = HOSTILE[name];
    if (!hostile) throw new Error(name);
    const payload = hostile.payload();
    const caller = await agentCaller(own.hostToken);
    const before = await dbState();
    const err = await caller.agent.report(payload as never).catch((e: unknown) => e);
    expect(err, "must be refused").toBeInstanceOf(TRPCError);
    const e = err as TRPCError;
    expect(["BAD_REQUEST", "FORBIDDEN", "PAYLOAD_TOO_LARGE"]).toContain(e.code);
    const text = `${e.message} ${JSON.stringify(e.cause ?? "")}`;
    expect(text).toMatch(hostile.message);
    expect(await dbState()).toEqual(before);
    expect(Object.prototype).not.toHaveProperty("polluted");
  });
});

describe("the standalone ingest server over real HTTP", () => {
  async function post(path: string, body: string, token = own.hostToken, headers: Record<string, string> = {}) {
    const res = await fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, text };
  }

  it("answers GET /api/health with ok and db up", async () => {
    const res = await fetch(`${baseUrl}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, db: "up" });
  });

  it("accepts a valid report and stores a resend once", async () => {
    const r = report(own.hostId, { sections: { kvm: envelope(kvmData({ halt_poll_ns: "100000" })) } });
    const body = JSON.stringify({ json: r });
    const first = await post("/api/trpc/agent.report", body);
    const second = await post("/api/trpc/agent.report", body);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(JSON.parse(second.text)).toMatchObject({ result: { data: { json: { duplicate: true } } } });
    expect(await prisma().report.count({ where: { hostId: own.hostId, idempotencyKey: r.idempotencyKey } })).toBe(1);
  });

  it.each(HOSTILE_NAMES)("refuses %s with a 4xx JSON error and changes nothing", async (name) => {
    const hostile = HOSTILE[name];
    if (!hostile) throw new Error(name);
    // JSON.stringify keeps an own "__proto__" key created by JSON.parse, so the wire body has it too.
    // Deep nesting is written as text: JSON.stringify itself recurses.
    const body = name.startsWith("deep nesting")
      ? `{"json":${JSON.stringify(base()).slice(0, -1)},"heartbeat":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}}`
      : JSON.stringify({ json: hostile.payload() });
    const before = await dbState();
    const res = await post("/api/trpc/agent.report", body);
    expect(res.status, res.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
    // tRPC errors carry error.json.message; the server's own 413 carries error.message.
    const parsed = JSON.parse(res.text) as { error?: { message?: string; json?: { message?: string } } };
    expect(parsed.error?.json?.message ?? parsed.error?.message ?? "").toMatch(hostile.httpMessage ?? hostile.message);
    expect(await dbState()).toEqual(before);
  });

  it("refuses an oversized body with 413 and a clear message", async () => {
    const before = await dbState();
    const big = JSON.stringify({ json: { ...report(own.hostId), hostname: "x".repeat(MAX_BODY + 10) } });
    const res = await post("/api/trpc/agent.report", big);
    expect(res.status).toBe(413);
    expect(res.text).toMatch(/exceeds the limit of 262144 bytes/);
    expect(await dbState()).toEqual(before);
  });

  it("refuses an oversized chunked body (no Content-Length) with 413", async () => {
    const before = await dbState();
    const chunk = "x".repeat(64 * 1024);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const enc = new TextEncoder();
        controller.enqueue(enc.encode(`{"json":{"hostname":"`));
        for (let i = 0; i < 6; i++) controller.enqueue(enc.encode(chunk));
        controller.enqueue(enc.encode(`"}}`));
        controller.close();
      },
    });
    const res = await fetch(`${baseUrl}/api/trpc/agent.report`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${own.hostToken}` },
      body: stream,
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(413);
    expect(await dbState()).toEqual(before);
  });

  it("refuses garbage JSON with 400", async () => {
    const before = await dbState();
    const res = await post("/api/trpc/agent.report", "{this is not json");
    expect(res.status).toBe(400);
    expect(res.text.length).toBeGreaterThan(0);
    expect(await dbState()).toEqual(before);
  });

  it("refuses a report for another host's id with 403", async () => {
    const before = await dbState();
    const res = await post("/api/trpc/agent.report", JSON.stringify({ json: report(other.hostId) }));
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/own host/);
    expect(await dbState()).toEqual(before);
  });

  it("refuses a missing or unknown token with 401", async () => {
    const res = await post("/api/trpc/agent.report", JSON.stringify({ json: report(own.hostId) }), `nfvh_${"y".repeat(43)}`);
    expect(res.status).toBe(401);
  });

  it("serves only the agent API (user procedures are 404 here)", async () => {
    const res = await post("/api/trpc/users.list", "{}");
    expect(res.status).toBe(404);
  });
});
