import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { Facts, Panel } from "@/app/_components/panel";
import { NoisyNeighbourTable } from "@/app/_components/qos/noisy-neighbours";
import { QosChart, type QosLineView } from "@/app/_components/qos/qos-chart";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";
import type { VnfQos } from "@/server/contract/api/vnf-qos";
import { QOS_WINDOWS, domainIdOf, type QosPoint, type QosWindow } from "@/server/domain/qos/qos-series";
import { MaskWays } from "./mask-ways";
import { MaskProposal } from "./mask-proposal";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ window?: string | string[] }> };

export const metadata = { title: "VNF" };
export const dynamic = "force-dynamic";

const MIB = 1024 * 1024;
const WINDOW_LABEL: Record<QosWindow, string> = { "24h": "24 h", "7d": "7 d" };

function windowOf(raw: string | string[] | undefined): QosWindow {
  return (QOS_WINDOWS as readonly string[]).includes(String(raw)) ? (raw as QosWindow) : "24h";
}

/** One line per L3 domain of the VNF's group (colour per domain). */
function linesOf(series: VnfQos["series"], pick: (p: QosPoint) => number | null, scale: number): QosLineView[] {
  return series.map((s) => ({
    name: `L3 #${domainIdOf(s.domain) ?? s.domain}`,
    colorIndex: domainIdOf(s.domain) ?? 0,
    dashed: false,
    points: s.points.map((p) => {
      const v = pick(p);
      return { t: p.t, v: v === null ? null : v / scale };
    }),
  }));
}

/** A VNF: its cache occupancy and memory bandwidth per L3 domain, its class's CAT mask, its noisy-neighbour events; operators propose a mask. */
export default async function VnfPage({ params, searchParams }: Props) {
  const rawId = (await params).id;
  const me = await requirePageUser("viewer", `/vnfs/${encodeURIComponent(rawId)}`);
  const id = z.string().uuid().safeParse(rawId);
  if (!id.success) notFound();
  const window = windowOf((await searchParams).window);
  const caller = await serverCaller();
  let q: VnfQos;
  try {
    q = await caller.qos.getVnfQos({ vnfId: id.data, window });
  } catch (e) {
    if (e instanceof TRPCError && e.code === "NOT_FOUND") notFound();
    throw e;
  }
  const from = q.window.from.getTime();
  const to = q.window.to.getTime();
  const canPropose = roleAtLeast(me.role, "operator");
  const section = q.resctrl.status === "available" ? q.resctrl.section : null;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <div>
          <p className="text-sm">
            <Link href="/vnfs" className="text-sky-700 underline dark:text-sky-400">
              VNFs
            </Link>{" "}
            /
          </p>
          <h1 className="text-xl font-semibold tracking-tight" data-testid="vnf-title">
            VNF {q.vnf.name}
          </h1>
          <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="vnf-host">
            {q.host ? (
              <>
                Monitored on{" "}
                <Link href={`/hosts/${q.host.id}/qos`} className="font-medium text-sky-700 underline dark:text-sky-400">
                  {q.host.hostname}
                </Link>
                {q.group ? (
                  <>
                    {" "}
                    in resctrl group <code className="font-mono text-xs">{q.group.path ?? "—"}</code> ({q.group.status}
                    {q.group.taskCount !== null ? `, ${q.group.taskCount} tasks` : ""})
                  </>
                ) : (
                  " — the agent lists no monitoring group for it"
                )}
              </>
            ) : (
              "Not placed on a host."
            )}
          </p>
        </div>
        <nav aria-label="Window" className="flex gap-1" data-testid="vnf-window">
          {QOS_WINDOWS.map((w) => (
            <Link
              key={w}
              href={`/vnfs/${q.vnf.id}?window=${w}`}
              aria-current={window === w ? "page" : undefined}
              className="rounded-md border border-slate-300 px-2.5 py-1 text-sm font-medium hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 aria-[current=page]:border-sky-600 aria-[current=page]:bg-sky-600 aria-[current=page]:text-white dark:border-slate-700 dark:hover:bg-slate-800"
            >
              {WINDOW_LABEL[w]}
            </Link>
          ))}
        </nav>
      </div>

      {q.resctrl.status === "not-available" ? (
        <Panel title="Cache QoS (Intel RDT)" id="vnf-qos-unavailable">
          <p role="status" className="text-sm" data-testid="vnf-qos-not-available">
            {q.resctrl.reason}
          </p>
        </Panel>
      ) : (
        <>
          {q.group && q.group.status !== "monitored" && (
            <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-800 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200" data-testid="vnf-group-problem">
              The agent could not monitor this VNF ({q.group.status}){q.group.message ? `: ${q.group.message}` : ""}.
            </p>
          )}
          <Panel
            title={`Cache occupancy and memory bandwidth — ${q.window.label}`}
            id="vnf-qos-monitoring"
            actions={<span className="text-xs text-slate-500 dark:text-slate-400">{q.series.reduce((n, s) => n + s.readings, 0).toLocaleString("en-US")} readings · {q.latencyRuns} cyclictest runs on the host</span>}
          >
            {q.series.length === 0 ? (
              <p className="text-sm text-slate-500 dark:text-slate-400">No CMT/MBM readings of this VNF in this window.</p>
            ) : (
              <div className="grid gap-6 xl:grid-cols-2">
                <QosChart testId="vnf-occupancy-chart" title="LLC occupancy" unit="MiB" from={from} to={to} lines={linesOf(q.series, (p) => p.occupancyBytes, MIB)} height={240} />
                <QosChart
                  testId="vnf-mbm-chart"
                  title="MBM total bandwidth"
                  unit="GB/s"
                  from={from}
                  to={to}
                  lines={linesOf(q.series, (p) => p.mbmTotalBps, 1e9)}
                  resets={[...new Set(q.series.flatMap((s) => s.resetTimes))].sort((a, b) => a - b).slice(0, 100)}
                  height={240}
                />
              </div>
            )}
          </Panel>

          <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
            <Panel title="Class of service (CAT)" id="vnf-class">
              {q.classMask ? (
                <div className="space-y-3">
                  <Facts
                    items={[
                      ["Class", q.classMask.vnfClass === "/" ? "/ (default class, shared with every task)" : q.classMask.vnfClass],
                      ["Mode", q.classMask.mode ?? "—"],
                      ["Cache ways", q.classMask.ways || "—"],
                      ["cbm_mask / min_cbm_bits", `${q.classMask.cbmMask ?? "—"} / ${q.classMask.minCbmBits ?? "—"}`],
                      ["Ways asked for (VNF)", q.vnf.cacheWays ?? "none"],
                    ]}
                  />
                  <MaskWays rows={q.classMask.rows} ways={q.classMask.ways} shareableBits={q.classMask.shareableBits} testId="vnf-class-mask" />
                </div>
              ) : (
                <p className="text-sm text-slate-500 dark:text-slate-400">No class of service known for this VNF (the agent lists no group for it).</p>
              )}
            </Panel>

            <Panel title="Propose a cache mask" id="vnf-mask-proposal">
              {!canPropose ? (
                <p className="text-sm text-slate-500 dark:text-slate-400">Operators and admins propose masks for a VNF&apos;s class.</p>
              ) : section && q.classMask && q.host && q.classMask.vnfClass !== "/" ? (
                <MaskProposal vnfId={q.vnf.id} vnfClass={q.classMask.vnfClass} hostname={q.host.hostname} section={section} initialMask={q.classMask.rows[0]?.mask ?? ""} ways={q.classMask.ways} />
              ) : (
                <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="vnf-mask-unavailable">
                  {q.classMask?.vnfClass === "/"
                    ? "This VNF runs in the default class: a mask there would change every task's cache. Give it a class of its own first (tune.cat configures an existing control group)."
                    : "No class of service to propose a mask for."}
                </p>
              )}
            </Panel>
          </div>

          <Panel title={`Noisy-neighbour events — ${q.window.label}`} id="vnf-noisy">
            <NoisyNeighbourTable variant="vnf" events={q.noisyNeighbours} />
            <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
              Flagged when a group&apos;s bandwidth or occupancy at least doubles within a minute while a neighbour on the same L3 domain loses ≥ 30 % of its occupancy, or while the host&apos;s cyclictest max latency worsens by ≥ 1.5× (last run within 1 h before against the worst within 10 min after).
            </p>
          </Panel>
        </>
      )}
    </div>
  );
}
