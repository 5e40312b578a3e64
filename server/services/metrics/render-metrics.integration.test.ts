/**
 * GET /metrics content against real PostgreSQL: counters maintained on ingest, promtool's own lint,
 * the bearer token. (The scrape by a real Prometheus server runs in e2e/metrics.)
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma, prisma } from "@/server/db";
import type { LatencyRunData } from "@/server/domain/latency/run";
import { isDomainError } from "@/server/errors";
import { storeRunsTx } from "@/server/repo/latency-ingest";
import { renderMetrics } from "@/server/services/metrics/render-metrics";
import { agentCaller, enrolHost, uniqueHostname } from "@/server/test/callers";


let dir = "";

function runOf(startedAt: Date, histogram: Record<string, number>, overflows: number, size = 400): LatencyRunData {
  const cycles = Object.values(histogram).reduce((a, b) => a + b, 0) + overflows;
  const sum = Object.entries(histogram).reduce((a, [k, n]) => a + Number(k) * n, 0) + overflows * size;
  return {
    startedAt,
    durationS: 60,
    toolVersion: "2.40",
    cmdline: null,
    priority: 95,
    intervalUs: 200,
    load: "idle",
    unit: "us",
    histogramSize: size,
    threads: [{ thread: 0, cpu: 2, cycles, overflows, min: 1, avg: sum / cycles, max: overflows > 0 ? size + 5 : 1, histogram }],
  };
}

/** The sample lines of one family for one host, as `labels → value`. */
function samples(text: string, metric: string, host: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${metric}{`) || !line.includes(`host="${host}"`)) continue;
    const close = line.lastIndexOf("}");
    out.set(line.slice(metric.length, close + 1), Number(line.slice(close + 2)));
  }
  return out;
}

async function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  const file = path.join(dir, `metrics-${Date.now()}.txt`);
  await writeFile(file, text);
  // promtool reads the exposition on stdin; lint problems are printed and exit non-zero
  return new Promise((resolve) => {
    const child = execFile("promtool", ["check", "metrics"], (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
    child.stdin?.end(text);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "nfvdeck-metrics-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await disconnectPrisma();
});

describe("GET /metrics exposition", () => {
  it("exports each host's cyclictest samples as a cumulative histogram that only grows, and passes promtool", async () => {
    const hostname = uniqueHostname("metrics-a");
    const host = await enrolHost(hostname, { note: "metrics test" });
    await prisma().host.update({ where: { id: host.hostId }, data: { labels: ["site=bj", "rack=r1", "free form"], lastSeenAt: new Date() } });
    const t0 = new Date(Date.now() - 3 * 3600_000);
    await prisma().$transaction((tx) =>
      storeRunsTx(tx, host.hostId, [{ run: runOf(t0, { "4": 100, "5": 10, "9": 5, "16": 2, "250": 1 }, 3), source: "simulated", idempotencyKey: "m:1" }]),
    );
    const first = (await renderMetrics({ authorization: null, requiredToken: undefined })).text;
    const buckets = samples(first, "nfvdeck_latency_seconds_bucket", hostname);
    expect(buckets.get(`{host="${hostname}",label_rack="r1",label_site="bj",le="0.000005"}`)).toBe(110);
    expect(buckets.get(`{host="${hostname}",label_rack="r1",label_site="bj",le="0.00001"}`)).toBe(115);
    expect(buckets.get(`{host="${hostname}",label_rack="r1",label_site="bj",le="0.0002"}`)).toBe(117);
    expect(buckets.get(`{host="${hostname}",label_rack="r1",label_site="bj",le="0.001"}`)).toBe(118); // the 3 overflows (≥ 400 µs) only in +Inf
    expect(buckets.get(`{host="${hostname}",label_rack="r1",label_site="bj",le="+Inf"}`)).toBe(121);
    expect(samples(first, "nfvdeck_latency_seconds_count", hostname).values().next().value).toBe(121);

    // the same run again is a duplicate and adds nothing; a new one adds
    await prisma().$transaction((tx) =>
      storeRunsTx(tx, host.hostId, [
        { run: runOf(t0, { "4": 100 }, 0), source: "simulated", idempotencyKey: "m:1" },
        { run: runOf(new Date(t0.getTime() + 60_000), { "7": 20 }, 0), source: "simulated", idempotencyKey: "m:2" },
      ]),
    );
    const second = (await renderMetrics({ authorization: null, requiredToken: undefined })).text;
    const after = samples(second, "nfvdeck_latency_seconds_bucket", hostname);
    expect(after.get(`{host="${hostname}",label_rack="r1",label_site="bj",le="0.000005"}`)).toBe(110);
    expect(after.get(`{host="${hostname}",label_rack="r1",label_site="bj",le="0.00001"}`)).toBe(135);
    expect(after.get(`{host="${hostname}",label_rack="r1",label_site="bj",le="+Inf"}`)).toBe(141);
    for (const [k, v] of buckets) expect(after.get(k) ?? -1).toBeGreaterThanOrEqual(v);

    expect(second).toMatch(new RegExp(`nfvdeck_host_up\\{host="${hostname}",label_rack="r1",label_site="bj"\\} 1`));
    expect(second).not.toContain("free form");
    const lint = await promtoolCheck(second);
    expect(lint.output).toBe("");
    expect(lint.code).toBe(0);
  });

  it("promtool catches what it should (the lint is real): a quantile label on a gauge, a ms unit", async () => {
    const bad = "# HELP x_latency_ms a latency\n# TYPE x_latency_ms gauge\nx_latency_ms{quantile=\"0.99\"} 3\n";
    const lint = await promtoolCheck(bad);
    expect(lint.output).not.toBe("");
  });

  it("exports the agent's loss counters from its latest heartbeat (batched path), keeping them when a heartbeat omits them", async () => {
    const hostname = uniqueHostname("metrics-loss");
    const host = await enrolHost(hostname, { note: "metrics test" });
    const agent = await agentCaller(host.hostToken);
    const beat = (sequence: number, counters: Record<string, number>) =>
      agent.agent.report({
        hostId: host.hostId,
        idempotencyKey: `${host.hostId}:${sequence}`,
        sequence,
        collectedAt: new Date().toISOString(),
        agentVersion: "0.0.0-test",
        hostname,
        heartbeat: { uptimeS: 10 + sequence, loadavg: [0, 0, 0], ...counters },
      });
    await beat(1, { spoolDropped: 3, rejected: 1, setAside: 0 });
    await beat(2, {});
    const { text } = await renderMetrics({ authorization: null, requiredToken: undefined });
    expect(text).toContain(`nfvdeck_agent_spool_dropped_reports_total{host="${hostname}"} 3`);
    expect(text).toContain(`nfvdeck_agent_rejected_reports_total{host="${hostname}"} 1`);
    expect(text).toContain(`nfvdeck_host_up{host="${hostname}"} 1`);
  });

  it("requires the bearer token when one is configured", async () => {
    const token = "metrics-token-0123456789";
    const refused = await renderMetrics({ authorization: null, requiredToken: token }).catch((e: unknown) => e);
    expect(isDomainError(refused) && refused.code).toBe("UNAUTHORIZED");
    const wrong = await renderMetrics({ authorization: "Bearer metrics-token-0123456788", requiredToken: token }).catch((e: unknown) => e);
    expect(isDomainError(wrong) && wrong.code).toBe("UNAUTHORIZED");
    const ok = await renderMetrics({ authorization: `Bearer ${token}`, requiredToken: token });
    expect(ok.text).toContain("# TYPE nfvdeck_latency_seconds histogram");
  });
});


