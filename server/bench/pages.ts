/**
 * Pages at fleet scale (part of `npm run bench`, BENCH=pages): prints figures, asserts nothing.
 * In a scratch database, N hosts are inserted by direct SQL (labels, CPU, kernel, a compliance
 * result each); a real `next start` of a production build (BENCH_NEXT_DIST_DIR, default .next; built
 * there first when it has no BUILD_ID) serves /fleet, /compliance and /latency to a signed-in viewer.
 * Each page is fetched whole (time to the last byte, as the server sends it, after 2 warm-ups):
 * p50/p95 and the HTML size, at 1,000 and then 20,000 hosts (BENCH_PAGES_HOSTS=1000,20000).
 * Then, in Chromium (Playwright, the system's chromium), each page's longest long task
 * (PerformanceObserver 'longtask') while its windowed table is scrolled to the end and back, and while
 * a search is typed into its filter box; and how many table rows are in the DOM after the scroll.
 * The hosts also get one day rollup of latency each (yesterday, ~20 buckets, a tail on some), so
 * /latency ranks real histograms; compliance results have the stored { status, counts } sections.
 * Goal (issue 15): at 20,000 hosts p95 < 300 ms, < 1 MB of HTML per page, no long task > 200 ms.
 * The BEFORE column is what this bench printed before the pages were paged in SQL (issue 15 §2).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { createScratchDatabase, dropDatabase, freeTcpPort } from "@/server/db-bootstrap";
import { disconnectPrisma } from "@/server/db";
import { createUser } from "@/server/repo/users";
import { complianceSummarySql, compliancePageSql } from "@/server/repo/fleet-compliance-page";
import { fleetLatencyRankSql } from "@/server/repo/latency-fleet-page";
import { fleetCountsSql, fleetPageRowsSql } from "@/server/repo/fleet-page";
import { fleetCompliancePageInput, type FleetCompliancePageInput } from "@/server/contract/api/compliance";
import { summaryWindow } from "@/server/domain/latency/window-summary";
import { refreshWindowSummaries, summaryRankSql } from "@/server/repo/latency-window-summary";
import { startWindowSummaryRefresher } from "@/server/services/latency/refresh-window-summaries";
import { nearestRank } from "@/server/bench/nearest-rank";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const nextCli = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");
const PAGES = ["/fleet", "/compliance", "/latency"] as const;
type PagePath = (typeof PAGES)[number];

/** What this bench printed before the pages were paged in SQL (fleet: the BENCH=pages run at 4b8bfea; compliance and latency: issue 15's figures at 1,015 hosts). */
const BEFORE: Record<PagePath, Partial<Record<number, string>>> = {
  "/fleet": { 1000: "3.7 MB, p50 3.4 s", 20000: "74 MB, p50 36 s" },
  "/compliance": { 1000: "7.1 MB, p50 718 ms (1,015 hosts)", 20000: "not measured (≈ 140 MB by the issue)" },
  "/latency": { 1000: "3.1 MB, p50 384 ms (1,015 hosts)", 20000: "226 kB, p50 1440 ms, p95 1886 ms (every host's histograms merged per request, load 4.2; 5669 / 8390 ms at load 13–19)" },
};

/** The filter box each page types into, and what is typed. */
const FILTER_BOX: Record<PagePath, string> = {
  "/fleet": 'input[type="search"]',
  "/compliance": 'form[aria-label="Filter hosts"] input[name="q"]',
  "/latency": 'form[aria-label="Filter hosts"] input[name="q"]',
};

type BrowserFigures = { scrollLongestMs: number; typeLongestMs: number; domRows: number; pageRows: number };

/**
 * In Chromium: the longest long task while the page's windowed table is scrolled to its end and back
 * (one step per frame), and while "nfvi-01" is typed into its filter box (80 ms between keys).
 */
async function browserFigures(base: string, cookie: string, pages: readonly PagePath[], hosts: number): Promise<Map<PagePath, BrowserFigures>> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  const out = new Map<PagePath, BrowserFigures>();
  try {
    const cookies = cookie.split("; ").map((c) => {
      const i = c.indexOf("=");
      return { name: c.slice(0, i), value: c.slice(i + 1), url: base };
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.addCookies(cookies);
    // scripts as text: tsx's keepNames helpers (__name) do not exist in the page
    await context.addInitScript(`
      window.__longtasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longtasks.push(e.duration); }).observe({ type: "longtask", buffered: true });
    `);
    for (const path of pages) {
      const page = await context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error") console.error(`pages: ${path}: browser console: ${m.text().slice(0, 300)}`);
      });
      page.on("pageerror", (e) => console.error(`pages: ${path}: page error: ${e.message.slice(0, 300)}`));
      await page.goto(`${base}${path}`, { waitUntil: "load", timeout: 120_000 });
      await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 60_000 });
      await page.waitForTimeout(500);
      const longest = () => page.evaluate<number>("(() => { const m = Math.max(0, ...window.__longtasks); window.__longtasks = []; return m; })()");
      await longest();
      const pageRows = await page.locator("tbody tr[data-row-index]").count();
      await page.evaluate(`(async () => {
        const el = document.querySelector('[data-testid$="-scroller"]');
        if (!el) throw new Error("no windowed table");
        const frame = () => new Promise((r) => requestAnimationFrame(r));
        for (let y = 0; y <= el.scrollHeight; y += 120) { el.scrollTop = y; await frame(); }
        for (let y = el.scrollHeight; y >= 0; y -= 360) { el.scrollTop = y; await frame(); }
      })()`);
      await page.waitForTimeout(300);
      const scrollLongestMs = await longest();
      const domRows = await page.locator("tbody tr[data-row-index]").count();
      await page.locator(FILTER_BOX[path]).first().click();
      await page.keyboard.type("nfvi-01", { delay: 80 });
      await page.waitForTimeout(1500);
      const typeLongestMs = await longest();
      out.set(path, { scrollLongestMs, typeLongestMs, domRows, pageRows });
      await page.close();
    }
    const shots = process.env.BENCH_PAGES_SCREENSHOTS;
    if (shots) {
      fs.mkdirSync(shots, { recursive: true });
      for (const colorScheme of ["light", "dark"] as const) {
        const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme });
        await ctx.addCookies(cookies);
        for (const path of pages) {
          const page = await ctx.newPage();
          await page.goto(`${base}${path}`, { waitUntil: "load", timeout: 120_000 });
          await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 60_000 });
          await page.waitForTimeout(300);
          await page.screenshot({ path: `${shots}/${hosts}${path.replace("/", "-")}-${colorScheme}.png` });
          await page.close();
        }
        await ctx.close();
      }
    }
  } finally {
    await browser.close();
  }
  return out;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the SQL behind /fleet, /compliance and /latency, as the pages send it: the
 * execution times are logged, the whole plans written to BENCH_PAGES_EXPLAIN_DIR (default os tmpdir).
 */
async function explainPages(client: pg.Client, hosts: number, log: (l: string) => void): Promise<void> {
  const dir = process.env.BENCH_PAGES_EXPLAIN_DIR ?? (await import("node:os")).tmpdir();
  const compliance = (o: Partial<FleetCompliancePageInput>) => fleetCompliancePageInput.parse(o);
  // the exact query over the window the page uses for 7 d (the summary window, as of the last whole hour)
  const range = summaryWindow("7d", new Date());
  const latency = { q: "", slo: "all", sort: "p99.999", dir: "desc", page: 1, pageSize: 100 } as const;
  const fleet = { q: "", status: "all", compliance: "all", sort: "hostname", dir: "asc", page: 1, pageSize: 100 } as const;
  const queries: [string, { text: string; values: unknown[] }][] = [
    ["fleet counts (one aggregate)", fleetCountsSql(fleet, new Date())],
    ["fleet page (host)", fleetPageRowsSql(fleet, new Date(), 1)],
    ["fleet page (cpu model, search, page 50)", fleetPageRowsSql({ ...fleet, q: "nfvi-1", sort: "cpuModel", page: 50 }, new Date(), 50)],
    ["fleet page (host desc, page 100)", fleetPageRowsSql({ ...fleet, dir: "desc", page: 100 }, new Date(), 100)],
    ["compliance summary", complianceSummarySql({})],
    ["compliance page (host)", compliancePageSql(compliance({}), 1)],
    ["compliance page (score, bios fail, page 50)", compliancePageSql(compliance({ section: "bios", status: "fail", sort: "score", page: 50 }), 50)],
    ["latency rank (7 d, p99.999 desc)", fleetLatencyRankSql(latency, range)],
    ["latency rank (7 d, host, search, SLO fail)", fleetLatencyRankSql({ ...latency, sort: "host", dir: "asc", q: "nfvi-1", slo: "fail" }, range)],
    ["latency summary rank (7 d, p99.999 desc)", summaryRankSql(latency, "7d", summaryWindow("7d", new Date()))],
    ["latency summary rank (7 d, host, search, SLO fail)", summaryRankSql({ ...latency, sort: "host", dir: "asc", q: "nfvi-1", slo: "fail" }, "7d", summaryWindow("7d", new Date()))],
  ];
  const lines: string[] = [];
  for (const [name, q] of queries) {
    const res = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, q.values);
    const plan = res.rows.map((r) => r["QUERY PLAN"]);
    lines.push(`== ${name} (${hosts} hosts)`, ...plan, "");
    const exec = plan.find((l) => l.startsWith("Execution Time")) ?? "?";
    log(`pages: EXPLAIN ANALYZE ${name.padEnd(44)} ${String(hosts).padStart(6)} hosts: ${exec}`);
  }
  const file = path.join(dir, `nfvdeck-bench-pages-explain-${hosts}.txt`);
  fs.writeFileSync(file, lines.join("\n"));
  log(`pages: plans written to ${file}`);
}

/**
 * /latency when some hosts' summaries are stale (late runs): `n` hosts' 7 d rows marked as ingest marks them,
 * then the page fetched (it recomputes up to 500 pending hosts itself; more → the exact query).
 */
async function benchLatencyStale(client: pg.Client, base: string, cookie: string, hosts: number, log: (l: string) => void): Promise<void> {
  for (const n of [50, 500, 2000]) {
    if (n > hosts) continue;
    await client.query(
      `update "LatencyWindowSummary" set stale = true, "ingestSeq" = "ingestSeq" + 1
       where preset = '7d' and "hostId" in (select id from "Host" order by md5(id::text) limit $1)`,
      [n],
    );
    const t0 = performance.now();
    const res = await fetch(`${base}/latency`, { headers: { cookie } });
    const body = await res.text();
    const ms = performance.now() - t0;
    const t1 = performance.now();
    await fetch(`${base}/latency`, { headers: { cookie } }).then((r) => r.arrayBuffer());
    const next = performance.now() - t1;
    log(
      `pages: /latency      ${String(hosts).padStart(6)} hosts, ${n} hosts' 7 d summaries stale: HTTP ${res.status}, ${(body.length / 1024).toFixed(0)} kB, ` +
        `${ms.toFixed(0)} ms (the next fetch ${next.toFixed(0)} ms); load ${loadNow()}`,
    );
    // leave every row current for what follows
    await refreshWindowSummaries({ now: new Date() });
  }
}

function loadNow(): string {
  try {
    return fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

function runToEnd(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited ${code}`))));
  });
}

/** Inserts hosts numbered from `from` (inclusive) to `to` (exclusive), each with a compliance result. */
export async function seedHosts(client: pg.Client, from: number, to: number): Promise<void> {
  const ids = Array.from({ length: to - from }, () => randomUUID());
  await client.query(
    `insert into "Host" (id, hostname, "tokenHash", labels, "lastSeenAt", "cpuModel", "cpuVendor", sockets, "numaNodes", cpus, "kernelRelease", "agentVersion", "isVirtual")
     select id, 'nfvi-' || lpad((n + $2)::text, 5, '0'), md5(id::text),
            array['site=s' || ((n + $2) % 7), 'rack=r' || ((n + $2) % 40), 'role=compute'],
            now() - ((n + $2) % 400) * interval '1 second',
            case when (n + $2) % 3 = 0 then 'Intel(R) Xeon(R) Gold 6338N CPU @ 2.20GHz' else 'AMD EPYC 7543 32-Core Processor' end,
            case when (n + $2) % 3 = 0 then 'GenuineIntel' else 'AuthenticAMD' end,
            2, 2, 64 + ((n + $2) % 4) * 32, '5.14.0-' || (362 + (n + $2) % 5) || '.el9.x86_64', '0.9.' || ((n + $2) % 4), false
     from unnest($1::uuid[]) with ordinality as t(id, n)`,
    [ids, from],
  );
  await client.query(
    `insert into "ComplianceResult" ("hostId", "profileId", "evaluatedAt", score, pass, fail, warn, na, sections, findings, "inputHash")
     select id, 'kvm4nfv-host', now(), 60 + (n % 40), 30, n % 5, n % 3, 6,
            jsonb_build_object(
              'bios', jsonb_build_object('status', case when n % 5 = 0 then 'pass' else 'fail' end, 'counts', jsonb_build_object('pass', 10, 'fail', case when n % 5 = 0 then 0 else 2 end, 'warn', 0, 'na', 1)),
              'kvm', jsonb_build_object('status', 'pass', 'counts', jsonb_build_object('pass', 5, 'fail', 0, 'warn', 0, 'na', 0)),
              'numa', jsonb_build_object('status', case when n % 3 = 0 then 'warn' else 'pass' end, 'counts', jsonb_build_object('pass', 3, 'fail', 0, 'warn', case when n % 3 = 0 then 1 else 0 end, 'na', 0))),
            '[]'::jsonb, md5(id::text)
     from unnest($1::uuid[]) with ordinality as t(id, n)`,
    [ids],
  );
  // one day rollup per host (yesterday, inside the 7-day default window): buckets 8 … 12 + n % 16 µs (so some
  // hosts pass the 20 µs SLO), a tail bucket on every 7th host
  await client.query(
    `insert into "LatencyRollup" ("hostId", granularity, "bucketStart", unit, "histogramSize", runs, cycles, overflows, min, max, "weightedSum", histogram)
     select id, 'day', date_trunc('day', now() at time zone 'utc') - interval '1 day', 'us', 400, 24,
            (select sum(v) from jsonb_each_text(hist) e(k, v2), lateral (select v2::bigint as v) z), 0, 8,
            case when n % 7 = 0 then 127 + n % 250 else 12 + n % 16 end,
            (select sum(k::int * v2::bigint) from jsonb_each_text(hist) e(k, v2))::float8, hist
     from (
       select id, n,
              (select jsonb_object_agg(b::text, (1000000 / (1 + abs(b - 10 - (n % 4))))::bigint) from generate_series(8, 12 + (n % 16)::int) b)
                || case when n % 7 = 0 then jsonb_build_object((127 + n % 250)::text, 3) else '{}'::jsonb end as hist
       from unnest($1::uuid[]) with ordinality as t(id, n)
     ) x`,
    [ids],
  );
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited ${child.exitCode}`);
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`next start not healthy within ${timeoutMs} ms`);
}

export async function benchPages(opts: { serverUrl: string; hostCounts?: number[]; fetches?: number; log?: (line: string) => void }): Promise<void> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const hostCounts = opts.hostCounts ?? [1000, 20000];
  const fetches = opts.fetches ?? Number(process.env.BENCH_PAGES_FETCHES ?? 20);
  const distDir = process.env.BENCH_NEXT_DIST_DIR ?? ".next";
  const name = `nfvdeck_bench_pages_${process.pid}`;
  const url = await createScratchDatabase(opts.serverUrl, name);
  const previousUrl = process.env.DATABASE_URL;
  await disconnectPrisma();
  process.env.DATABASE_URL = url;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let server: ChildProcess | null = null;
  let stopRefresher = () => undefined as void;
  try {
    const port = await freeTcpPort();
    const base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      NFVDECK_NEXT_DIST_DIR: distDir,
      DATABASE_URL: url,
      NFVDECK_AUTH_SECRET: randomBytes(32).toString("base64url"),
      NFVDECK_PUBLIC_URL: base,
    };
    if (!fs.existsSync(path.join(repoRoot, distDir, "BUILD_ID"))) {
      log(`pages: building the console into ${distDir} …`);
      const tsconfigPath = path.join(repoRoot, "tsconfig.json");
      const tsconfig = fs.readFileSync(tsconfigPath, "utf8");
      try {
        await runToEnd([nextCli, "build"], { ...env, NFVDECK_SKIP_BUILD_TYPECHECK: "1" });
      } finally {
        fs.writeFileSync(tsconfigPath, tsconfig);
      }
    }
    const email = `bench-${randomUUID()}@example.test`;
    const password = `pw-${randomUUID()}`;
    await createUser({ email, name: "bench", password, role: "viewer", actor: "system" });
    server = spawn(process.execPath, [nextCli, "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: repoRoot, env, stdio: "ignore" });
    await waitForHealth(base, server, 90_000);
    const signIn = await fetch(`${base}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ email, password }),
    });
    if (signIn.status !== 200) throw new Error(`sign-in: HTTP ${signIn.status}`);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").join("; ");

    stopRefresher = startWindowSummaryRefresher({ everyMs: 30_000, firstAfterMs: 30_000, log: (l) => log(`pages: refresher: ${l}`) });
    let seeded = 0;
    for (const hosts of hostCounts) {
      await seedHosts(client, seeded, hosts);
      seeded = hosts;
      await client.query("analyze");
      log(`pages: ${hosts} hosts seeded; load average ${loadNow()}`);
      // /latency's preset windows read the precomputed window summaries: the agent-API process's refresher computes
      // them (here: once after seeding, timed, then the same timer as in ingest-main while the pages are fetched)
      {
        const t0 = performance.now();
        const refreshed = await refreshWindowSummaries({ now: new Date() });
        await client.query(`analyze "LatencyWindowSummary"`);
        log(
          `pages: latency window summaries, full refresh of ${hosts} hosts: ${(performance.now() - t0).toFixed(0)} ms (` +
            refreshed.map((r) => `${r.preset} ${r.hosts} rows in ${r.batches} batches, ${r.ms} ms`).join("; ") +
            `; load ${loadNow()})`,
        );
      }
      for (const page of PAGES) {
        const times: number[] = [];
        let bytes = 0;
        let status = 0;
        for (let i = 0; i < fetches + 2; i++) {
          const t0 = performance.now();
          const res = await fetch(`${base}${page}`, { headers: { cookie } });
          const body = await res.arrayBuffer();
          const ms = performance.now() - t0;
          status = res.status;
          bytes = body.byteLength;
          if (i >= 2) times.push(ms);
        }
        times.sort((a, b) => a - b);
        log(
          `pages: ${page.padEnd(12)} ${String(hosts).padStart(6)} hosts: HTTP ${status}, ${(bytes / 1024).toFixed(0)} kB HTML, ` +
            `p50 ${nearestRank(times, 0.5).toFixed(0)} ms, p95 ${nearestRank(times, 0.95).toFixed(0)} ms (${fetches} fetches, next start, time to last byte; load ${loadNow()})` +
            ` · BEFORE: ${BEFORE[page][hosts] ?? "not measured"}`,
        );
      }
      await benchLatencyStale(client, base, cookie, hosts, log);
      if (process.env.BENCH_PAGES_EXPLAIN !== "0") await explainPages(client, hosts, log);
      if (process.env.BENCH_PAGES_BROWSER !== "0") {
        const figures = await browserFigures(base, cookie, PAGES, hosts);
        for (const [page, f] of figures) {
          log(
            `pages: ${page.padEnd(12)} ${String(hosts).padStart(6)} hosts, Chromium: longest long task scrolling ${f.scrollLongestMs.toFixed(0)} ms, typing in the filter ${f.typeLongestMs.toFixed(0)} ms` +
              ` (0 = none over 50 ms); table rows in the DOM ${f.domRows} of the page's 100 (after the first paint: ${f.pageRows}); load ${loadNow()}`,
          );
        }
      }
    }
  } finally {
    stopRefresher();
    if (server && server.exitCode === null) server.kill("SIGTERM");
    await client.end();
    await disconnectPrisma();
    process.env.DATABASE_URL = previousUrl;
    await dropDatabase(opts.serverUrl, name).catch(() => undefined);
  }
}
