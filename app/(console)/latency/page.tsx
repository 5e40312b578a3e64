import Link from "next/link";
import { Panel } from "@/app/_components/panel";
import { StatsFacts, SloBadge } from "@/app/_components/latency/stat-cells";
import { windowFromSearch, type WindowSearch } from "@/app/_components/latency/window-param";
import { WindowPicker } from "@/app/_components/latency/window-picker";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";
import { formatLatency, formatPercentile, type LatencyStats } from "@/server/domain/latency/stats";

export const metadata = { title: "Latency report" };

type Search = WindowSearch & { sort?: string; dir?: string };

const COLUMNS = [
  { key: "host", label: "Host" },
  { key: "p50", label: "p50", q: "50" },
  { key: "p99", label: "p99", q: "99" },
  { key: "p99.9", label: "p99.9", q: "99.9" },
  { key: "p99.99", label: "p99.99", q: "99.99" },
  { key: "p99.999", label: "p99.999", q: "99.999" },
  { key: "min", label: "min" },
  { key: "max", label: "max" },
  { key: "mean", label: "mean" },
  { key: "cycles", label: "cycles" },
  { key: "slo", label: "SLO" },
] as const;
type SortKey = (typeof COLUMNS)[number]["key"];

function sortValue(row: { hostname: string; stats: LatencyStats; slo: { status: string } }, key: SortKey): number | string {
  const s = row.stats;
  switch (key) {
    case "host":
      return row.hostname;
    case "min":
      return s.min ?? -1;
    case "max":
      return s.max ?? -1;
    case "mean":
      return s.mean ?? -1;
    case "cycles":
      return s.cycles;
    case "slo":
      return { fail: 0, pass: 1, "no-target": 2, "no-data": 3 }[row.slo.status] ?? 4;
    default: {
      // a lower bound "> N" sorts just above N
      const q = key.slice(1);
      const v = s.percentiles[q];
      return v === null || v === undefined ? -1 : v + (s.lowerBounds.includes(q) ? 0.5 : 0);
    }
  }
}

/** Manager report: every host's merged statistics over a window, sortable, SLO pass/fail, CSV, print. */
export default async function LatencyReportPage({ searchParams }: { searchParams: Promise<Search> }) {
  const sp = await searchParams;
  const user = await requirePageUser("viewer", "/latency");
  const w = windowFromSearch(sp, "7d");
  const sort = (COLUMNS.some((c) => c.key === sp.sort) ? sp.sort : "p99.999") as SortKey;
  const dir = sp.dir === "asc" ? "asc" : "desc";
  const report = await (await serverCaller()).latency.getFleetReport({ window: w.spec });
  const rows = [...report.rows].sort((a, b) => {
    const x = sortValue(a, sort);
    const y = sortValue(b, sort);
    const c = typeof x === "string" && typeof y === "string" ? x.localeCompare(y) : Number(x) - Number(y);
    return (dir === "asc" ? c : -c) || a.hostname.localeCompare(b.hostname);
  });
  const windowParams = Object.fromEntries(new URLSearchParams(w.query));
  const sortHref = (key: SortKey) => `/latency?${new URLSearchParams({ ...windowParams, sort: key, dir: sort === key && dir === "desc" ? "asc" : "desc" }).toString()}`;
  const failing = report.rows.filter((r) => r.slo.status === "fail").length;
  const custom = w.custom && "from" in w.spec ? w.spec : null;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Latency report</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="report-window">
            {report.window.label}: {report.window.from.toISOString().replace("T", " ").slice(0, 16)} – {report.window.to.toISOString().replace("T", " ").slice(0, 16)} UTC ·{" "}
            {report.hostsWithData} of {report.rows.length} hosts measured · {failing} failing their SLO
          </p>
        </div>
        <div className="flex gap-3 text-sm font-medium print:hidden">
          <a href={`/api/latency/report.csv?${w.query}`} download className="text-sky-700 underline dark:text-sky-400" data-testid="csv-link">
            Download CSV
          </a>
          {roleAtLeast(user.role, "operator") && (
            <Link href="/latency/upload" className="text-sky-700 underline dark:text-sky-400">
              Upload cyclictest output
            </Link>
          )}
        </div>
      </div>
      <WindowPicker
        basePath="/latency"
        current={w.custom ? "custom" : "preset" in w.spec ? w.spec.preset : "7d"}
        extra={{ sort, dir }}
        from={custom ? custom.from.toISOString().slice(0, 16) : ""}
        to={custom ? custom.to.toISOString().slice(0, 16) : ""}
      />
      <Panel title="Whole fleet (all histograms merged)" id="latency-fleet">
        <StatsFacts stats={report.fleet} />
      </Panel>
      <form method="get" action="/latency/compare" className="space-y-2">
        {Object.entries(windowParams).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm print:overflow-visible print:border-0 print:shadow-none dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full text-sm print:text-[10px]" data-testid="latency-report-table">
            <thead className="border-b border-slate-200 text-left text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
              <tr>
                <th scope="col" className="w-8 px-2 py-2 print:hidden">
                  <span className="sr-only">Compare</span>
                </th>
                {COLUMNS.map((c) => (
                  <th key={c.key} scope="col" className="px-2 py-2 font-medium" aria-sort={sort === c.key ? (dir === "asc" ? "ascending" : "descending") : undefined}>
                    <Link href={sortHref(c.key)} className="hover:underline print:no-underline">
                      {c.label}
                      {sort === c.key ? (dir === "asc" ? " ▲" : " ▼") : ""}
                    </Link>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 font-mono text-xs tabular-nums dark:divide-slate-800 print:divide-slate-300">
              {rows.map((r) => (
                <tr key={r.hostId} data-testid="report-row" data-host={r.hostname} className="break-inside-avoid">
                  <td className="px-2 py-1 print:hidden">
                    <input type="checkbox" name="hosts" value={r.hostId} aria-label={`compare ${r.hostname}`} />
                  </td>
                  <td className="px-2 py-1 font-sans">
                    <Link href={`/hosts/${r.hostId}/latency?${w.query}`} className="font-medium text-sky-700 hover:underline print:text-inherit dark:text-sky-400">
                      {r.hostname}
                    </Link>
                  </td>
                  {(["50", "99", "99.9", "99.99", "99.999"] as const).map((q) => (
                    <td key={q} className="px-2 py-1">
                      {formatPercentile(r.stats, q)}
                    </td>
                  ))}
                  <td className="px-2 py-1">{formatLatency(r.stats.min, r.stats.unit)}</td>
                  <td className="px-2 py-1">{formatLatency(r.stats.max, r.stats.unit)}</td>
                  <td className="px-2 py-1">{formatLatency(r.stats.mean === null ? null : Number(r.stats.mean.toFixed(2)), r.stats.unit)}</td>
                  <td className="px-2 py-1">{r.stats.cycles.toLocaleString("en-US")}</td>
                  <td className="px-2 py-1">
                    <SloBadge status={r.slo.status} reasons={r.slo.reasons} />
                    <span className="hidden print:inline"> {r.slo.reasons.join("; ")}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="flex items-center gap-3 print:hidden">
          <button type="submit" className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-500" data-testid="compare-button">
            Compare selected (2–4)
          </button>
          <span className="text-xs text-slate-500">Percentiles come from merged histograms; “&gt; N” lies in the overflow tail beyond the histogram.</span>
        </div>
      </form>
    </div>
  );
}
