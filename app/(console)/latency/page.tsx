import Link from "next/link";
import { Pager } from "@/app/_components/pager";
import { Panel } from "@/app/_components/panel";
import { StatsFacts } from "@/app/_components/latency/stat-cells";
import { windowFromSearch, type WindowSearch } from "@/app/_components/latency/window-param";
import { WindowPicker } from "@/app/_components/latency/window-picker";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";
import { FLEET_REPORT_PAGE_SIZE, FLEET_REPORT_SLO_FILTERS, FLEET_REPORT_SORTS } from "@/server/contract/api/latency";
import { REPORT_COLUMNS, type ReportSortKey } from "./report-columns";
import { ReportTable } from "./report-table";

export const metadata = { title: "Latency report" };

type Search = WindowSearch & { sort?: string; dir?: string; q?: string; slo?: string; page?: string; size?: string };

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Manager report: every host's merged statistics over a window, sorted, searched and paged in SQL; SLO pass/fail, CSV, print. */
export default async function LatencyReportPage({ searchParams }: { searchParams: Promise<Search> }) {
  const sp = await searchParams;
  const user = await requirePageUser("viewer", "/latency");
  const w = windowFromSearch(sp, "7d");
  const sortRaw = first(sp.sort);
  const sort = (FLEET_REPORT_SORTS as readonly string[]).includes(sortRaw ?? "") ? (sortRaw as ReportSortKey) : "p99.999";
  const dir = first(sp.dir) === "asc" ? "asc" : "desc";
  const q = (first(sp.q) ?? "").slice(0, 100);
  const sloRaw = first(sp.slo);
  const slo = (FLEET_REPORT_SLO_FILTERS as readonly string[]).includes(sloRaw ?? "") ? (sloRaw as (typeof FLEET_REPORT_SLO_FILTERS)[number]) : "all";
  const int = (v: string | undefined, d: number, max: number) => {
    const n = Number(v);
    return Number.isInteger(n) && n >= 1 && n <= max ? n : d;
  };
  const page = int(first(sp.page), 1, 1_000_000);
  const size = int(first(sp.size), FLEET_REPORT_PAGE_SIZE, 500);
  const report = await (await serverCaller()).latency.fleetReportPage({ window: w.spec, q, slo, sort, dir, page, pageSize: size });
  const windowParams = Object.fromEntries(new URLSearchParams(w.query));
  /** The URL's own parameters, defaults left out. */
  const href = (o: { sort?: ReportSortKey; dir?: string; page?: number }) => {
    const p = new URLSearchParams(windowParams);
    const s = o.sort ?? sort;
    const d = o.dir ?? dir;
    if (s !== "p99.999" || d !== "desc") {
      p.set("sort", s);
      p.set("dir", d);
    }
    if (q) p.set("q", q);
    if (slo !== "all") p.set("slo", slo);
    if (size !== FLEET_REPORT_PAGE_SIZE) p.set("size", String(size));
    if ((o.page ?? 1) > 1) p.set("page", String(o.page));
    return `/latency?${p.toString()}`;
  };
  const sortHrefs = Object.fromEntries(REPORT_COLUMNS.map((c) => [c.key, href({ sort: c.key, dir: sort === c.key && dir === "desc" ? "asc" : "desc", page: 1 })])) as Record<ReportSortKey, string>;
  const custom = w.custom && "from" in w.spec ? w.spec : null;
  const extra: Record<string, string> = { sort, dir, ...(q ? { q } : {}), ...(slo !== "all" ? { slo } : {}), ...(size !== FLEET_REPORT_PAGE_SIZE ? { size: String(size) } : {}) };
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Latency report</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="report-window">
            {report.window.label}: {report.window.from.toISOString().replace("T", " ").slice(0, 16)} – {report.window.to.toISOString().replace("T", " ").slice(0, 16)} UTC ·{" "}
            {report.asOf && <span data-testid="report-as-of">as of {report.asOf.toISOString().slice(11, 16)} UTC (whole hours; runs of the current hour count from the next) · </span>}
            {report.hostsWithData} of {report.hosts} hosts measured · {report.failing} failing their SLO
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
        extra={extra}
        from={custom ? custom.from.toISOString().slice(0, 16) : ""}
        to={custom ? custom.to.toISOString().slice(0, 16) : ""}
      />
      <Panel title="Whole fleet (all histograms merged)" id="latency-fleet">
        <StatsFacts stats={report.fleet} />
      </Panel>
      <form method="get" action="/latency" className="flex flex-wrap items-end gap-3 print:hidden" aria-label="Filter hosts">
        {Object.entries({ ...windowParams, ...(sort !== "p99.999" || dir !== "desc" ? { sort, dir } : {}), ...(size !== FLEET_REPORT_PAGE_SIZE ? { size: String(size) } : {}) }).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <label className="text-xs font-medium text-slate-700 dark:text-slate-300">
          Host
          <input name="q" type="search" defaultValue={q} maxLength={100} placeholder="hostname contains…" className={`mt-1 block ${inputClass}`} />
        </label>
        <label className="text-xs font-medium text-slate-700 dark:text-slate-300">
          SLO
          <select name="slo" defaultValue={slo} className={`mt-1 block ${inputClass}`}>
            <option value="all">any</option>
            <option value="fail">failing</option>
            <option value="pass">passing</option>
            <option value="no-data">no data</option>
          </select>
        </label>
        <button type="submit" className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-sky-500">
          Apply
        </button>
        {(q || slo !== "all") && (
          <Link href={`/latency?${w.query}`} className="py-1.5 text-sm text-slate-600 underline dark:text-slate-400">
            Clear
          </Link>
        )}
        <span className="py-1.5 text-sm tabular-nums text-slate-500 dark:text-slate-400" data-testid="report-matching">
          {report.matching === report.hosts ? `${report.matching} hosts` : `${report.matching} of ${report.hosts} hosts`}
        </span>
      </form>
      <form method="get" action="/latency/compare" className="space-y-2">
        {Object.entries(windowParams).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        {report.rows.length === 0 ? (
          <p className="rounded-lg border border-slate-200 bg-white px-3 py-6 text-center text-sm text-slate-500 dark:border-slate-800 dark:bg-slate-900" data-testid="latency-report-table">
            No host matches.
          </p>
        ) : (
          <ReportTable rows={report.rows} windowQuery={w.query} sort={sort} dir={dir} sortHrefs={sortHrefs} resetKey={href({ page: report.page })} />
        )}
        <div className="flex flex-wrap items-center gap-3 print:hidden">
          <button type="submit" className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-500" data-testid="compare-button">
            Compare selected (2–4)
          </button>
          <span className="text-xs text-slate-500">Percentiles come from merged histograms; “&gt; N” lies in the overflow tail beyond the histogram.</span>
          <Pager label="Report pages" testId="report-range" className="ml-auto" page={report.page} pageSize={report.pageSize} matching={report.matching} rowCount={report.rows.length} href={(page) => href({ page })} />
        </div>
      </form>
    </div>
  );
}

const inputClass = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
