import Link from "next/link";
import { Facts, Mono, Panel } from "@/app/_components/panel";
import { formatAbsoluteTime } from "@/app/_components/format";
import { CatGridView } from "@/app/_components/qos/cat-grid";
import { NoisyNeighbourTable } from "@/app/_components/qos/noisy-neighbours";
import { vnfsByClass } from "@/server/domain/qos/vnf-group";
import { QosChart, type QosLineView } from "@/app/_components/qos/qos-chart";
import { serverCaller } from "@/app/_trpc/server";
import { catGrid } from "@/server/domain/qos/cat-grid";
import { QOS_WINDOWS, compareGroups, domainIdOf, seriesLabel, type QosPoint, type QosWindow } from "@/server/domain/qos/qos-series";
import { loadHostOverview } from "../load-host";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ window?: string | string[] }> };

export const metadata = { title: "Cache QoS" };

const MIB = 1024 * 1024;
const WINDOW_LABEL: Record<QosWindow, string> = { "24h": "24 h", "7d": "7 d" };

function windowOf(raw: string | string[] | undefined): QosWindow {
  return (QOS_WINDOWS as readonly string[]).includes(String(raw)) ? (raw as QosWindow) : "24h";
}

type SeriesView = { group: string; domain: string; points: QosPoint[] };

/** Chart lines for one metric: colour per monitoring group, dashed for domains after the first. */
function linesOf(series: readonly SeriesView[], pick: (p: QosPoint) => number | null, scale: number, colorIndex: (group: string) => number): QosLineView[] {
  return series.map((s) => ({
    name: seriesLabel(s.group, s.domain),
    colorIndex: colorIndex(s.group),
    dashed: (domainIdOf(s.domain) ?? 0) > 0,
    points: s.points.map((p) => {
      const v = pick(p);
      return { t: p.t, v: v === null ? null : v / scale };
    }),
  }));
}

/** Host Cache QoS tab: Intel RDT CAT allocation (resctrl schemata) and CMT occupancy / MBM bandwidth over time. */
export default async function HostQosPage({ params, searchParams }: Props) {
  // loadHostOverview signs the viewer in first (and 404s an unknown id)
  const { host } = await loadHostOverview((await params).id, "/qos");
  const window = windowOf((await searchParams).window);
  const caller = await serverCaller();
  const qos = await caller.qos.getHostQos({ hostId: host.id, window });
  const from = qos.window.from.getTime();
  const to = qos.window.to.getTime();

  if (qos.resctrl.status === "not-available") {
    return (
      <Panel title="Cache QoS (Intel RDT)" id="qos-unavailable">
        <div role="status" className="space-y-2 text-sm" data-testid="qos-not-available">
          <p className="font-medium">Cache QoS is not available on this host.</p>
          <p className="text-slate-600 dark:text-slate-300">{qos.resctrl.reason}</p>
          {qos.resctrl.collectedAt && <p className="text-xs text-slate-500 dark:text-slate-400">Last resctrl reading {formatAbsoluteTime(qos.resctrl.collectedAt)}.</p>}
        </div>
      </Panel>
    );
  }

  const section = qos.resctrl.section;
  const grid = catGrid(section);
  const vnfsOfClass = vnfsByClass(section.vnfGroups);
  const vnfProblems = (section.vnfGroups ?? []).filter((g) => g.status !== "monitored");
  // one colour per group path across the grid and the charts (control groups are monitored too)
  const palette = [...new Set([...grid.groups.map((g) => g.group), ...section.monGroups.map((m) => m.path), ...qos.series.map((s) => s.group)])].sort(compareGroups);
  const colorIndex = (group: string) => Math.max(0, palette.indexOf(group));
  // markers stay readable: at most 100 (the count beside the title is exact)
  const resetTimes = [...new Set(qos.series.flatMap((s) => s.resetTimes))].sort((a, b) => a - b).slice(0, 100);
  const info = section.info;
  const monGroupsByCtrl = new Map<string, number>();
  for (const m of section.monGroups) if (m.path !== m.controlGroup) monGroupsByCtrl.set(m.controlGroup, (monGroupsByCtrl.get(m.controlGroup) ?? 0) + 1);
  const unreadable = section.monGroups.flatMap((m) =>
    m.domains.flatMap((d) =>
      (["llcOccupancy", "mbmTotalBytes", "mbmLocalBytes"] as const).filter((k) => d[k] !== "ok").map((k) => `${m.path} ${d.domain} ${k}: ${d[k]}`),
    ),
  );

  return (
    <div className="space-y-4">
      <nav aria-label="Window" className="flex gap-1 print:hidden" data-testid="qos-window">
        {QOS_WINDOWS.map((w) => (
          <Link
            key={w}
            href={`/hosts/${host.id}/qos?window=${w}`}
            aria-current={window === w ? "page" : undefined}
            className="rounded-md border border-slate-300 px-2.5 py-1 text-sm font-medium hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 aria-[current=page]:border-sky-600 aria-[current=page]:bg-sky-600 aria-[current=page]:text-white dark:border-slate-700 dark:hover:bg-slate-800"
          >
            {WINDOW_LABEL[w]}
          </Link>
        ))}
      </nav>

      <Panel
        title="Cache allocation (CAT)"
        id="qos-cat"
        actions={qos.resctrl.collectedAt ? <span className="text-xs text-slate-500 dark:text-slate-400">read {formatAbsoluteTime(qos.resctrl.collectedAt)}</span> : undefined}
      >
        <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
          <CatGridView grid={grid} colorIndex={colorIndex} vnfsOf={(group) => vnfsOfClass.get(group) ?? []} />
          <Facts
            className="content-start self-start"
            items={[
              ["Classes of service", grid.numClosids ?? "—"],
              ["Cache ways", grid.ways || "—"],
              ["Min. ways per mask", grid.minCbmBits ?? "—"],
              ["CDP", grid.cdp ? "on (separate code/data masks)" : "off"],
              ["RMIDs", info?.l3Mon?.numRmids ?? "—"],
              ["Monitoring", info?.l3Mon?.monFeatures.length ? info.l3Mon.monFeatures.join(", ") : "none"],
              ["MBA", info?.mb ? `${grid.mbUnit === "MBps" ? "MBps (mba_MBps)" : `% of bandwidth, step ${info.mb.bandwidthGran ?? "?"} %`}` : "not supported"],
            ]}
          />
        </div>
      </Panel>

      <Panel title={`Noisy neighbours — ${qos.window.label}`} id="qos-noisy">
        <NoisyNeighbourTable variant="host" events={qos.noisyNeighbours} />
        {vnfProblems.length > 0 && (
          <ul className="mt-3 list-disc pl-5 text-xs text-amber-700 dark:text-amber-400" data-testid="qos-vnf-problems">
            {vnfProblems.map((g) => (
              <li key={g.vnf}>
                VNF {g.vnf}: not monitored ({g.status}){g.message ? ` — ${g.message}` : ""}
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title="Control groups" id="qos-groups">
        <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Control groups">
          <table className="w-full text-sm" data-testid="qos-groups-table">
            <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
              <tr>
                <th scope="col" className="px-2 py-1 font-medium">Group (COS)</th>
                <th scope="col" className="px-2 py-1 font-medium">Mode</th>
                <th scope="col" className="px-2 py-1 font-medium">CPUs</th>
                <th scope="col" className="px-2 py-1 font-medium">Tasks</th>
                <th scope="col" className="px-2 py-1 font-medium">Mon. groups</th>
                <th scope="col" className="px-2 py-1 font-medium">Memory bandwidth ({grid.mbUnit}) per domain</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {grid.groups.map((g) => {
                const mb = grid.mb.find((r) => r.group === g.group);
                return (
                  <tr key={g.group}>
                    <th scope="row" className="px-2 py-1 text-left font-mono text-xs font-normal">{g.group === "/" ? "/ (default)" : g.group}</th>
                    <td className="px-2 py-1">{g.mode ?? "—"}</td>
                    <td className="px-2 py-1"><Mono>{g.cpusList || "—"}</Mono></td>
                    <td className="px-2 py-1 tabular-nums">{g.taskCount ?? "—"}</td>
                    <td className="px-2 py-1 tabular-nums">{monGroupsByCtrl.get(g.group) ?? 0}</td>
                    <td className="px-2 py-1">
                      {mb ? (
                        <span className="flex flex-wrap gap-3">
                          {mb.values.map((v) => (
                            <span key={v.domain} className="inline-flex items-center gap-1.5 text-xs" title={`domain ${v.domain}: ${v.value}${grid.mbUnit === "%" ? " %" : " MBps"}`}>
                              <span className="text-slate-500 dark:text-slate-400">#{v.domain}</span>
                              {grid.mbUnit === "%" && (
                                <span className="inline-block h-2 w-16 overflow-hidden rounded bg-slate-200 dark:bg-slate-700" aria-hidden="true">
                                  <span className="block h-full bg-sky-600 dark:bg-sky-400" style={{ width: `${Math.min(100, Math.max(0, Number(v.value) || 0))}%` }} />
                                </span>
                              )}
                              <span className="font-mono tabular-nums">
                                {v.value}
                                {grid.mbUnit === "%" ? " %" : " MBps"}
                              </span>
                            </span>
                          ))}
                        </span>
                      ) : (
                        "—"
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Panel>

      <Panel
        title={`Monitoring (CMT / MBM) — ${qos.window.label}`}
        id="qos-monitoring"
        actions={
          <span className="text-xs text-slate-500 dark:text-slate-400" data-testid="qos-resets">
            {qos.readings.toLocaleString("en-US")} readings · {qos.resets} counter {qos.resets === 1 ? "reset" : "resets"}
          </span>
        }
      >
        {qos.series.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">No CMT/MBM readings in this window.</p>
        ) : (
          <div className="space-y-6">
            <QosChart testId="qos-occupancy-chart" title="LLC occupancy" unit="MiB" from={from} to={to} lines={linesOf(qos.series, (p) => p.occupancyBytes, MIB, colorIndex)} />
            <div className="grid gap-6 xl:grid-cols-2">
              <QosChart testId="qos-mbm-total-chart" title="MBM total bandwidth" unit="GB/s" from={from} to={to} lines={linesOf(qos.series, (p) => p.mbmTotalBps, 1e9, colorIndex)} resets={resetTimes} />
              <QosChart testId="qos-mbm-local-chart" title="MBM local bandwidth" unit="GB/s" from={from} to={to} lines={linesOf(qos.series, (p) => p.mbmLocalBps, 1e9, colorIndex)} resets={resetTimes} />
            </div>
            <p className="text-xs text-slate-500 dark:text-slate-400">
              Bandwidth is Δbytes/Δt of the cumulative MBM counters; an interval where a counter went down (group re-created, RMID recycled) is a reset and shown as a gap, never as negative bandwidth. Dashed lines: second L3 domain.
              {qos.series.some((s) => s.resets.total + s.resets.local > 0) &&
                ` Resets: ${qos.series
                  .filter((s) => s.resets.total + s.resets.local > 0)
                  .map((s) => `${seriesLabel(s.group, s.domain)}: ${s.resets.total} of mbm_total, ${s.resets.local} of mbm_local`)
                  .join("; ")}.`}
            </p>
          </div>
        )}
        {unreadable.length > 0 && (
          <details className="mt-3 text-xs text-amber-700 dark:text-amber-400">
            <summary className="cursor-pointer">
              {unreadable.length} {unreadable.length === 1 ? "counter" : "counters"} not readable in the latest reading
            </summary>
            <ul className="mt-1 list-disc pl-5 font-mono">
              {unreadable.slice(0, 50).map((u) => (
                <li key={u}>{u}</li>
              ))}
            </ul>
          </details>
        )}
      </Panel>
    </div>
  );
}
