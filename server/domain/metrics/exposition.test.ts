import { describe, expect, it } from "vitest";
import { escapeLabelValue, hostLabelPairs, renderMetricsExposition } from "@/server/domain/metrics/exposition";
import type { MetricsHost } from "@/server/contract/api/metrics";

const NOW = new Date("2026-06-01T12:00:00Z");

function host(over: Partial<MetricsHost> = {}): MetricsHost {
  return {
    id: "11111111-1111-4111-8111-111111111111",
    hostname: "nfvi-a",
    labels: [],
    lastSeenAt: new Date(NOW.getTime() - 5_000),
    heartbeatSeconds: 10,
    compliance: { score: 87.5, pass: 7, fail: 1, warn: 0, na: 2 },
    latency: { le: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], count: 12, sumSeconds: 0.000123 },
    agentSpoolDropped: 0,
    agentRejected: 2,
    ...over,
  };
}

describe("renderMetricsExposition", () => {
  it("writes a histogram with cumulative le buckets in seconds, +Inf = _count, and the score as a ratio", () => {
    const text = renderMetricsExposition({ hosts: [host()], migrations: [], jobs: [], now: NOW });
    expect(text).toContain("# TYPE nfvdeck_latency_seconds histogram");
    expect(text).toContain('nfvdeck_latency_seconds_bucket{host="nfvi-a",le="0.000005"} 1');
    expect(text).toContain('nfvdeck_latency_seconds_bucket{host="nfvi-a",le="0.001"} 10');
    expect(text).toContain('nfvdeck_latency_seconds_bucket{host="nfvi-a",le="+Inf"} 12');
    expect(text).toContain('nfvdeck_latency_seconds_count{host="nfvi-a"} 12');
    expect(text).toContain('nfvdeck_latency_seconds_sum{host="nfvi-a"} 0.000123');
    expect(text).toContain('nfvdeck_host_compliance_score{host="nfvi-a"} 0.875');
    expect(text).toContain('nfvdeck_host_compliance_rules{host="nfvi-a",status="na"} 2');
    expect(text).toContain('nfvdeck_agent_rejected_reports_total{host="nfvi-a"} 2');
    expect(text.endsWith("\n")).toBe(true);
  });

  it("says a host is down once it is stale, and distinguishes two hosts with one hostname by host_id", () => {
    const stale = host({ lastSeenAt: new Date(NOW.getTime() - 120_000) });
    const twin = host({ id: "22222222-2222-4222-8222-222222222222", latency: null, compliance: null });
    const text = renderMetricsExposition({ hosts: [stale, twin], migrations: [], jobs: [], now: NOW });
    expect(text).toContain(`nfvdeck_host_up{host="nfvi-a",host_id="${stale.id}"} 0`);
    expect(text).toContain(`nfvdeck_host_up{host="nfvi-a",host_id="${twin.id}"} 1`);
    // a host that never measured is exported from zero, so the first run shows up in increase()
    expect(text).toContain(`nfvdeck_latency_seconds_count{host="nfvi-a",host_id="${twin.id}"} 0`);
    expect(text).toContain(`nfvdeck_latency_seconds_bucket{host="nfvi-a",host_id="${twin.id}",le="+Inf"} 0`);
  });

  it("exports key=value host labels as label_<key>, drops free-form ones, and escapes values", () => {
    expect(hostLabelPairs(["site=bj \"1\"", "rack=r2", "free form", "9bad=x", "site=again"])).toEqual([
      ["label_rack", "r2"],
      ["label_site", 'bj "1"'],
    ]);
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it("writes the last migration per VM in seconds and every job state per kind, zeros included", () => {
    const text = renderMetricsExposition({
      hosts: [],
      migrations: [{ hostname: "nfvi-a", vm: "vnf-1", totalTimeMs: 654, downtimeMs: 5 }],
      jobs: [{ kind: "migrate", state: "succeeded", count: 3 }],
      now: NOW,
    });
    expect(text).toContain('nfvdeck_migration_total_time_seconds{host="nfvi-a",vm="vnf-1"} 0.654');
    expect(text).toContain('nfvdeck_migration_downtime_seconds{host="nfvi-a",vm="vnf-1"} 0.005');
    expect(text).toContain('nfvdeck_jobs{kind="migrate",state="succeeded"} 3');
    expect(text).toContain('nfvdeck_jobs{kind="tune",state="pending"} 0');
  });
});
