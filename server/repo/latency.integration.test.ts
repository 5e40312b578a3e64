/**
 * Latency storage end to end against real PostgreSQL: uploads through the tRPC routers, the agent
 * report path, rollups vs raw runs, windows, fleet report, schedules.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runParseCyclictest } from "@/agent/commands/parse-cyclictest";
import { contentHash } from "@/server/contract/canonical";
import type { LatencyRunReport } from "@/server/contract/sections/latency";
import { disconnectPrisma, prisma } from "@/server/db";
import type { HistogramPart } from "@/server/domain/latency/histogram";
import { mergeIntoRollup, rollupPartOfRun } from "@/server/domain/latency/rollup";
import { runTotals, type LatencyRunData } from "@/server/domain/latency/run";
import { statsOfParts } from "@/server/domain/latency/stats";
import { histogramRecordOf, storeRunsTx } from "@/server/repo/latency-ingest";
import { agentCaller, enrolHost, signedInCaller, uniqueHostname, type Caller } from "@/server/test/callers";
import { rng } from "@/server/test/rng";

const FIXTURES = path.resolve(import.meta.dirname, "../../agent/fixtures/cyclictest");

let viewer: Caller;
let operator: Caller;

async function newHost(name: string) {
  return enrolHost(uniqueHostname(name), { note: "latency test" });
}

/** What `npm run agent -- parse-cyclictest FILE --json` prints, parsed. */
async function cliSummary(file: string, extra: string[] = []) {
  let out = "";
  const code = await runParseCyclictest([file, "--json", ...extra], { stdout: (s) => void (out += s), stderr: () => undefined });
  expect(code).toBe(0);
  return JSON.parse(out) as {
    merged: { min: number; max: number; avg: number; cycles: number; overflows: number; percentiles: Record<string, number>; lowerBounds: string[] };
    threads: Array<{ thread: number; cpu: number | null; min: number; max: number; cycles: number; overflows: number }>;
  };
}

async function runCount(hostId: string) {
  return prisma().latencyRun.count({ where: { hostId } });
}

beforeAll(async () => {
  viewer = await signedInCaller("viewer");
  operator = await signedInCaller("operator");
});

afterAll(async () => {
  await disconnectPrisma();
});

describe("upload → stored → statistics equal parse-cyclictest", () => {
  const cases = [
    { file: "debian-2.4-h300.json", extra: [] as string[], cmdline: undefined },
    { file: "debian-2.4-H250.txt", extra: [], cmdline: undefined },
    { file: "reconstructed-2.7-sparse-h400.txt", extra: ["--cmdline", "cyclictest -h 400"], cmdline: "cyclictest -h 400" },
  ];
  it.each(cases)("$file", async ({ file, extra, cmdline }) => {
    const full = path.join(FIXTURES, file);
    const content = await readFile(full, "utf8");
    const cli = await cliSummary(full, extra);
    const host = await newHost("upload");
    const startedAt = new Date("2026-11-20T10:20:00Z");
    const up = await operator.latency.uploadCyclictest({ hostId: host.hostId, content, load: "stress-ng cpu", startedAt, ...(cmdline ? { cmdline } : {}) });
    expect(up.duplicate).toBe(false);

    const run = await viewer.latency.getRun({ runId: up.runId });
    expect(run?.load).toBe("stress-ng cpu");
    expect(run?.threads.map((t) => ({ thread: t.thread, cpu: t.cpu, min: t.stats.min, max: t.stats.max, cycles: t.stats.cycles, overflows: t.stats.overflows }))).toEqual(
      cli.threads.map((t) => ({ thread: t.thread, cpu: t.cpu, min: t.min, max: t.max, cycles: t.cycles, overflows: t.overflows })),
    );
    const expected = {
      min: cli.merged.min,
      max: cli.merged.max,
      cycles: cli.merged.cycles,
      overflows: cli.merged.overflows,
      percentiles: cli.merged.percentiles,
      lowerBounds: cli.merged.lowerBounds,
    };
    const pick = (s: { min: number | null; max: number | null; cycles: number; overflows: number; percentiles: Record<string, number | null>; lowerBounds: string[] }) => ({
      min: s.min,
      max: s.max,
      cycles: s.cycles,
      overflows: s.overflows,
      percentiles: s.percentiles,
      lowerBounds: s.lowerBounds,
    });
    expect(pick(run?.stats ?? (null as never))).toEqual(expected);
    expect(run?.stats.mean).toBeCloseTo(cli.merged.avg, 9);

    // a ragged custom window (raw runs at the edge) and a preset-like aligned window (rollups only)
    const ragged = await viewer.latency.getHostStats({ hostId: host.hostId, window: { from: new Date("2026-11-20T10:10:00Z"), to: new Date("2026-11-20T10:30:00Z") } });
    const aligned = await viewer.latency.getHostStats({ hostId: host.hostId, window: { from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-11-30T00:00:00Z") } });
    expect(pick(ragged.stats)).toEqual(expected);
    expect(pick(aligned.stats)).toEqual(expected);
    expect(aligned.rowsRead).toBe(1); // one day rollup, no raw run

    const fleet = await viewer.latency.getFleetReport({ window: { from: new Date("2026-11-20T00:00:00Z"), to: new Date("2026-11-21T00:00:00Z") } });
    const row = fleet.rows.find((r) => r.hostId === host.hostId);
    expect(row && pick(row.stats)).toEqual(expected);
    expect(row?.slo.status).toBe(cli.merged.max <= 20 ? "pass" : "fail");
  });

  it("the same file twice is stored once", async () => {
    const host = await newHost("dup");
    const content = await readFile(path.join(FIXTURES, "debian-2.4-h300.json"), "utf8");
    const a = await operator.latency.uploadCyclictest({ hostId: host.hostId, content, load: "idle" });
    const b = await operator.latency.uploadCyclictest({ hostId: host.hostId, content, load: "idle" });
    expect(b).toEqual({ runId: a.runId, duplicate: true });
    expect(await runCount(host.hostId)).toBe(1);
    const roll = await prisma().latencyRollup.findMany({ where: { hostId: host.hostId } });
    expect(roll.map((r) => r.runs)).toEqual([1, 1]);
  });

  it("a malformed file is rejected naming the line, and nothing is stored", async () => {
    const host = await newHost("bad");
    const good = await readFile(path.join(FIXTURES, "debian-2.4-h400.txt"), "utf8");
    const lines = good.split("\n");
    const idx = lines.findIndex((l) => l.startsWith("000017"));
    lines[idx] = "000017 0000x4\t000012";
    const err = await operator.latency.uploadCyclictest({ hostId: host.hostId, content: lines.join("\n"), load: "idle" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    expect((err as TRPCError).message).toContain(`line ${idx + 1}`);
    const truncated = good.split("\n").slice(0, -8).join("\n");
    const err2 = await operator.latency.uploadCyclictest({ hostId: host.hostId, content: truncated, load: "idle" }).catch((e: unknown) => e);
    expect((err2 as TRPCError).code).toBe("BAD_REQUEST");
    expect((err2 as TRPCError).message).toMatch(/line \d+/);
    expect(await runCount(host.hostId)).toBe(0);
    expect(await prisma().latencyRollup.count({ where: { hostId: host.hostId } })).toBe(0);
  });

  it("a viewer may read but not upload", async () => {
    const host = await newHost("ro");
    const err = await viewer.latency.uploadCyclictest({ hostId: host.hostId, content: "x", load: "idle" }).catch((e: unknown) => e);
    expect((err as TRPCError).code).toBe("FORBIDDEN");
  });
});

// ── rollups equal merging the raw runs ────────────────────────────────────────────────────────

function randomRun(rand: () => number, startedAt: Date, unit: "us" | "ns" = "us"): LatencyRunData {
  const size = unit === "ns" ? 50_000 : [100, 400, 1000][Math.floor(rand() * 3)] ?? 400;
  const threads = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, t) => {
    const histogram: Record<string, number> = {};
    let cycles = 0;
    let overflows = 0;
    let min = Infinity;
    let max = 0;
    let sum = 0;
    const n = Math.floor(rand() * 200);
    for (let i = 0; i < n; i++) {
      const base = unit === "ns" ? 7000 : 7;
      const v = Math.floor(base + (rand() < 0.95 ? rand() * base : rand() * base * 200));
      const count = 1 + Math.floor(rand() * 50);
      cycles += count;
      if (v >= size) overflows += count;
      else histogram[String(v)] = (histogram[String(v)] ?? 0) + count;
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v * count;
    }
    return { thread: t, cpu: t + 2, cycles, overflows, min: cycles ? min : null, avg: cycles ? sum / cycles : null, max: cycles ? max : null, histogram };
  });
  return { startedAt, durationS: 60, toolVersion: "2.40", cmdline: null, priority: 95, intervalUs: 200, load: "idle", unit, histogramSize: size, threads };
}

describe("rollups", () => {
  it("every hour/day rollup equals merging its raw runs; ragged windows equal raw merges", async () => {
    const host = await newHost("rollup");
    const rand = rng(42);
    const t0 = new Date("2026-10-30T21:07:00Z").getTime();
    const runs = Array.from({ length: 160 }, (_, i) => randomRun(rand, new Date(t0 + i * 17 * 60_000 + Math.floor(rand() * 60_000)), i % 23 === 0 ? "ns" : "us"));
    // several reports' worth, as separate transactions
    for (let i = 0; i < runs.length; i += 7) {
      const chunk = runs.slice(i, i + 7);
      await prisma().$transaction((tx) =>
        storeRunsTx(
          tx,
          host.hostId,
          chunk.map((run, j) => ({ run, source: "simulated", idempotencyKey: `sim:${i + j}` })),
        ),
      );
    }
    const part = (r: LatencyRunData): HistogramPart => {
      const p = rollupPartOfRun({ unit: r.unit, histogramSize: r.histogramSize, ...runTotals(r) });
      if (!p) throw new Error("unexpected");
      return p;
    };
    const rollups = await prisma().latencyRollup.findMany({ where: { hostId: host.hostId }, orderBy: [{ granularity: "asc" }, { bucketStart: "asc" }] });
    expect(rollups.filter((r) => r.granularity === "day").length).toBe(3);
    for (const r of rollups) {
      const step = r.granularity === "day" ? 86_400_000 : 3_600_000;
      const inside = runs.filter((x) => x.startedAt.getTime() >= r.bucketStart.getTime() && x.startedAt.getTime() < r.bucketStart.getTime() + step);
      const expected = mergeIntoRollup(null, inside.map(part));
      expect(
        {
          histogramSize: r.histogramSize,
          runs: r.runs,
          cycles: Number(r.cycles),
          overflows: Number(r.overflows),
          min: r.min,
          max: r.max,
          histogram: histogramRecordOf(r.histogram),
        },
        `${r.granularity} ${r.bucketStart.toISOString()}`,
      ).toEqual({
        histogramSize: expected.histogramSize,
        runs: expected.runs,
        cycles: expected.cycles,
        overflows: expected.overflows,
        min: expected.min,
        max: expected.max,
        histogram: expected.histogram,
      });
      expect(r.weightedSum).toBeCloseTo(expected.weightedSum, 6);
    }
    for (const [from, to] of [
      ["2026-10-30T22:31:00Z", "2026-11-01T05:45:00Z"],
      ["2026-10-31T00:00:00Z", "2026-11-01T00:00:00Z"],
      ["2026-10-31T03:00:00Z", "2026-10-31T03:59:00Z"],
    ] as const) {
      const f = new Date(from).getTime();
      const t = new Date(to).getTime();
      const raw = runs.filter((x) => x.startedAt.getTime() >= f && x.startedAt.getTime() < t).map(part);
      const got = await viewer.latency.getHostStats({ hostId: host.hostId, window: { from: new Date(from), to: new Date(to) } });
      const want = statsOfParts(raw);
      expect({ ...got.stats, mean: null }, `${from}–${to}`).toEqual({ ...want, mean: null });
      expect(got.stats.mean ?? 0).toBeCloseTo(want.mean ?? 0, 9);
    }
  });

  it("concurrent transactions on the same hour merge without losing a run", async () => {
    const host = await newHost("race");
    const rand = rng(7);
    const at = new Date("2026-11-02T12:10:00Z");
    const runs = Array.from({ length: 12 }, (_, i) => randomRun(rand, new Date(at.getTime() + i * 1000)));
    await Promise.all(
      runs.map((run, i) => prisma().$transaction((tx) => storeRunsTx(tx, host.hostId, [{ run, source: "simulated", idempotencyKey: `race:${i}` }]))),
    );
    const rows = await prisma().latencyRollup.findMany({ where: { hostId: host.hostId } });
    expect(rows.map((r) => r.runs)).toEqual([12, 12]);
    const expected = mergeIntoRollup(
      null,
      runs.map((r) => rollupPartOfRun({ unit: r.unit, histogramSize: r.histogramSize, ...runTotals(r) }) as HistogramPart),
    );
    for (const r of rows) expect(histogramRecordOf(r.histogram)).toEqual(expected.histogram);
  });
});

// ── agent path ────────────────────────────────────────────────────────────────────────────────

describe("agent report with latency runs", () => {
  it("stores runs whole, idempotently by run key, and returns the operator's schedule", async () => {
    const host = await newHost("agent");
    const agent = await agentCaller(host.hostToken);
    const run: LatencyRunReport = {
      runKey: randomUUID(),
      // an hour ago, not a fixed date: the server checks a report's times against its clock
      startedAt: new Date(Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000).toISOString(),
      durationS: 60,
      toolVersion: "2.40",
      cmdline: "cyclictest -m -p95 -i200 -h400 -a 2,3 -t 2 -D 60 --mainaffinity=0",
      priority: 95,
      intervalUs: 200,
      load: "idle",
      unit: "us",
      histogramSize: 400,
      threads: [
        { thread: 0, cpu: 2, cycles: 10, overflows: 1, min: 7, avg: 9, max: 612, histogram: { "7": 2, "8": 6, "9": 1 } },
        { thread: 1, cpu: 3, cycles: 5, overflows: 0, min: 8, avg: 8, max: 9, histogram: { "8": 4, "9": 1 } },
      ],
    };
    let seq = 0;
    const report = () => ({
      hostId: host.hostId,
      idempotencyKey: `${host.hostId}:${++seq}`,
      sequence: seq,
      collectedAt: new Date().toISOString(),
      agentVersion: "0.0.0-test",
      hostname: "agent-host",
      latencyRuns: [run],
    });
    await operator.latency.setSchedule({
      hostId: host.hostId,
      schedule: { enabled: true, cpus: "3,2", durationS: 60, intervalUs: 200, priority: 95, histogramSize: 400, everyMinutes: 5, load: "idle" },
    });
    const first = await agent.agent.report(report());
    expect(first.config.latencySchedule).toMatchObject({ cpus: "2-3", everyMinutes: 5 });
    await agent.agent.report(report()); // the same run resent in a later report
    expect(await runCount(host.hostId)).toBe(1);
    const latest = await viewer.latency.getRun({ hostId: host.hostId });
    expect(latest?.cpus).toEqual([2, 3]);
    expect(latest?.stats).toMatchObject({ cycles: 15, overflows: 1, min: 7, max: 612, lowerBounds: ["99", "99.9", "99.99", "99.999"] });
    expect(latest?.stats.percentiles).toEqual({ "50": 8, "99": 400, "99.9": 400, "99.99": 400, "99.999": 400 });
    expect(contentHash(latest?.threads.map((t) => t.histogram))).toBe(contentHash([[[7, 2], [8, 6], [9, 1]], [[8, 4], [9, 1]]]));
  });
});

describe("schedules, trends, compare", () => {
  it("rejects a bad schedule with a clear 400 and keeps the old one", async () => {
    const host = await newHost("sched");
    const base = { enabled: true, cpus: "2-5", durationS: 60, intervalUs: 200, priority: 95, histogramSize: 400, everyMinutes: 5, load: "idle" };
    await operator.latency.setSchedule({ hostId: host.hostId, schedule: base });
    for (const bad of [{ ...base, cpus: "2-x" }, { ...base, durationS: 300 }, { ...base, cpus: "" }]) {
      const err = await operator.latency.setSchedule({ hostId: host.hostId, schedule: bad }).catch((e: unknown) => e);
      expect((err as TRPCError).code).toBe("BAD_REQUEST");
    }
    expect(await viewer.latency.getSchedule({ hostId: host.hostId })).toMatchObject({ cpus: "2-5", durationS: 60 });
  });

  it("trend points per run carry drift markers; compare needs 2–4 hosts", async () => {
    const a = await newHost("trend-a");
    const b = await newHost("trend-b");
    const rand = rng(3);
    const start = new Date("2026-11-21T00:00:00Z").getTime();
    for (const h of [a, b]) {
      await prisma().$transaction((tx) =>
        storeRunsTx(
          tx,
          h.hostId,
          Array.from({ length: 12 }, (_, i) => ({ run: randomRun(rand, new Date(start + i * 300_000)), source: "simulated" as const, idempotencyKey: `t:${i}` })),
        ),
      );
    }
    await prisma().driftEvent.create({
      data: { hostId: a.hostId, at: new Date(start + 1_800_000), kind: "snapshot", section: "kernel", key: "irqbalance.active", oldValue: "inactive", newValue: "active" },
    });
    const window = { from: new Date(start), to: new Date(start + 3_600_000) };
    const trend = await viewer.latency.getTrend({ hostId: a.hostId, window });
    expect(trend.resolution).toBe("run");
    expect(trend.points).toHaveLength(12);
    expect(trend.markers).toEqual([{ t: start + 1_800_000, label: "irqbalance started", details: ["irqbalance started"] }]);
    const cmp = await viewer.latency.compareHosts({ hostIds: [a.hostId, b.hostId], window });
    expect(cmp.hosts.map((h) => h.hostId)).toEqual([a.hostId, b.hostId]);
    expect(cmp.hosts[0]?.stats.runs).toBe(12);
    const err = await viewer.latency.compareHosts({ hostIds: [a.hostId, a.hostId], window }).catch((e: unknown) => e);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
  });
});
