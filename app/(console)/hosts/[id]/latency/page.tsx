import Link from "next/link";
import { Panel } from "@/app/_components/panel";
import { formatAbsoluteTime } from "@/app/_components/format";
import { HistogramChart } from "@/app/_components/latency/histogram-chart";
import { StatsFacts, SloBadge } from "@/app/_components/latency/stat-cells";
import { TrendChart } from "@/app/_components/latency/trend-chart";
import { windowFromSearch, type WindowSearch } from "@/app/_components/latency/window-param";
import { WindowPicker } from "@/app/_components/latency/window-picker";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";
import { formatLatency, formatPercentile } from "@/server/domain/latency/stats";
import { loadHostOverview } from "../load-host";
import { ScheduleForm } from "./schedule-form";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<WindowSearch> };

export const metadata = { title: "Latency" };

function formatDuration(s: number): string {
  if (s >= 3600) return `${(s / 3600).toFixed(s % 3600 === 0 ? 0 : 1)} h`;
  if (s >= 60) return `${(s / 60).toFixed(s % 60 === 0 ? 0 : 1)} min`;
  return `${Number(s.toFixed(1))} s`;
}

/** Host Latency tab: latest run (OSADL-style histogram), trend with SLO and drift markers, runs, schedule. */
export default async function HostLatencyPage({ params, searchParams }: Props) {
  const rawId = (await params).id;
  const { host } = await loadHostOverview(rawId, "/latency");
  const user = await requirePageUser("viewer", `/hosts/${host.id}/latency`);
  const sp = await searchParams;
  const w = windowFromSearch(sp, "24h");
  const caller = await serverCaller();
  const [latest, stats, trend, runs, schedule] = await Promise.all([
    caller.latency.getRun({ hostId: host.id }),
    caller.latency.getHostStats({ hostId: host.id, window: w.spec }),
    caller.latency.getTrend({ hostId: host.id, window: w.spec }),
    caller.latency.listRuns({ hostId: host.id, limit: 50 }),
    caller.latency.getSchedule({ hostId: host.id }),
  ]);
  const isOperator = roleAtLeast(user.role, "operator");
  const u = latest?.unit === "ns" ? "ns" : "µs";
  const latestTitle = latest
    ? `Latest run ${formatAbsoluteTime(latest.startedAt)} — worst case ${formatLatency(latest.stats.max, latest.unit)}, ${formatDuration(latest.durationS)} (${latest.stats.cycles.toLocaleString("en-US")} cycles${
        latest.stats.overflows > 0 ? `, ${latest.stats.overflows} ≥ ${latest.histogramSize} ${u}` : ""
      }), load: ${latest.load}`
    : "";
  const sloUs = trend.sloTargets.maxUs;
  const custom = w.custom && "from" in w.spec ? w.spec : null;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3 print:hidden">
        <WindowPicker
          basePath={`/hosts/${host.id}/latency`}
          current={w.custom ? "custom" : ("preset" in w.spec ? w.spec.preset : "24h")}
          from={custom ? custom.from.toISOString().slice(0, 16) : ""}
          to={custom ? custom.to.toISOString().slice(0, 16) : ""}
        />
        {isOperator && (
          <Link href={`/latency/upload?host=${host.id}`} className="text-sm font-medium text-sky-700 underline dark:text-sky-400">
            Upload cyclictest output
          </Link>
        )}
      </div>

      <Panel
        title={`Merged over ${stats.window.label}`}
        id="latency-window"
        actions={
          <span className="flex items-center gap-2 text-xs text-slate-500">
            SLO {stats.sloTargets.maxUs !== null ? `max ≤ ${stats.sloTargets.maxUs} µs` : ""}
            {stats.sloTargets.p99999Us !== null ? ` p99.999 ≤ ${stats.sloTargets.p99999Us} µs` : ""}
            <SloBadge status={stats.slo.status} reasons={stats.slo.reasons} />
          </span>
        }
      >
        <StatsFacts stats={stats.stats} />
        {stats.excludedRuns > 0 && <p className="mt-2 text-xs text-amber-700">{stats.excludedRuns} ns runs with a histogram under 1 µs are not included.</p>}
      </Panel>

      <Panel title="Latest run" id="latency-latest">
        {latest ? (
          <HistogramChart
            title={latestTitle}
            unit={u}
            series={latest.threads.map((t) => ({ name: t.cpu !== null ? `CPU ${t.cpu}` : `thread ${t.thread}`, points: t.histogram }))}
          />
        ) : (
          <p className="text-sm text-slate-500">No runs yet. {isOperator ? "Set a schedule below or upload a file." : ""}</p>
        )}
      </Panel>

      <Panel title={`Trend (${trend.resolution === "run" ? "per run" : `per ${trend.resolution}`})`} id="latency-trend">
        <TrendChart points={trend.points} markers={trend.markers} sloUs={sloUs} from={trend.window.from.getTime()} to={trend.window.to.getTime()} />
        {trend.markers.length > 0 && (
          <ul className="mt-2 space-y-0.5 text-xs text-violet-700 dark:text-violet-300" data-testid="drift-markers">
            {trend.markers.map((m) => (
              <li key={m.t}>
                {formatAbsoluteTime(new Date(m.t))}: {m.details.join("; ")}
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title="Runs" id="latency-runs">
        {runs.length === 0 ? (
          <p className="text-sm text-slate-500">No runs.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="runs-table">
              <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
                <tr>
                  {["Started (UTC)", "Duration", "CPUs", "Load", "Source", "p50", "p99", "p99.99", "p99.999", "Max", "Cycles"].map((h) => (
                    <th key={h} scope="col" className="px-2 py-1 font-medium">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 font-mono text-xs tabular-nums dark:divide-slate-800">
                {runs.map((r) => (
                  <tr key={r.id}>
                    <td className="px-2 py-1">{r.startedAt.toISOString().slice(0, 19).replace("T", " ")}</td>
                    <td className="px-2 py-1">{formatDuration(r.durationS)}</td>
                    <td className="px-2 py-1">{r.cpus.map((c) => c ?? "?").join(",")}</td>
                    <td className="px-2 py-1 font-sans">{r.load}</td>
                    <td className="px-2 py-1 font-sans">{r.source}</td>
                    {(["50", "99", "99.99", "99.999"] as const).map((q) => (
                      <td key={q} className="px-2 py-1">
                        {formatPercentile(r.stats, q)}
                      </td>
                    ))}
                    <td className="px-2 py-1">{formatLatency(r.stats.max, r.unit)}</td>
                    <td className="px-2 py-1">{r.stats.cycles.toLocaleString("en-US")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>

      {/* settings, not results: left off the printed page */}
      <div className="print:hidden">
        <Panel title="Measurement schedule" id="latency-schedule">
          {isOperator ? (
            <ScheduleForm
              hostId={host.id}
              initial={{
                enabled: schedule.enabled,
                cpus: schedule.cpus,
                durationS: schedule.durationS,
                intervalUs: schedule.intervalUs,
                priority: schedule.priority,
                histogramSize: schedule.histogramSize,
                everyMinutes: schedule.everyMinutes,
                load: schedule.load,
              }}
            />
          ) : (
            <p className="text-sm">
              {schedule.enabled
                ? `cyclictest on CPUs ${schedule.cpus} every ${schedule.everyMinutes} min for ${schedule.durationS} s (interval ${schedule.intervalUs} µs, priority ${schedule.priority}, ${schedule.histogramSize} buckets, load ${schedule.load}).`
                : "No scheduled measurement."}
            </p>
          )}
        </Panel>
      </div>
    </div>
  );
}
