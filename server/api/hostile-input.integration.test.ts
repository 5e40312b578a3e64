/**
 * The hostile-input campaign, as a test: every category of malformed or malicious request, over
 * real HTTP, against both ports —
 *  - the agent API: the standalone ingest server (server/ingest-server.ts) on a real socket;
 *  - the console: the exact Next route handler of app/api/trpc/[trpc]/route.ts (its GET/POST
 *    exports), reached over a real socket through a minimal node:http → Request adapter below
 *    (starting Next itself inside vitest is too heavy; the route handler is what Next would call).
 * Reports are mutated at every node of a valid, full report (all sections, a latency run, QoS
 * samples), with section hashes recomputed so a mutation reaches the storage code instead of
 * stopping at the hash check. Asserted for every request: no 5xx; no SQL, stack trace or another
 * host's data in the body; and, for every refused request, the database unchanged.
 * Counts by category × port × status are printed at the end for the issue notes.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as consoleGet, POST as consolePost } from "@/app/api/trpc/[trpc]/route";
import { appRouter } from "@/server/api/root";
import { AUTHZ_TABLE, type AuthzFixtures } from "@/server/api/authz-table";
import { sectionHash } from "@/server/contract/canonical";
import { setContractClock } from "@/server/contract/common";
import { SECTION_NAMES } from "@/server/contract/report";
import { disconnectPrisma } from "@/server/db";
import { env } from "@/server/env";
import { createIngestServer } from "@/server/ingest-server";
import { createEnrollmentToken } from "@/server/repo/enrollment";
import { enrolHost, signInAs, uniqueHostname } from "@/server/test/callers";
import { rng as seededRng } from "@/server/test/rng";

const MAX_REPORT_BYTES = 1024 * 1024;
/** The contract's clock is fixed: every date below is relative to it, none to today. */
const NOW = Date.parse("2026-06-01T12:00:00.000Z");
const CONSOLE_ORIGIN = "http://localhost:3000";

type Host = { hostId: string; hostToken: string };
type Port = "agent-api" | "console";
type Sent = { status: number; text: string };

let own: Host;
let victim: Host;
let victimHostname: string;
const victimKeys: string[] = [];
let adminCookie: string;
let adminUserId: string;
let ingest: http.Server;
let consoleServer: http.Server;
const baseUrl: Record<Port, string> = { "agent-api": "", console: "" };
let db: pg.Client;

// ---------------------------------------------------------------------------------------------
// The console route handler over a real socket

function serveRouteHandler(): http.Server {
  return http.createServer((req, res) => {
    void (async () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (v === undefined) continue;
        for (const item of Array.isArray(v) ? v : [v]) headers.append(k, item);
      }
      const method = req.method ?? "GET";
      const hasBody = method !== "GET" && method !== "HEAD";
      // the body is read whole first (as a server must drain it anyway), then handed over as a stream
      const chunks: Buffer[] = [];
      if (hasBody) for await (const c of req) chunks.push(c as Buffer);
      const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
        method,
        headers,
        body: hasBody ? Buffer.concat(chunks) : undefined,
      });
      const handler = method === "GET" ? consoleGet : consolePost;
      const response = await handler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((e: unknown) => {
      // a throw out of the route handler is what Next would turn into a bare 500
      console.error("route handler threw:", e);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("route handler threw");
    });
  });
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// ---------------------------------------------------------------------------------------------
// A valid, full report

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type PathSeg = string | number;

const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../agent/fixtures/ht-on-rdt/expected-report.json"), "utf8")) as {
  sections: Record<string, { data: Json }>;
};

let seq = 0;
function validReport(host: Host = own): Record<string, Json> {
  seq += 1;
  const sections: Record<string, Json> = {};
  for (const name of SECTION_NAMES) {
    // a deep copy: mutations below must never reach the fixture other requests start from
    const s = structuredClone(fixture.sections[name]);
    if (!s) continue;
    sections[name] = { ...(s as unknown as Record<string, Json>), hash: sectionHash(name, s.data) };
  }
  const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();
  return {
    hostId: host.hostId,
    idempotencyKey: `${host.hostId}:hostile:${seq}:${randomUUID()}`,
    sequence: 1000 + seq,
    collectedAt: at(0),
    agentVersion: "0.0.0-hostile",
    hostname: "hostile-own",
    heartbeat: { uptimeS: 1234.5, loadavg: [0.1, 0.2, 0.3], agentRssBytes: 30_000_000, spoolDropped: 0, rejected: 0 },
    sections,
    latencyRuns: [
      {
        runKey: `run-${seq}-${randomUUID()}`,
        startedAt: at(5),
        durationS: 60,
        toolVersion: "2.40",
        cmdline: "cyclictest -m -p95 -i200 -h400 -D60",
        priority: 95,
        intervalUs: 200,
        load: "idle",
        unit: "us",
        histogramSize: 400,
        threads: [{ thread: 0, cpu: 2, cycles: 300000, overflows: 0, min: 3, avg: 5.5, max: 17, histogram: { "3": 10, "5": 299000, "17": 990 } }],
      },
    ],
    qosSamples: [{ at: at(1), group: "/", domain: "mon_L3_00", llcOccupancyBytes: "1048576", mbmTotalBytes: "123456789", mbmLocalBytes: null }],
  };
}

/** Every node of a value, arrays collapsed to their first element (one node per schema position). */
function nodesOf(value: Json, at: PathSeg[] = []): { path: PathSeg[]; value: Json }[] {
  const out = [{ path: at, value }];
  if (Array.isArray(value)) {
    if (value.length > 0) out.push(...nodesOf(value[0] as Json, [...at, 0]));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push(...nodesOf(v, [...at, k]));
  }
  return out;
}

function setAt(root: Record<string, Json>, at: PathSeg[], value: Json): void {
  let node: Json = root;
  for (const seg of at.slice(0, -1)) node = (node as Record<PathSeg, Json>)[seg] as Json;
  const last = at[at.length - 1];
  if (last === undefined) throw new Error("empty path");
  Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
}

/** After a change inside sections.X.data, give section X the hash of its new content. */
function rehash(report: Record<string, Json>, at: PathSeg[]): void {
  if (at[0] !== "sections" || typeof at[1] !== "string" || at[2] !== "data") return;
  const section = (report.sections as Record<string, Record<string, Json>>)[at[1]];
  if (section) section.hash = sectionHash(at[1], section.data);
}

const MARKER = "\u0002hostile-raw\u0002";

/**
 * A report with `value` at `at` (hash recomputed), serialised as a tRPC body. With `raw`, the value
 * travels as those exact bytes (1e400, invalid UTF-8, deep nesting: what JSON.stringify cannot
 * write), while the hash is computed over `value` — what the server will decode.
 */
function mutatedBody(at: PathSeg[], value: Json, raw?: Buffer): Buffer {
  const report = validReport();
  setAt(report, at, value);
  rehash(report, at);
  if (!raw) return Buffer.from(JSON.stringify({ json: report }));
  setAt(report, at, MARKER);
  const text = JSON.stringify({ json: report });
  const marker = JSON.stringify(MARKER);
  const i = text.indexOf(marker);
  return Buffer.concat([Buffer.from(text.slice(0, i)), raw, Buffer.from(text.slice(i + marker.length))]);
}

// ---------------------------------------------------------------------------------------------
// Sending, checking, counting

const counts = new Map<string, number>();
function count(category: string, port: Port, status: number) {
  const key = `${category}\t${port}\t${status}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

async function send(port: Port, opts: { path: string; method?: string; body?: Buffer | string; headers?: Record<string, string>; chunked?: boolean }): Promise<Sent> {
  const url = new URL(opts.path, baseUrl[port]);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? "POST", headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    // never hang: a request that gets no answer fails the test with its label instead
    req.setTimeout(60_000, () => req.destroy(new Error(`no answer within 60 s: ${opts.method ?? "POST"} ${opts.path.slice(0, 80)}`)));
    req.on("error", reject);
    if (opts.body !== undefined) {
      const body = typeof opts.body === "string" ? Buffer.from(opts.body) : opts.body;
      if (opts.chunked) {
        for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      } else {
        req.setHeader("content-length", body.length);
        req.write(body);
      }
    }
    req.end();
  });
}

/** Rows and fields a refused request must not have touched: our hosts, the admin's audit trail and tokens. */
async function dbState(): Promise<string> {
  const hosts = [own.hostId, victim.hostId];
  const r = await db.query<{ state: string }>(
    `select concat_ws('|',
       (select count(*) from "Report" where "hostId" = any($1::uuid[])),
       (select md5(coalesce(string_agg(concat_ws(',', t."hostId", t.section, t.hash, t.ok, t."collectedAt", t."durationMs"), ';' order by t."hostId", t.section), '')) from "HostSection" t where "hostId" = any($1::uuid[])),
       (select count(*) from "HostSectionHistory" where "hostId" = any($1::uuid[])),
       (select count(*) from "LatencyRun" where "hostId" = any($1::uuid[])),
       (select count(*) from "QosSample" where "hostId" = any($1::uuid[])),
       (select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) from "Host" t where id = any($1::uuid[])),
       (select count(*) from "AuditEvent" where actor = $2 or actor = $3),
       (select count(*) from "EnrollmentToken" where "createdById" = $3)
     ) as state`,
    [hosts, `user:${adminUserId}`, adminUserId],
  );
  return r.rows[0]?.state ?? "";
}

const SQL_TEXT = /\b(insert\s+into|select\s[\s\S]{0,200}?\sfrom\s|update\s+"|delete\s+from|on\s+conflict|unnest\(|invalid byte sequence|violates\s|syntax error at|\$queryRaw|PrismaClient|prisma\()/i;
const STACK_TEXT = /\n\s+at\s|\bat\s+\S+\s+\([^)]*:\d+:\d+\)|node_modules|\.ts:\d+:\d+|"stack"/;

function assertClean(sent: Sent, label: string) {
  expect(sent.status, `${label}: ${sent.text.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
  expect(sent.status, `${label}: ${sent.text.slice(0, 300)}`).toBeLessThan(500);
  expect(sent.text, `${label}: SQL in the body`).not.toMatch(SQL_TEXT);
  expect(sent.text, `${label}: a stack in the body`).not.toMatch(STACK_TEXT);
  for (const secret of [victim.hostId, victimHostname, victim.hostToken, ...victimKeys]) {
    expect(sent.text.includes(secret), `${label}: another host's data (${secret.slice(0, 12)}…) in the body`).toBe(false);
  }
}

/**
 * Sends one hostile request, checks it, counts it; the database must be unchanged when refused.
 * The state is read once after every request: a refusal must find it as the last request left it.
 */
let lastState: string | null = null;
async function probe(category: string, port: Port, label: string, opts: Parameters<typeof send>[1]): Promise<Sent> {
  lastState ??= await dbState();
  const sent = await send(port, opts);
  count(category, port, sent.status);
  assertClean(sent, `${category} / ${port} / ${label}`);
  const after = await dbState();
  if (sent.status >= 400) expect(after, `${category} / ${port} / ${label}: refused (${sent.status}) but the database changed`).toBe(lastState);
  lastState = after;
  return sent;
}

const agentHeaders = (token = own.hostToken): Record<string, string> => ({ "content-type": "application/json", authorization: `Bearer ${token}` });

/**
 * A report body to agent.report on both ports. The console refuses agent procedures by path, before
 * reading a body, so its answer cannot depend on the mutation: in the per-node categories it gets
 * every CONSOLE_SAMPLE-th body (all of them elsewhere), which keeps the suite's run time bounded.
 */
const CONSOLE_SAMPLE = 5;
const sentPerCategory = new Map<string, number>();
async function probeReport(category: string, label: string, body: Buffer | string, headers: Record<string, string> = agentHeaders(), chunked = false, everyBody = true) {
  const agent = await probe(category, "agent-api", label, { path: "/api/trpc/agent.report", body, headers, chunked });
  const n = (sentPerCategory.get(category) ?? 0) + 1;
  sentPerCategory.set(category, n);
  if (everyBody || n % CONSOLE_SAMPLE === 1) {
    const consoleSide = await probe(category, "console", label, { path: "/api/trpc/agent.report", body, headers: { ...headers, origin: CONSOLE_ORIGIN }, chunked });
    expect(consoleSide.status, `${label}: the console serves agent.report`).toBe(404);
  }
  return agent;
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  setContractClock(() => NOW);
  own = await enrolHost(uniqueHostname("hostile-own"), { note: "hostile input" });
  victimHostname = uniqueHostname("victim-secret-host");
  victim = await enrolHost(victimHostname, { note: "hostile input" });
  ingest = createIngestServer({ maxBodyBytes: MAX_REPORT_BYTES });
  consoleServer = serveRouteHandler();
  baseUrl["agent-api"] = await listen(ingest);
  baseUrl.console = await listen(consoleServer);
  db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const headers = await signInAs("admin");
  adminCookie = headers.get("cookie") ?? "";
  const sessionToken = decodeURIComponent(/session_token=([^;]+)/.exec(adminCookie)?.[1] ?? "").split(".")[0];
  const me = await db.query<{ id: string }>(`select "userId" as id from session where token = $1`, [sessionToken]);
  adminUserId = me.rows[0]?.id ?? "";
  // the victim has stored reports: their keys must never show up in anyone else's response
  for (let i = 0; i < 3; i++) {
    const r = validReport(victim);
    r.hostname = victimHostname;
    // an overloaded machine may answer 503 (retry later), as it tells agents
    let sent = await send("agent-api", { path: "/api/trpc/agent.report", body: JSON.stringify({ json: r }), headers: agentHeaders(victim.hostToken) });
    for (let attempt = 0; sent.status === 503 && attempt < 5; attempt++) {
      sent = await send("agent-api", { path: "/api/trpc/agent.report", body: JSON.stringify({ json: r }), headers: agentHeaders(victim.hostToken) });
    }
    expect(sent.status, sent.text.slice(0, 300)).toBe(200);
    victimKeys.push(String(r.idempotencyKey));
  }
}, 120_000);

let started = Date.now();
beforeEach(() => {
  started = Date.now();
});
afterEach((ctx) => {
  const n = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`hostile-input: "${ctx.task.name}" done in ${((Date.now() - started) / 1000).toFixed(1)} s (${n} requests so far)`);
});

afterAll(async () => {
  setContractClock(null);
  const rows = [...counts.entries()].map(([k, n]) => {
    const [category, port, status] = k.split("\t");
    return { category, port, status: Number(status), requests: n };
  });
  rows.sort((a, b) => `${a.category}${a.port}${a.status}`.localeCompare(`${b.category}${b.port}${b.status}`));
  console.log(`hostile-input suite: ${rows.reduce((s, r) => s + r.requests, 0)} requests, ${rows.filter((r) => r.status >= 500).reduce((s, r) => s + r.requests, 0)} × 5xx`);
  console.table(rows);
  await db?.end();
  await new Promise<void>((resolve) => ingest.close(() => resolve()));
  await new Promise<void>((resolve) => consoleServer.close(() => resolve()));
  await disconnectPrisma();
});

const LONG = 900_000;

describe("hostile input over HTTP, agent API port and console port", () => {
  it("accepts the valid base report (so every refusal below is the mutation's doing)", async () => {
    const sent = await probeReport("valid baseline", "full report", JSON.stringify({ json: validReport() }));
    expect(sent.status, sent.text.slice(0, 300)).toBe(200);
  });

  it("garbage bytes", async () => {
    const rng = seededRng(8);
    const bodies: [string, Buffer][] = [
      ["empty", Buffer.alloc(0)],
      ["null", Buffer.from("null")],
      ["array", Buffer.from("[]")],
      ["number", Buffer.from("42")],
      ["json null", Buffer.from('{"json":null}')],
      ["bare report (no envelope)", Buffer.from(JSON.stringify(validReport()))],
      ["BOM + report", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ json: validReport() }))])],
      ["UTF-16 report", Buffer.from(JSON.stringify({ json: validReport() }), "utf16le")],
      ["NUL bytes", Buffer.alloc(64)],
      ["0xff bytes", Buffer.alloc(64, 0xff)],
    ];
    for (let i = 0; i < 30; i++) bodies.push([`random ${i}`, Buffer.from(Array.from({ length: 1 + Math.floor(rng() * 2000) }, () => Math.floor(rng() * 256)))]);
    for (const [label, body] of bodies) await probeReport("garbage bytes", label, body);
  }, LONG);

  it("truncated JSON", async () => {
    const full = Buffer.from(JSON.stringify({ json: validReport() }));
    const cuts = [1, 2, 8, 9, 10, 50, 100, 500, 1000, 5000, 10_000, 20_000, full.length - 2, full.length - 1];
    for (let k = 1; k < 12; k++) cuts.push(Math.floor((full.length * k) / 12));
    for (const cut of cuts) await probeReport("truncated JSON", `cut at ${cut}/${full.length}`, full.subarray(0, cut));
  }, LONG);

  it("wrong type at every node of a valid report", async () => {
    for (const node of nodesOf(validReport()).filter((n) => n.path.length > 0)) {
      const v = node.value;
      const wrong: Json[] =
        typeof v === "string" ? [123] : typeof v === "number" ? ["7"] : typeof v === "boolean" ? ["true"] : v === null ? [{}] : Array.isArray(v) ? [{}] : [[]];
      for (const w of wrong) await probeReport("wrong type", `${node.path.join(".")} = ${JSON.stringify(w)}`, mutatedBody(node.path, w), agentHeaders(), false, false);
    }
  }, LONG);

  it("NUL, lone surrogates and invalid UTF-8 at every string node", async () => {
    const decoded = (bytes: number[]) => new TextDecoder().decode(Buffer.from(bytes));
    let stringIndex = 0;
    for (const node of nodesOf(validReport()).filter((n) => typeof n.value === "string")) {
      const s = node.value as string;
      const variants: [string, Json, Buffer?][] = [
        ["NUL", `${s}\u0000`],
        ["lone high surrogate", `${s}\ud800`],
        ["lone low surrogate", `\udfff${s}`],
        ["emoji cut in half", `${s}${"😀".slice(0, 1)}`],
      ];
      // invalid UTF-8 on the wire: the server decodes it to U+FFFD, so the hash is over that
      const invalid = [["0xff", [0xff]], ["overlong NUL 0xc0 0x80", [0xc0, 0x80]], ["CESU surrogate 0xed 0xa0 0x80", [0xed, 0xa0, 0x80]]] as const;
      for (const [name, bytes] of stringIndex++ % 4 === 0 ? invalid : invalid.slice(0, 1)) {
        const raw = Buffer.concat([Buffer.from(JSON.stringify(s).slice(0, -1)), Buffer.from(bytes), Buffer.from('"')]);
        variants.push([`invalid UTF-8 ${name}`, `${s}${decoded([...bytes])}`, raw]);
      }
      for (const [name, value, raw] of variants) {
        const sent = await probeReport("NUL / surrogate / invalid UTF-8", `${node.path.join(".")}: ${name}`, mutatedBody(node.path, value, raw), agentHeaders(), false, false);
        if (!raw) {
          expect(sent.status, `${node.path.join(".")}: ${name} must be refused`).toBe(400);
          expect(sent.text, "the refusal names the field").toContain(String(node.path[node.path.length - 1]));
        }
      }
    }
  }, LONG);

  it("odd numbers at every numeric node", async () => {
    for (const node of nodesOf(validReport()).filter((n) => typeof n.value === "number")) {
      const variants: [string, Json, Buffer?][] = [
        ["-1", -1],
        ["1e400", Number.POSITIVE_INFINITY, Buffer.from("1e400")],
        ["2^53+2", 2 ** 53 + 2],
        ["0.5", 0.5],
      ];
      for (const [name, value, raw] of variants) await probeReport("odd numbers", `${node.path.join(".")} = ${name}`, mutatedBody(node.path, value, raw), agentHeaders(), false, false);
    }
  }, LONG);

  it("odd dates", async () => {
    const dates = nodesOf(validReport()).filter((n) => ["collectedAt", "startedAt", "at"].includes(String(n.path[n.path.length - 1])));
    expect(dates.length).toBe(3);
    const iso = (ms: number) => new Date(ms).toISOString();
    const odd: [string, Json, boolean][] = [
      ["0000-01-01", "0000-01-01T00:00:00Z", false],
      ["year 9999", "9999-12-31T23:59:59Z", false],
      ["year +275760", "+275760-09-13T00:00:00.000Z", false],
      ["Feb 30", "2026-02-30T00:00:00Z", false],
      ["epoch", "1970-01-01T00:00:00Z", false],
      ["11 years ago", iso(NOW - 11 * 366 * 86_400_000), false],
      ["2 days ahead", iso(NOW + 2 * 86_400_000), false],
      ["offset +25:00", "2026-06-01T12:00:00+25:00", false],
      ["date only", "2026-06-01", false],
      ["empty", "", false],
      ["words", "yesterday", false],
      ["number", NOW, false],
      ["9 years ago (allowed)", iso(NOW - 9 * 365 * 86_400_000), true],
      ["1 hour ahead (allowed)", iso(NOW + 3_600_000), true],
    ];
    for (const node of dates) {
      for (const [name, value, allowed] of odd) {
        const sent = await probeReport("odd dates", `${node.path.join(".")} = ${name}`, mutatedBody(node.path, value));
        if (allowed) expect(sent.status, `${node.path.join(".")} = ${name}: ${sent.text.slice(0, 200)}`).toBe(200);
        else {
          expect(sent.status, `${node.path.join(".")} = ${name}`).toBe(400);
          expect(sent.text).toContain(String(node.path[node.path.length - 1]));
        }
      }
    }
  }, LONG);

  it("deep nesting", async () => {
    const at: PathSeg[][] = [["heartbeat"], ["sections", "kvm", "data", "kvmParams"], ["latencyRuns", 0, "threads", 0, "histogram"], ["qosSamples"], ["hostname"]];
    for (const p of at) {
      for (const depth of [65, 1000, 100_000]) {
        await probeReport("deep nesting", `${p.join(".")}: ${depth} arrays`, mutatedBody(p, null, Buffer.from(`${"[".repeat(depth)}1${"]".repeat(depth)}`)));
        await probeReport("deep nesting", `${p.join(".")}: ${depth} objects`, mutatedBody(p, null, Buffer.from(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`)));
      }
    }
  }, LONG);

  it("prototype keys", async () => {
    const objects = nodesOf(validReport()).filter((n) => n.value !== null && typeof n.value === "object" && !Array.isArray(n.value));
    for (const node of objects) {
      for (const key of ["__proto__", "constructor", "prototype"]) {
        const report = validReport();
        const target = node.path.reduce<Json>((o, seg) => (o as Record<PathSeg, Json>)[seg] as Json, report) as Record<string, Json>;
        Object.defineProperty(target, key, { value: key === "__proto__" ? { polluted: true } : "x", enumerable: true, writable: true, configurable: true });
        rehash(report, [...node.path, key]);
        await probeReport("prototype keys", `${node.path.join(".") || "(top)"}.${key}`, JSON.stringify({ json: report }), agentHeaders(), false, false);
      }
    }
    expect(Object.prototype).not.toHaveProperty("polluted");
  }, LONG);

  it("oversize bodies", async () => {
    const padded = (bytes: number) => {
      const r = validReport();
      (r.sections as Record<string, Record<string, Json>>).kernel!.error = "x".repeat(bytes);
      return Buffer.from(JSON.stringify({ json: r }));
    };
    const over = padded(Math.round(1.21 * MAX_REPORT_BYTES));
    const a = await probeReport("oversize bodies", "1.21 MiB agent.report (content-length)", over);
    expect(a.status).toBe(413);
    const b = await probeReport("oversize bodies", "1.21 MiB agent.report (chunked)", over, agentHeaders(), true);
    expect(b.status).toBe(413);
    const justOver = padded(MAX_REPORT_BYTES);
    expect((await probeReport("oversize bodies", "just over 1 MiB", justOver)).status).toBe(413);
    // the console bounds every body, also for its own procedures (20 MiB: 8 MiB uploads, escaped)
    const huge = Buffer.from(JSON.stringify({ json: { hostId: own.hostId, content: "x".repeat(21 * 1024 * 1024), load: "idle" } }));
    const headers = { "content-type": "application/json", cookie: adminCookie, origin: CONSOLE_ORIGIN };
    expect((await probe("oversize bodies", "console", "21 MiB upload (content-length)", { path: "/api/trpc/latency.uploadCyclictest", body: huge, headers })).status).toBe(413);
    expect((await probe("oversize bodies", "console", "21 MiB upload (chunked)", { path: "/api/trpc/latency.uploadCyclictest", body: huge, headers, chunked: true })).status).toBe(413);
  }, LONG);

  it("token variants", async () => {
    const body = () => JSON.stringify({ json: validReport() });
    const variants: [string, Record<string, string>, number][] = [
      ["no authorization", { "content-type": "application/json" }, 401],
      ["empty bearer", { "content-type": "application/json", authorization: "Bearer " }, 401],
      ["short token", { "content-type": "application/json", authorization: "Bearer abc" }, 401],
      ["unknown token", agentHeaders(`nfvh_${"z".repeat(43)}`), 401],
      ["basic scheme", { "content-type": "application/json", authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }, 401],
      ["lowercase scheme", { "content-type": "application/json", authorization: `bearer ${own.hostToken}` }, 401],
      ["token with junk after", agentHeaders(`${own.hostToken} junk`), 401],
      ["token with a quote", agentHeaders(`${own.hostToken}"`), 401],
      ["10 000-char token", agentHeaders("a".repeat(10_000)), 401],
      ["the victim's token for my host id", agentHeaders(victim.hostToken), 403],
      ["token in the cookie", { "content-type": "application/json", cookie: `token=${own.hostToken}` }, 401],
    ];
    for (const [label, headers, expected] of variants) {
      const sent = await probeReport("token variants", label, body(), headers);
      expect(sent.status, `${label}: ${sent.text.slice(0, 200)}`).toBe(expected);
    }
    // header values node:http refuses to send (NUL, newline) are refused by the client itself: nothing to send
    expect(() => http.request(baseUrl["agent-api"], { headers: { authorization: "Bearer a\u0000b" } })).toThrow();
  }, LONG);

  it("enrolment: NUL, lone surrogates, invalid UTF-8 and wrong types at every field, a fresh token each", async () => {
    const hostname = uniqueHostname("hostile-enrol");
    const fields = ["enrollmentToken", "hostname", "agentVersion"] as const;
    let accepted = 0;
    /** `raw`: that field's value travels as its own JSON text with these bytes before the closing quote. */
    const enrol = async (label: string, mutate: (input: Record<string, Json>) => void, raw?: { field: (typeof fields)[number]; bytes: readonly number[] }) => {
      // a fresh, valid token: the mutation, not a used token, is what the server must deal with
      const { id, token } = await createEnrollmentToken({ createdById: null, note: "hostile enrol", ttlHours: 1 });
      const input: Record<string, Json> = { enrollmentToken: token, hostname, agentVersion: "0.0.0-hostile" };
      mutate(input);
      let body = Buffer.from(JSON.stringify({ json: input }));
      if (raw) {
        const original = JSON.stringify(input[raw.field]);
        input[raw.field] = MARKER;
        const t = JSON.stringify({ json: input });
        const i = t.indexOf(JSON.stringify(MARKER));
        body = Buffer.concat([Buffer.from(t.slice(0, i)), Buffer.from(original.slice(0, -1)), Buffer.from(raw.bytes), Buffer.from('"'), Buffer.from(t.slice(i + JSON.stringify(MARKER).length))]);
      }
      const headers = { "content-type": "application/json" };
      const consoleSide = await probe("enrolment", "console", label, { path: "/api/trpc/agent.enroll", body, headers: { ...headers, origin: CONSOLE_ORIGIN } });
      expect(consoleSide.status, `${label}: the console serves agent.enroll`).toBe(404);
      const sent = await probe("enrolment", "agent-api", label, { path: "/api/trpc/agent.enroll", body, headers });
      const used = await db.query<{ usedAt: Date | null }>(`select "usedAt" from "EnrollmentToken" where id = $1`, [id]);
      if (sent.status >= 400) expect(used.rows[0]?.usedAt, `${label}: refused (${sent.status}) but its token was consumed`).toBeNull();
      else accepted += 1;
      return sent;
    };
    expect((await enrol("valid", () => undefined)).status).toBe(200);
    for (const field of fields) {
      for (const [name, suffix] of [["NUL", "\u0000"], ["lone high surrogate", "\ud800"], ["lone low surrogate", "\udfff"], ["emoji cut in half", "😀".slice(0, 1)]] as const) {
        const sent = await enrol(`${field}: ${name}`, (input) => {
          input[field] = `${String(input[field])}${suffix}`;
        });
        expect(sent.status, `${field}: ${name}: ${sent.text.slice(0, 200)}`).toBe(400);
        expect(sent.text, "the refusal names the field").toContain(field);
      }
      for (const [name, bytes] of [["0xff", [0xff]], ["overlong NUL 0xc0 0x80", [0xc0, 0x80]]] as const) {
        await enrol(`${field}: invalid UTF-8 ${name}`, () => undefined, { field, bytes });
      }
      for (const wrong of [123, null, [], {}] as Json[]) {
        const sent = await enrol(`${field} = ${JSON.stringify(wrong)}`, (input) => {
          input[field] = wrong;
        });
        expect(sent.status, `${field} = ${JSON.stringify(wrong)}`).toBe(400);
      }
    }
    // every 2xx made exactly one host, every refusal none
    const made = await db.query<{ n: string }>(`select count(*) as n from "Host" where hostname like $1`, [`${hostname}%`]);
    expect(Number(made.rows[0]?.n)).toBe(accepted);
  }, LONG);

  it("agent-only and benchmark-only procedures", async () => {
    // the premise: this test process does not serve the benchmark's procedures
    expect(env().NFVDECK_BENCH_ENDPOINTS).toBe(false);
    const body = JSON.stringify({ json: validReport() });
    // system.pingPost (a no-op that runs full report validation) is served only to the benchmark
    const agentSide = await probe("agent-only procedures", "agent-api", "system.pingPost, valid report", { path: "/api/trpc/system.pingPost", body, headers: { "content-type": "application/json" } });
    expect(agentSide.status, agentSide.text.slice(0, 200)).toBe(404);
    const headers = { "content-type": "application/json", cookie: adminCookie, origin: CONSOLE_ORIGIN };
    // the console serves no agent procedure, however the path names it
    for (const p of ["system.pingPost", "agent.report?batch=1", "system.health,agent.report?batch=1", "agent%2Ereport", "agent.enroll"]) {
      const sent = await probe("agent-only procedures", "console", p, { path: `/api/trpc/${p}`, body: p.includes("batch") ? JSON.stringify({ 0: { json: validReport() }, 1: { json: validReport() } }) : body, headers });
      expect(sent.status, `${p}: ${sent.text.slice(0, 200)}`).toBe(404);
    }
  }, LONG);

  it("console procedures: NUL / surrogate / odd numbers / wrong types at every input node, as an admin", async () => {
    const fx: AuthzFixtures = {
      hostId: own.hostId,
      targetUserId: adminUserId,
      newEnrollmentToken: async () => (await createEnrollmentToken({ createdById: null, note: "hostile", ttlHours: 1 })).token,
      unique: () => randomUUID(),
    };
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
    const headers = { "content-type": "application/json", cookie: adminCookie, origin: CONSOLE_ORIGIN };
    for (const [name, entry] of Object.entries(AUTHZ_TABLE)) {
      const proc = procedures[name];
      if (!entry.input || !proc || /^(agent\.|system\.pingPost)/.test(name)) continue;
      const input = (await entry.input(fx)) as Json;
      const isQuery = proc._def.type === "query";
      const call = async (label: string, json: Json, raw?: Buffer) => {
        const text = raw ?? Buffer.from(JSON.stringify({ json }));
        if (isQuery) {
          const q = encodeURIComponent(text.toString("latin1")).replace(/%C3%BF/g, "%FF");
          return probe("console procedures", "console", `${name} ${label}`, { method: "GET", path: `/api/trpc/${name}?input=${q}`, headers });
        }
        return probe("console procedures", "console", `${name} ${label}`, { path: `/api/trpc/${name}`, body: text, headers });
      };
      for (const node of nodesOf(input).filter((n) => n.path.length > 0)) {
        const mutate = (v: Json) => {
          const copy = structuredClone(input) as Record<string, Json>;
          setAt(copy, node.path, v);
          return copy;
        };
        const where = node.path.join(".");
        if (typeof node.value === "string") {
          for (const [label, v] of [["NUL", `${node.value}\u0000`], ["lone surrogate", `${node.value}\ud800`], ["half emoji", "😀".slice(0, 1)]] as const) {
            const sent = await call(`${where}: ${label}`, mutate(v));
            expect(sent.status, `${name} ${where}: ${label}: ${sent.text.slice(0, 200)}`).toBe(400);
          }
          if (!isQuery) {
            const copy = mutate(MARKER);
            const t = JSON.stringify({ json: copy });
            const i = t.indexOf(JSON.stringify(MARKER));
            await call(`${where}: invalid UTF-8`, null, Buffer.concat([Buffer.from(t.slice(0, i + 1)), Buffer.from([0xff, 0xc0, 0x80]), Buffer.from(t.slice(i + JSON.stringify(MARKER).length - 1))]));
          }
        }
        if (typeof node.value === "number") for (const v of [-1, 2 ** 53 + 2, 0.5]) await call(`${where} = ${v}`, mutate(v));
        await call(`${where}: wrong type`, mutate(typeof node.value === "string" ? 1 : "x"));
      }
      await call("input null", null);
      await call("input of 100 000 nested arrays", null, Buffer.from(`{"json":${"[".repeat(100_000)}${"]".repeat(100_000)}}`));
    }
  }, LONG);
});
