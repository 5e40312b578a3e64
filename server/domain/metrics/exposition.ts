/**
 * Prometheus text exposition (format 0.0.4) of the fleet: base units (seconds), counters end in
 * _total, latency a real histogram (cumulative `le` buckets, +Inf, _sum, _count) so Grafana merges
 * hosts with `sum by (le)` — never an average of percentiles. Clean under `promtool check metrics`.
 */
import type { MetricsHost, MetricsJobCount, MetricsMigration } from "@/server/contract/api/metrics";
import { PROMETHEUS_LATENCY_BOUNDS_US } from "@/server/domain/latency/prometheus-buckets";
import { deriveHostStatus } from "@/server/domain/hosts/status";

const RULE_STATUSES = ["pass", "fail", "warn", "na"] as const;
export const JOB_STATES = ["pending", "claimed", "running", "succeeded", "failed", "cancelled"] as const;

/** A label value as the exposition format wants it: backslash, quote and newline escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * Host labels that can be label values: `key=value` labels with a Prometheus-safe key become
 * `label_<key>` (as kube-state-metrics does); anything else stays out (a free-form tag is not a dimension).
 */
export function hostLabelPairs(labels: readonly string[]): [string, string][] {
  const out = new Map<string, string>();
  for (const l of labels) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]{0,62})=(.{0,200})$/.exec(l);
    if (!m?.[1] || m[2] === undefined) continue;
    const key = `label_${m[1].toLowerCase()}`;
    if (!out.has(key)) out.set(key, m[2]);
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

function labelSet(pairs: readonly [string, string][]): string {
  return pairs.length === 0 ? "" : `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

/** Finite numbers as Prometheus writes them; never NaN from our own arithmetic. */
function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)));
}

export function renderMetricsExposition(input: {
  hosts: readonly MetricsHost[];
  migrations: readonly MetricsMigration[];
  jobs: readonly MetricsJobCount[];
  now: Date;
}): string {
  const lines: string[] = [];
  const family = (name: string, type: "gauge" | "counter" | "histogram", help: string) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  const hosts = [...input.hosts].sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : a.id < b.id ? -1 : 1));
  // Two hosts may share a hostname (re-enrolment): the series must still be distinct, so those get host_id too.
  const seen = new Map<string, number>();
  for (const h of hosts) seen.set(h.hostname, (seen.get(h.hostname) ?? 0) + 1);
  // Each host's label pairs rendered once (a scrape at 1,000 hosts writes ~20,000 lines).
  const inner = hosts.map((h) =>
    labelSet([["host", h.hostname], ...((seen.get(h.hostname) ?? 0) > 1 ? ([["host_id", h.id]] as [string, string][]) : []), ...hostLabelPairs(h.labels)]).slice(1, -1),
  );
  const sel = (i: number, extra = "") => `{${inner[i]}${extra}}`;
  const leLabels = PROMETHEUS_LATENCY_BOUNDS_US.map((us) => `,le="${num(us / 1e6)}"`);

  family("nfvdeck_host_up", "gauge", "1 when the host's agent reported within three heartbeats, 0 when stale or offline.");
  hosts.forEach((h, i) => lines.push(`nfvdeck_host_up${sel(i)} ${deriveHostStatus(h.lastSeenAt, input.now, h.heartbeatSeconds) === "online" ? 1 : 0}`));

  family("nfvdeck_host_last_report_timestamp_seconds", "gauge", "Unix time of the host's last report.");
  hosts.forEach((h, i) => {
    if (h.lastSeenAt) lines.push(`nfvdeck_host_last_report_timestamp_seconds${sel(i)} ${num(h.lastSeenAt.getTime() / 1000)}`);
  });

  family("nfvdeck_host_compliance_score", "gauge", "Share of applicable compliance rules the host passes (0 to 1).");
  hosts.forEach((h, i) => {
    if (h.compliance) lines.push(`nfvdeck_host_compliance_score${sel(i)} ${num(h.compliance.score / 100)}`);
  });

  family("nfvdeck_host_compliance_rules", "gauge", "Compliance rules by status in the host's latest evaluation.");
  hosts.forEach((h, i) => {
    const c = h.compliance;
    if (c) for (const s of RULE_STATUSES) lines.push(`nfvdeck_host_compliance_rules${sel(i, `,status="${s}"`)} ${c[s]}`);
  });

  family("nfvdeck_latency_seconds", "histogram", "Cyclictest timer latency samples since enrolment (every run, every thread).");
  // Every host, from zero until it measures: a counter must exist before it grows, or increase()
  // never sees the first run (a series that appears at N has increased by nothing).
  const noSamples = { le: PROMETHEUS_LATENCY_BOUNDS_US.map(() => 0), count: 0, sumSeconds: 0 };
  hosts.forEach((h, i) => {
    const l = h.latency ?? noSamples;
    leLabels.forEach((le, j) => lines.push(`nfvdeck_latency_seconds_bucket${sel(i, le)} ${num(l.le[j] ?? 0)}`));
    lines.push(`nfvdeck_latency_seconds_bucket${sel(i, ',le="+Inf"')} ${num(l.count)}`);
    lines.push(`nfvdeck_latency_seconds_sum${sel(i)} ${num(l.sumSeconds)}`);
    lines.push(`nfvdeck_latency_seconds_count${sel(i)} ${num(l.count)}`);
  });

  family("nfvdeck_agent_spool_dropped_reports_total", "counter", "Undelivered reports the agent's bounded spool evicted (as of its last heartbeat).");
  hosts.forEach((h, i) => {
    if (h.agentSpoolDropped !== null) lines.push(`nfvdeck_agent_spool_dropped_reports_total${sel(i)} ${num(h.agentSpoolDropped)}`);
  });

  family("nfvdeck_agent_rejected_reports_total", "counter", "Reports the server refused and the agent dropped since the agent process started.");
  hosts.forEach((h, i) => {
    if (h.agentRejected !== null) lines.push(`nfvdeck_agent_rejected_reports_total${sel(i)} ${num(h.agentRejected)}`);
  });

  const migrations = [...input.migrations].sort((a, b) => (a.hostname + a.vm < b.hostname + b.vm ? -1 : 1));
  family("nfvdeck_migration_total_time_seconds", "gauge", "Total time of the VM's last completed live migration (requirement: under 2 s).");
  for (const m of migrations) if (m.totalTimeMs !== null) lines.push(`nfvdeck_migration_total_time_seconds${labelSet([["host", m.hostname], ["vm", m.vm]])} ${num(m.totalTimeMs / 1000)}`);
  family("nfvdeck_migration_downtime_seconds", "gauge", "Downtime of the VM's last completed live migration (requirement: under 10 ms).");
  for (const m of migrations) if (m.downtimeMs !== null) lines.push(`nfvdeck_migration_downtime_seconds${labelSet([["host", m.hostname], ["vm", m.vm]])} ${num(m.downtimeMs / 1000)}`);

  family("nfvdeck_jobs", "gauge", "Jobs by kind and state.");
  const kinds = [...new Set(["migrate", "tune", ...input.jobs.map((j) => j.kind)])].sort();
  for (const kind of kinds) {
    for (const state of JOB_STATES) {
      const n = input.jobs.find((j) => j.kind === kind && j.state === state)?.count ?? 0;
      lines.push(`nfvdeck_jobs${labelSet([["kind", kind], ["state", state]])} ${n}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
