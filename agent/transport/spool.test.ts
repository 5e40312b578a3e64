import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ReportPayload } from "@/server/contract/report";
import type { LatencyRunReport } from "@/server/contract/sections/latency";
import type { QosSample } from "@/server/contract/sections/qos";
import { Spool, spoolFileName } from "@/agent/transport/spool";

const HOST = "6f1c2f4e-8a53-4c1e-9d2b-1f0a4b7c9e10";
const HASH = "0".repeat(64);
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "nfvdeck-spool-"));
  dirs.push(dir);
  return path.join(dir, "spool");
}

afterEach(async () => {
  for (const d of dirs.splice(0)) await fsp.rm(d, { recursive: true, force: true });
});

function latencyRun(runKey: string): LatencyRunReport {
  return {
    runKey,
    startedAt: "2026-01-01T00:00:00.000Z",
    durationS: 10,
    toolVersion: "2.40",
    cmdline: "cyclictest -q -p 95 -i 1000 -D 10s -h 400 -t 1 -a 1",
    priority: 95,
    intervalUs: 1000,
    load: "idle",
    unit: "us",
    histogramSize: 400,
    threads: [{ thread: 0, cpu: 1, cycles: 3, overflows: 0, min: 8, avg: 8.7, max: 9, histogram: { "8": 1, "9": 2 } }],
  };
}

function qosSample(domain: string): QosSample {
  return { at: "2026-01-01T00:00:00.000Z", group: "/", domain, llcOccupancyBytes: "1048576", mbmTotalBytes: "123456789", mbmLocalBytes: null };
}

function report(sequence: number, kind: "heartbeat" | "static" | "latency" | "qos"): ReportPayload {
  return {
    hostId: HOST,
    idempotencyKey: `${HOST}:${sequence}`,
    sequence,
    collectedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
    agentVersion: "test",
    hostname: "h1",
    heartbeat: { uptimeS: sequence, loadavg: [0, 0, 0] },
    sections: kind === "static" ? { kernel: { ok: true, available: false, durationMs: 1, hash: HASH, data: null } } : {},
    latencyRuns: kind === "latency" ? [latencyRun(`${sequence}a`), latencyRun(`${sequence}b`)] : [],
    qosSamples: kind === "qos" ? ["mon_L3_00", "mon_L3_01", "mon_L3_02"].map((domain) => qosSample(domain)) : [],
  };
}

describe("Spool", () => {
  it("names files by zero-padded sequence so a listing sorts in send order", () => {
    expect(spoolFileName(7)).toBe("0000000000000007.json");
    expect([spoolFileName(10), spoolFileName(9)].sort()).toEqual([spoolFileName(9), spoolFileName(10)]);
  });

  it("keeps reports in order across a reopen (a restart of the agent)", async () => {
    const dir = await tempDir();
    const spool = await Spool.open(dir);
    for (const seq of [3, 4, 10]) await spool.append(seq, report(seq, "heartbeat"));
    const reopened = await Spool.open(dir);
    expect(reopened.sequences()).toEqual([3, 4, 10]);
    expect(reopened.lastSequence).toBe(10);
    const oldest = reopened.oldest();
    expect(oldest?.sequence).toBe(3);
    if (!oldest) return;
    expect((await reopened.read(oldest)).idempotencyKey).toBe(`${HOST}:3`);
    await reopened.remove(3);
    expect((await Spool.open(dir)).sequences()).toEqual([4, 10]);
  });

  it("writes files readable by the owner only", async () => {
    const dir = await tempDir();
    const spool = await Spool.open(dir);
    await spool.append(1, report(1, "heartbeat"));
    const st = await fsp.stat(path.join(dir, spoolFileName(1)));
    expect(st.mode & 0o777).toBe(0o600);
  });

  it("refuses a sequence that does not increase", async () => {
    const spool = await Spool.open(await tempDir());
    await spool.append(5, report(5, "heartbeat"));
    await expect(spool.append(5, report(5, "heartbeat"))).rejects.toThrow(/not after/);
  });

  it.each([
    {
      name: "file bound: oldest non-static report goes first, static ones stay",
      kinds: ["static", "latency", "qos", "static", "heartbeat"] as const,
      maxFiles: 4,
      left: [0, 2, 3, 4],
      dropped: { reports: 1, staticReports: 0, latencyRuns: 2, qosSamples: 0 },
      staticDropped: false,
    },
    {
      name: "two over the bound: two oldest non-static reports",
      kinds: ["latency", "static", "qos", "heartbeat", "static"] as const,
      maxFiles: 3,
      left: [1, 3, 4],
      dropped: { reports: 2, staticReports: 0, latencyRuns: 2, qosSamples: 3 },
      staticDropped: false,
    },
    {
      name: "only static reports left: the oldest is dropped and a full resend is asked for",
      kinds: ["static", "static", "static"] as const,
      maxFiles: 2,
      left: [1, 2],
      dropped: { reports: 1, staticReports: 1, latencyRuns: 0, qosSamples: 0 },
      staticDropped: true,
    },
  ])("$name", async ({ kinds, maxFiles, left, dropped, staticDropped }) => {
    const dir = await tempDir();
    const spool = await Spool.open(dir, { maxFiles, maxBytes: 1 << 20 });
    for (const [seq, kind] of kinds.entries()) await spool.append(seq, report(seq, kind));
    expect(spool.sequences()).toEqual(left);
    expect(spool.dropped).toEqual(dropped);
    expect(spool.takeStaticDropped()).toBe(staticDropped);
    expect(spool.takeStaticDropped()).toBe(false);
    // on disk too, and the counters survive a restart
    const reopened = await Spool.open(dir, { maxFiles, maxBytes: 1 << 20 });
    expect(reopened.sequences()).toEqual(left);
    expect(reopened.dropped).toEqual(dropped);
  });

  it("byte bound: evicts until the new report fits", async () => {
    const dir = await tempDir();
    const one = Buffer.byteLength(JSON.stringify(report(1, "heartbeat")));
    const spool = await Spool.open(dir, { maxFiles: 100, maxBytes: one * 3 + 10 });
    for (let seq = 1; seq <= 6; seq++) await spool.append(seq, report(seq, "heartbeat"));
    expect(spool.sequences()).toEqual([4, 5, 6]);
    expect(spool.bytes).toBeLessThanOrEqual(one * 3 + 10);
    expect(spool.dropped.reports).toBe(3);
  });

  it("sets aside a corrupt file instead of blocking the queue", async () => {
    const dir = await tempDir();
    const spool = await Spool.open(dir);
    await spool.append(1, report(1, "heartbeat"));
    await fsp.writeFile(path.join(dir, spoolFileName(2)), "{ torn");
    await spool.append(3, report(3, "heartbeat")).catch(() => undefined);
    const reopened = await Spool.open(dir);
    expect(reopened.sequences()).toEqual([1, 3]);
    expect((await fsp.readdir(dir)).sort()).toContain(`${spoolFileName(2)}.corrupt`);
  });
});
