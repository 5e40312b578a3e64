import Link from "next/link";
import { TRPCError } from "@trpc/server";
import { Panel } from "@/app/_components/panel";
import { CompareTrends } from "@/app/_components/latency/compare-trends";
import { HistogramChart } from "@/app/_components/latency/histogram-chart";
import { StatsFacts, SloBadge } from "@/app/_components/latency/stat-cells";
import { windowFromSearch, type WindowSearch } from "@/app/_components/latency/window-param";
import { WindowPicker } from "@/app/_components/latency/window-picker";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";

export const metadata = { title: "Compare latency" };

type Search = WindowSearch & { hosts?: string | string[] };

/** 2–4 hosts' merged histograms overlaid, and their trends. */
export default async function LatencyComparePage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePageUser("viewer", "/latency/compare");
  const sp = await searchParams;
  const w = windowFromSearch(sp, "7d");
  const hostIds = (Array.isArray(sp.hosts) ? sp.hosts : sp.hosts ? sp.hosts.split(",") : []).filter((h) => /^[0-9a-f-]{36}$/i.test(h));
  const back = `/latency?${w.query}`;
  let data;
  let error: string | null = null;
  try {
    data = await (await serverCaller()).latency.compareHosts({ hostIds: hostIds.slice(0, 4), window: w.spec });
  } catch (e) {
    if (!(e instanceof TRPCError) || (e.code !== "BAD_REQUEST" && e.code !== "NOT_FOUND")) throw e;
    error = hostIds.length < 2 || hostIds.length > 4 ? "Select 2 to 4 hosts in the report to compare." : e.message;
  }
  const custom = w.custom && "from" in w.spec ? w.spec : null;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold tracking-tight">Compare latency</h1>
        <Link href={back} className="text-sm font-medium text-sky-700 underline print:hidden dark:text-sky-400">
          Back to the report
        </Link>
      </div>
      {error || !data ? (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-400">
          {error}
        </p>
      ) : (
        <>
          <WindowPicker
            basePath="/latency/compare"
            current={w.custom ? "custom" : "preset" in w.spec ? w.spec.preset : "7d"}
            extra={{ hosts: hostIds.join(",") }}
            from={custom ? custom.from.toISOString().slice(0, 16) : ""}
            to={custom ? custom.to.toISOString().slice(0, 16) : ""}
          />
          <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="compare-window">
            {data.window.label}: {data.window.from.toISOString().replace("T", " ").slice(0, 16)} – {data.window.to.toISOString().replace("T", " ").slice(0, 16)} UTC
          </p>
          <Panel title="Merged histograms" id="compare-histograms">
            <HistogramChart
              title={data.hosts.map((h) => `${h.hostname}: worst ${h.stats.max ?? "—"} µs`).join(" · ")}
              series={data.hosts.map((h) => ({ name: h.hostname, points: h.histogram }))}
            />
          </Panel>
          <Panel title={`Trends (per ${data.resolution})`} id="compare-trends">
            <CompareTrends hosts={data.hosts.map((h) => ({ name: h.hostname, points: h.trend }))} sloUs={20} from={data.window.from.getTime()} to={data.window.to.getTime()} />
          </Panel>
          <div className="grid gap-4 lg:grid-cols-2">
            {data.hosts.map((h) => (
              <Panel key={h.hostId} title={h.hostname} id={`compare-host-${h.hostId}`} actions={<SloBadge status={h.slo.status} reasons={h.slo.reasons} />}>
                <StatsFacts stats={h.stats} />
              </Panel>
            ))}
          </div>
        </>
      )}
    </div>
  );
}
