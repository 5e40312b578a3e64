import { REPORTED_PERCENTILES } from "@/server/domain/latency/histogram";
import { formatLatency, formatPercentile, type LatencyStats } from "@/server/domain/latency/stats";

export function SloBadge({ status, reasons }: { status: string; reasons: readonly string[] }) {
  const style: Record<string, string> = {
    pass: "bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-300",
    fail: "bg-rose-100 text-rose-800 dark:bg-rose-500/15 dark:text-rose-300",
  };
  const label: Record<string, string> = { pass: "pass", fail: "FAIL", "no-data": "no data", "no-target": "no target" };
  return (
    <span
      title={reasons.join("\n") || undefined}
      data-testid="slo-badge"
      data-status={status}
      className={`inline-block rounded px-1.5 py-0.5 text-xs font-semibold print:border print:border-current ${style[status] ?? "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300"}`}
    >
      {label[status] ?? status}
    </span>
  );
}

/** The merged-statistics strip: p50 … p99.999, min, max, mean, cycles. */
export function StatsFacts({ stats }: { stats: LatencyStats }) {
  const items: Array<[string, string]> = [
    ...REPORTED_PERCENTILES.map((q) => [`p${q}`, formatPercentile(stats, q)] as [string, string]),
    ["min", formatLatency(stats.min, stats.unit)],
    ["max", formatLatency(stats.max, stats.unit)],
    ["mean", formatLatency(stats.mean === null ? null : Number(stats.mean.toFixed(2)), stats.unit)],
    ["cycles", stats.cycles.toLocaleString("en-US")],
    ["runs", String(stats.runs)],
  ];
  return (
    <dl className="grid grid-cols-[repeat(auto-fill,minmax(7.5rem,1fr))] gap-x-6 gap-y-2" data-testid="latency-stats">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt className="text-xs text-slate-500 dark:text-slate-400">{k}</dt>
          <dd className="font-mono text-sm tabular-nums">{v}</dd>
        </div>
      ))}
    </dl>
  );
}
