/**
 * A real Prometheus (Debian's `prometheus`, on loopback, bounded run) scrapes the console's
 * GET /metrics; the fleet query from the issue — histogram_quantile over sum by (le) of increase() —
 * answers through Prometheus's HTTP API from the latency an operator just uploaded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { loginAs } from "@/e2e/support/login";
import { expect, test } from "@/e2e/support/test";

const FIXTURES = path.resolve(import.meta.dirname, "../../agent/fixtures/cyclictest");
const HOST = "pod2-epyc-01";
const FLEET_QUERY = "histogram_quantile(0.99999, sum by (le) (increase(nfvdeck_latency_seconds_bucket[24h])))";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** `le` → cumulative count for one host's nfvdeck_latency_seconds_bucket series. */
function hostBuckets(text: string, host: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("nfvdeck_latency_seconds_bucket{") || !line.includes(`host="${host}"`)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le) out.set(le, Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return out;
}

test.describe.serial("Prometheus export", () => {
  let prometheus: ChildProcess | null = null;
  let dir = "";
  let promUrl = "";

  test.afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus?.once("exit", r));
      prometheus.kill("SIGTERM");
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("a real Prometheus scrapes /metrics and answers the fleet histogram_quantile query", async ({ page, baseURL }) => {
    test.setTimeout(120_000);
    const target = new URL(baseURL ?? "http://127.0.0.1:3100");
    const metricsUrl = `${target.origin}/metrics`;
    const before = await (await page.request.get(metricsUrl)).text();
    expect(before).toContain("# TYPE nfvdeck_latency_seconds histogram");

    dir = await mkdtemp(path.join(os.tmpdir(), "nfvdeck-prometheus-"));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    await writeFile(
      path.join(dir, "prometheus.yml"),
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: nfvdeck\n    metrics_path: /metrics\n    static_configs:\n      - targets: ["${target.host}"]\n`,
    );
    prometheus = spawn(
      "prometheus",
      [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: "ignore" },
    );
    const query = async (q: string) => {
      const res = await page.request.get(`${promUrl}/api/v1/query`, { params: { query: q } });
      const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      expect(body.status).toBe("success");
      return body.data.result;
    };
    // the target is up and has been scraped a few times before anything changes
    await expect
      .poll(async () => (await query('count_over_time(up{job="nfvdeck"}[1m])').catch(() => []))[0]?.value[1] ?? "0", { timeout: 60_000 })
      .toMatch(/^[3-9]$|^\d{2,}$/);
    expect((await query('up{job="nfvdeck"}'))[0]?.value[1]).toBe("1");

    // an operator uploads a cyclictest run for one host: its counters grow
    await loginAs(page, "operator", "/latency/upload");
    await page.goto("/latency/upload");
    const form = page.getByTestId("upload-form");
    await form.getByLabel("Host").selectOption({ label: HOST });
    await form.getByLabel("cyclictest output file").setInputFiles(path.join(FIXTURES, "debian-2.4-h300.json"));
    await form.getByRole("button", { name: /upload/i }).click();
    await expect(page.getByTestId("upload-result")).toContainText(/Stored/);

    const after = hostBuckets(await (await page.request.get(metricsUrl)).text(), HOST);
    const old = hostBuckets(before, HOST);
    const added = new Map([...after].map(([le, n]) => [le, n - (old.get(le) ?? 0)]));
    const total = added.get("+Inf") ?? 0;
    expect(total).toBeGreaterThan(0);
    // where the 99.999th percentile of the added samples lies, from the exported buckets themselves
    const bounds = [...added.keys()].filter((le) => le !== "+Inf").map(Number).sort((a, b) => a - b);
    const rank = 0.99999 * total;
    const upperIndex = bounds.findIndex((b) => (added.get(String(b)) ?? 0) >= rank);
    const upper = upperIndex === -1 ? (bounds.at(-1) ?? 0) : (bounds[upperIndex] ?? 0);
    const lower = upperIndex <= 0 ? (upperIndex === -1 ? upper : 0) : (bounds[upperIndex - 1] ?? 0);

    await expect
      .poll(async () => Number((await query(FLEET_QUERY))[0]?.value[1] ?? "NaN"), { timeout: 30_000, intervals: [1000] })
      .toBeGreaterThan(lower - 1e-12);
    const answer = Number((await query(FLEET_QUERY))[0]?.value[1]);
    expect(answer).toBeGreaterThan(lower - 1e-12);
    expect(answer).toBeLessThanOrEqual(upper + 1e-12);
    // Prometheus parsed our histogram as one: every host's bucket series carries an le label
    expect((await query("count(nfvdeck_latency_seconds_bucket)"))[0]?.value[1]).not.toBe("0");
  });
});
