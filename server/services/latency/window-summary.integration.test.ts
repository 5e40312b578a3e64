/**
 * The fleet latency page over the precomputed window summaries (server/repo/latency-window-summary.ts) against
 * real PostgreSQL: for every preset, sort, direction and SLO filter it gives the same page (ids in order,
 * counts, failing, the rows, the fleet's merged distribution) as the exact query over the same window; a
 * late run makes its host's rows stale and the next refresh changes its figures; a run in the current hour
 * waits for the next window; a profile change shows at once (the verdict is computed at query time).
 * The clock is injected and only moves forward through the file (a refresh never moves rows back to an
 * older window): the runs lie in June–July 2033, a range no other test file writes to.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLEET_REPORT_SLO_FILTERS, FLEET_REPORT_SORTS, type FleetReportPage, type FleetReportPageInput } from "@/server/contract/api/latency";
import { disconnectPrisma, prisma } from "@/server/db";
import type { LatencyRunData } from "@/server/domain/latency/run";
import { WINDOW_PRESETS, type WindowPreset } from "@/server/domain/latency/window";
import { summaryWindow } from "@/server/domain/latency/window-summary";
import { storeRunsTx } from "@/server/repo/latency-ingest";
import { refreshWindowSummaries, refreshWindowSummary, windowSummaryStatus } from "@/server/repo/latency-window-summary";
import { getFleetReportPage } from "@/server/services/latency/get-fleet-report-page";
import { enrolHost } from "@/server/test/callers";
import { rng } from "@/server/test/rng";

const tag = `latsum${randomUUID().slice(0, 8)}`;
const HOSTS = 9;
const NOW = new Date("2033-07-09T13:25:00Z");
const hostIds: string[] = [];

function run(rand: () => number, startedAt: Date, spread: number, size?: number): LatencyRunData {
  const histogramSize = size ?? [100, 400, 1000][Math.floor(rand() * 3)] ?? 400;
  const histogram: Record<string, number> = {};
  let cycles = 0;
  let overflows = 0;
  let min = Infinity;
  let max = 0;
  let sum = 0;
  const n = 1 + Math.floor(rand() * 40);
  for (let i = 0; i < n; i++) {
    const v = Math.floor(5 + (rand() < 0.97 ? rand() * 10 : rand() * spread));
    const count = 1 + Math.floor(rand() * 5000);
    cycles += count;
    if (v >= histogramSize) overflows += count;
    else histogram[String(v)] = (histogram[String(v)] ?? 0) + count;
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v * count;
  }
  const thread = { thread: 0, cpu: 2, cycles, overflows, min, avg: sum / cycles, max, histogram };
  return { startedAt, durationS: 60, toolVersion: "2.40", cmdline: null, priority: 95, intervalUs: 200, load: "idle", unit: "us", histogramSize, threads: [thread] };
}

async function store(hostId: string, runs: LatencyRunData[]): Promise<void> {
  await prisma().$transaction((tx) => storeRunsTx(tx, hostId, runs.map((r) => ({ run: r, source: "simulated", idempotencyKey: `t:${randomUUID()}` }))));
}

beforeAll(async () => {
  const rand = rng(2033);
  const t0 = new Date("2033-06-01T00:00:00Z").getTime();
  for (let i = 0; i < HOSTS; i++) {
    const host = await enrolHost(`${tag}-h${String(i).padStart(2, "0")}`, { note: "latency window summary test" });
    hostIds.push(host.hostId);
    if (i === HOSTS - 1) continue; // one host never measured
    const spread = [5, 20, 400, 2000][i % 4] ?? 20;
    // 2033-06-01 … the current hour (13:00–13:25 on 07-09 included): 24 h, 7 d, 30 d and before them
    const span = NOW.getTime() - t0;
    const runs = Array.from({ length: 20 + Math.floor(rand() * 20) }, () => run(rand, new Date(t0 + Math.floor(rand() * span)), spread));
    await store(host.hostId, runs);
  }
});

afterAll(async () => {
  await disconnectPrisma();
});

type Query = Omit<FleetReportPageInput, "window">;

/** This file's hosts' rows of `preset` are computed for the summary window at `now` and not stale (other files' hosts may enrol and ingest meanwhile). */
async function myRowsCurrent(preset: WindowPreset, now: Date): Promise<boolean> {
  const w = summaryWindow(preset, now);
  const rows = await prisma().latencyWindowSummary.findMany({ where: { hostId: { in: hostIds }, preset } });
  return rows.length === hostIds.length && rows.every((r) => !r.stale && r.windowFrom?.getTime() === w.from.getTime() && r.windowTo?.getTime() === w.to.getTime());
}

/** The page through the summaries, and the exact page over the same window given as a custom window. */
async function bothPaths(preset: WindowPreset, q: Query, now: Date): Promise<{ summary: FleetReportPage; exact: FleetReportPage }> {
  const w = summaryWindow(preset, now);
  const summary = await getFleetReportPage({ input: { window: { preset }, ...q }, now });
  const exact = await getFleetReportPage({ input: { window: { from: w.from, to: w.to }, ...q }, now });
  return { summary, exact };
}

function expectSamePage(summary: FleetReportPage, exact: FleetReportPage, what: string): void {
  expect(summary.source, what).toBe("summary");
  expect(exact.source, what).toBe("exact");
  expect(summary.window.from, what).toEqual(exact.window.from);
  expect(summary.window.to, what).toEqual(exact.window.to);
  expect(summary.rows.map((r) => r.hostname), what).toEqual(exact.rows.map((r) => r.hostname));
  expect(summary.rows, what).toEqual(exact.rows);
  expect({ m: summary.matching, p: summary.page, f: summary.failing, d: summary.hostsWithData }, what).toEqual({ m: exact.matching, p: exact.page, f: exact.failing, d: exact.hostsWithData });
  expect(summary.fleet, what).toEqual(exact.fleet);
}

const base: Query = { q: "", slo: "all", sort: "p99.999", dir: "desc", page: 1, pageSize: 4 };

describe("latency window summaries", () => {
  it("give the same page as the exact query for every preset, sort, direction and SLO filter", { timeout: 240_000 }, async () => {
    // nothing current yet and no lazy budget: the exact query over the summary window
    const cold = await getFleetReportPage({ input: { window: { preset: "7d" }, ...base, q: tag }, now: NOW, lazyHosts: 0 });
    expect(cold.source).toBe("exact");
    expect(cold.asOf).toEqual(new Date("2033-07-09T13:00:00Z"));
    const results = await refreshWindowSummaries({ now: NOW });
    expect(results.map((r) => r.preset)).toEqual([...WINDOW_PRESETS]);
    for (const preset of WINDOW_PRESETS) {
      expect(await myRowsCurrent(preset, NOW), preset).toBe(true);
      // every sort key for 7 d; the others with the keys whose SQL differs most
      const sorts = preset === "7d" ? FLEET_REPORT_SORTS : (["host", "p99.999", "p50", "max", "mean", "slo"] as const);
      for (const sort of sorts) {
        for (const dir of ["asc", "desc"] as const) {
          for (const slo of FLEET_REPORT_SLO_FILTERS) {
            for (const page of slo === "all" ? [1, 2, 3] : [1]) {
              const { summary, exact } = await bothPaths(preset, { ...base, q: tag.toUpperCase(), sort, dir, slo, page }, NOW);
              expectSamePage(summary, exact, `${preset} ${sort} ${dir} ${slo} page ${page}`);
              if (slo === "all") expect(summary.matching).toBe(HOSTS);
            }
          }
        }
      }
      // the whole fleet (other files' hosts included): counts and the merged distribution
      const { summary, exact } = await bothPaths(preset, { ...base, pageSize: 1 }, NOW);
      expectSamePage(summary, exact, `${preset} whole fleet`);
      expect(summary.fleet.cycles).toBeGreaterThan(0);
    }
    // the windows differ, so do the figures (the data spans more than 30 days)
    const cycles = await Promise.all(WINDOW_PRESETS.map(async (preset) => (await bothPaths(preset, { ...base, q: tag }, NOW)).summary.fleet.cycles));
    expect(new Set(cycles).size).toBe(3);
  });

  it("the SLO verdict follows a profile change without a refresh", async () => {
    await refreshWindowSummaries({ now: NOW });
    const q: Query = { ...base, q: tag, slo: "fail", pageSize: 20 };
    const before = await bothPaths("30d", q, NOW);
    expectSamePage(before.summary, before.exact, "before the profile change");
    expect(before.summary.matching).toBeGreaterThan(0);
    const profileId = `${tag}-lax`;
    await prisma().profile.create({ data: { id: profileId, name: `${tag} lax`, rules: [], sloMaxUs: 1_000_000, sloP99999Us: 1_000_000 } });
    const failing = before.summary.rows.map((r) => r.hostId);
    await prisma().host.updateMany({ where: { id: { in: failing } }, data: { profileId } });
    expect(await myRowsCurrent("30d", NOW)).toBe(true);
    const after = await bothPaths("30d", q, NOW);
    expectSamePage(after.summary, after.exact, "after the profile change");
    expect(after.summary.matching).toBe(0);
    expect(after.summary.failing).toBe(before.summary.failing - failing.length);
    await prisma().host.updateMany({ where: { id: { in: failing } }, data: { profileId: null } });
    await prisma().profile.delete({ where: { id: profileId } });
  });
  it("a late run makes its host stale; the next refresh changes its figures; a run in the current hour waits for the next window", async () => {
    await refreshWindowSummaries({ now: NOW });
    const host = hostIds[HOSTS - 1]!; // the never-measured host
    const q: Query = { ...base, q: `${tag}-h${String(HOSTS - 1).padStart(2, "0")}`, sort: "max" };
    const before = await bothPaths("24h", q, NOW);
    expectSamePage(before.summary, before.exact, "before");
    expect(before.summary.rows[0]?.slo.status).toBe("no-data");

    // a run that started in the current hour: not in any summary window yet, nothing to recompute
    await store(host, [run(rng(1), new Date("2033-07-09T13:10:00Z"), 900, 1000)]);
    expect(await myRowsCurrent("24h", NOW)).toBe(true);
    const same = await getFleetReportPage({ input: { window: { preset: "24h" }, ...q }, now: NOW, lazyHosts: 0 });
    expect(same.source).toBe("summary");
    expect(same.rows[0]?.stats.cycles).toBe(0);

    // a late run (started an hour and a half ago): the host's rows go stale
    await store(host, [run(rng(2), new Date("2033-07-09T11:55:00Z"), 3000, 1000)]);
    for (const preset of WINDOW_PRESETS) expect((await windowSummaryStatus(preset, NOW)).pending, preset).toBeGreaterThanOrEqual(1);
    const row0 = await prisma().latencyWindowSummary.findUniqueOrThrow({ where: { hostId_preset: { hostId: host, preset: "24h" } } });
    expect(row0.stale).toBe(true);
    expect(row0.total).toBeNull();
    // no lazy budget: the exact query answers (with the new run), not the stale row
    const noBudget = await getFleetReportPage({ input: { window: { preset: "24h" }, ...q }, now: NOW, lazyHosts: 0 });
    expect(noBudget.source).toBe("exact");
    expect(noBudget.rows[0]?.stats.cycles).toBeGreaterThan(0);

    const refreshed = await refreshWindowSummary("24h", { now: NOW });
    expect(refreshed.hosts).toBeGreaterThanOrEqual(1);
    const row1 = await prisma().latencyWindowSummary.findUniqueOrThrow({ where: { hostId_preset: { hostId: host, preset: "24h" } } });
    expect(row1.stale).toBe(false);
    expect(Number(row1.total)).toBeGreaterThan(0);
    expect(row1.max).toBe(noBudget.rows[0]?.stats.max);
    const after = await bothPaths("24h", q, NOW);
    expectSamePage(after.summary, after.exact, "after the late run");
    expect(after.summary.rows[0]?.stats.cycles).toBe(noBudget.rows[0]?.stats.cycles);

    // a page request recomputes a few pending hosts itself (7d is still stale for this host)
    const lazy = await getFleetReportPage({ input: { window: { preset: "7d" }, ...q }, now: NOW, lazyHosts: 50 });
    expect(lazy.source).toBe("summary");
    expect(lazy.rows[0]?.stats.cycles).toBe(after.summary.rows[0]?.stats.cycles);

    // the next hour: every row of the moved window is pending; once refreshed, the 13:10 run is in
    const next = new Date("2033-07-09T14:05:00Z");
    expect((await windowSummaryStatus("24h", next)).pending).toBeGreaterThanOrEqual(HOSTS);
    await refreshWindowSummaries({ now: next });
    const moved = await bothPaths("24h", q, next);
    expectSamePage(moved.summary, moved.exact, "next hour");
    expect(moved.summary.rows[0]?.stats.cycles).toBeGreaterThan(after.summary.rows[0]?.stats.cycles ?? 0);
    expect(moved.summary.asOf).toEqual(new Date("2033-07-09T14:00:00Z"));
  });

  it("two refreshers at once leave every row current and the same page as the exact query", async () => {
    const later = new Date("2033-07-09T16:40:00Z");
    const [a, b] = await Promise.all([refreshWindowSummaries({ now: later, batchSize: 3 }), refreshWindowSummaries({ now: later, batchSize: 3 })]);
    for (const preset of WINDOW_PRESETS) expect(await myRowsCurrent(preset, later), preset).toBe(true);
    expect([...a, ...b].some((r) => r.hosts > 0)).toBe(true);
    const { summary, exact } = await bothPaths("7d", { ...base, q: tag, sort: "p99.99", dir: "asc", pageSize: 20 }, later);
    expectSamePage(summary, exact, "after concurrent refreshes");
  });

  it("a run committed while a refresh computes its host is not lost: the row stays stale until the next refresh", async () => {
    const at = new Date("2033-07-09T17:10:00Z"); // a new hour: every row is to be recomputed
    const w = summaryWindow("24h", at);
    const host = hostIds[0]!;
    const q: Query = { ...base, q: `${tag}-h00` };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // the ingest transaction stores a late run (16:30, inside the new window, after the old one) and waits before committing
    const ingest = prisma().$transaction(
      async (tx) => {
        await storeRunsTx(tx, host, [{ run: run(rng(3), new Date("2033-07-09T16:30:00Z"), 5000, 1000), source: "simulated", idempotencyKey: `t:${randomUUID()}` }]);
        await gate;
      },
      { timeout: 30_000 },
    );
    await new Promise((r) => setTimeout(r, 300));
    const refresh = refreshWindowSummary("24h", { now: at }); // reads without the run, then waits on the host's row
    await new Promise((r) => setTimeout(r, 500));
    release();
    await ingest;
    await refresh;
    const exact = await getFleetReportPage({ input: { window: { from: w.from, to: w.to }, ...q }, now: at });
    const row = await prisma().latencyWindowSummary.findUniqueOrThrow({ where: { hostId_preset: { hostId: host, preset: "24h" } } });
    // either the refresh saw the committed run, or the row is left stale for the next one — never current and wrong
    expect(row.stale || Number(row.total) === exact.rows[0]?.stats.cycles).toBe(true);
    await refreshWindowSummary("24h", { now: at });
    const { summary, exact: again } = await bothPaths("24h", q, at);
    expectSamePage(summary, again, "after the next refresh");
    expect(summary.rows[0]?.stats.max).toBeGreaterThanOrEqual(5);
  });
});
