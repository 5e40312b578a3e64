/**
 * The fleet latency report's SQL ranks (server/repo/latency-fleet-page.ts through the
 * latency.fleetReportPage service) against real PostgreSQL give the same rows, in the same order, as
 * the whole-fleet report computed by the domain code (getFleetReport, sorted the way the page sorted
 * it before), page by page, for every sort key and direction, over an aligned and a ragged window.
 * The runs lie in 2031, a window no other test file writes to; the search term keeps other hosts out.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLEET_REPORT_SORTS } from "@/server/contract/api/latency";
import { disconnectPrisma, prisma } from "@/server/db";
import type { FleetReportRow } from "@/server/domain/latency/csv";
import type { LatencyRunData } from "@/server/domain/latency/run";
import { storeRunsTx } from "@/server/repo/latency-ingest";
import { getFleetReport } from "@/server/services/latency/get-fleet-report";
import { getFleetReportPage } from "@/server/services/latency/get-fleet-report-page";
import { enrolHost } from "@/server/test/callers";
import { rng } from "@/server/test/rng";

const tag = `latpage${randomUUID().slice(0, 8)}`;
const HOSTS = 11;

function run(rand: () => number, startedAt: Date, spread: number): LatencyRunData {
  const size = [100, 400, 1000][Math.floor(rand() * 3)] ?? 400;
  const histogram: Record<string, number> = {};
  let cycles = 0;
  let overflows = 0;
  let min = Infinity;
  let max = 0;
  let sum = 0;
  const n = 1 + Math.floor(rand() * 60);
  for (let i = 0; i < n; i++) {
    const v = Math.floor(5 + (rand() < 0.97 ? rand() * 10 : rand() * spread));
    const count = 1 + Math.floor(rand() * 5000);
    cycles += count;
    if (v >= size) overflows += count;
    else histogram[String(v)] = (histogram[String(v)] ?? 0) + count;
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v * count;
  }
  const thread = { thread: 0, cpu: 2, cycles, overflows, min, avg: sum / cycles, max, histogram };
  return { startedAt, durationS: 60, toolVersion: "2.40", cmdline: null, priority: 95, intervalUs: 200, load: "idle", unit: "us", histogramSize: size, threads: [thread] };
}

const WINDOWS = [
  { from: new Date("2031-05-10T00:00:00Z"), to: new Date("2031-05-12T00:00:00Z") },
  { from: new Date("2031-05-10T05:31:00Z"), to: new Date("2031-05-11T19:12:00Z") },
];

beforeAll(async () => {
  const rand = rng(2031);
  for (let i = 0; i < HOSTS; i++) {
    const host = await enrolHost(`${tag}-h${String(i).padStart(2, "0")}`, { note: "latency fleet page test" });
    if (i === HOSTS - 1) continue; // one host never measured
    const spread = [5, 20, 400, 2000][i % 4] ?? 20;
    const t0 = new Date("2031-05-10T00:00:00Z").getTime();
    const runs = Array.from({ length: 6 + Math.floor(rand() * 10) }, () => run(rand, new Date(t0 + Math.floor(rand() * 2 * 86_400_000)), spread));
    await prisma().$transaction((tx) => storeRunsTx(tx, host.hostId, runs.map((r, j) => ({ run: r, source: "simulated", idempotencyKey: `t:${j}` }))));
  }
});

afterAll(async () => {
  await disconnectPrisma();
});

/** The order the report page used when it sorted the whole fleet in the browser's server component. */
function sortValue(row: FleetReportRow, key: (typeof FLEET_REPORT_SORTS)[number]): number | string {
  const s = row.stats;
  switch (key) {
    case "host":
      return row.hostname;
    case "min":
      return s.min ?? -1;
    case "max":
      return s.max ?? -1;
    case "mean":
      return s.mean ?? -1;
    case "cycles":
      return s.cycles;
    case "slo":
      return { fail: 0, pass: 1, "no-target": 2, "no-data": 3 }[row.slo.status] ?? 4;
    default: {
      const q = key.slice(1);
      const v = s.percentiles[q];
      return v === null || v === undefined ? -1 : v + (s.lowerBounds.includes(q) ? 0.5 : 0);
    }
  }
}

describe("latency fleet report page", () => {
  it("ranks, filters and pages in SQL exactly as the whole-fleet report sorts", async () => {
    for (const window of WINDOWS) {
      const whole = await getFleetReport({ window });
      const mine = whole.rows.filter((r) => r.hostname.startsWith(tag));
      expect(mine).toHaveLength(HOSTS);
      expect(new Set(mine.map((r) => r.slo.status)).size).toBeGreaterThan(1);
      for (const sort of FLEET_REPORT_SORTS) {
        for (const dir of ["asc", "desc"] as const) {
          const want = [...mine].sort((a, b) => {
            const x = sortValue(a, sort);
            const y = sortValue(b, sort);
            const c = typeof x === "string" && typeof y === "string" ? (x < y ? -1 : x > y ? 1 : 0) : Number(x) - Number(y);
            return (dir === "asc" ? c : -c) || (a.hostname < b.hostname ? -1 : 1);
          });
          const got: FleetReportRow[] = [];
          for (let page = 1; page <= 3; page++) {
            const p = await getFleetReportPage({ input: { window, q: tag.toUpperCase(), slo: "all", sort, dir, page, pageSize: 4 } });
            expect(p.matching).toBe(HOSTS);
            got.push(...p.rows);
          }
          expect(got.map((r) => r.hostname), `${sort} ${dir}`).toEqual(want.map((r) => r.hostname));
          expect(got).toEqual(want);
        }
      }
      const first = await getFleetReportPage({ input: { window, q: tag, slo: "fail", sort: "host", dir: "asc", page: 99, pageSize: 3 } });
      const failing = mine.filter((r) => r.slo.status === "fail");
      expect(first.matching).toBe(failing.length);
      expect(first.page).toBe(Math.max(1, Math.ceil(failing.length / 3)));
      const all = await getFleetReportPage({ input: { window, q: "", slo: "all", sort: "host", dir: "asc", page: 1, pageSize: 1 } });
      expect(all.fleet).toEqual(whole.fleet);
      expect(all.hostsWithData).toBe(whole.hostsWithData);
      expect(all.failing).toBe(whole.rows.filter((r) => r.slo.status === "fail").length);
    }
  });
});
