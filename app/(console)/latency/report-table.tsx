"use client";

import Link from "next/link";
import { useState } from "react";
import { SloBadge } from "@/app/_components/latency/stat-cells";
import { WindowedTable } from "@/app/_components/windowed-table";
import type { FleetReportRow } from "@/server/domain/latency/csv";
import { formatLatency, formatPercentile } from "@/server/domain/latency/stats";
import { REPORT_COLUMNS, type ReportSortKey } from "./report-columns";

const ROW_HEIGHT = 32;
const rowLine = "[&>*]:shadow-[inset_0_-1px_0_rgb(241_245_249)] dark:[&>*]:shadow-[inset_0_-1px_0_rgb(30_41_59)]";

/**
 * One server page of the report, windowed. The compare checkboxes keep their state here: a checked
 * row scrolled out of the DOM is still submitted (a hidden input stands in for it).
 */
export function ReportTable({
  rows,
  windowQuery,
  sort,
  dir,
  sortHrefs,
  resetKey,
}: {
  rows: FleetReportRow[];
  windowQuery: string;
  sort: ReportSortKey;
  dir: "asc" | "desc";
  sortHrefs: Record<ReportSortKey, string>;
  resetKey: string;
}) {
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [shown, setShown] = useState<{ start: number; end: number }>({ start: 0, end: rows.length });
  const shownIds = new Set(rows.slice(shown.start, shown.end).map((r) => r.hostId));
  return (
    <>
      {[...checked]
        .filter((id) => !shownIds.has(id))
        .map((id) => (
          <input key={id} type="hidden" name="hosts" value={id} />
        ))}
      <WindowedTable
        label="Latency per host"
        testId="latency-report-table"
        rowCount={rows.length}
        rowHeight={ROW_HEIGHT}
        resetKey={resetKey}
        onWindow={setShown}
        className="rounded-lg border border-slate-200 bg-white shadow-sm print:border-0 print:shadow-none dark:border-slate-800 dark:bg-slate-900"
        tableClassName="min-w-[1000px] text-sm print:text-[10px]"
        colgroup={
          <colgroup>
            <col className="w-8 print:hidden" />
            <col className="w-[14rem]" />
            {REPORT_COLUMNS.slice(1, -1).map((c) => (
              <col key={c.key} />
            ))}
            <col className="w-[6rem]" />
          </colgroup>
        }
        head={
          <tr className="border-b border-slate-200 bg-white text-left text-xs text-slate-500 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400">
            <th scope="col" className="px-2 py-2 print:hidden">
              <span className="sr-only">Compare</span>
            </th>
            {REPORT_COLUMNS.map((c) => (
              <th key={c.key} scope="col" className="px-2 py-2 font-medium" aria-sort={sort === c.key ? (dir === "asc" ? "ascending" : "descending") : undefined}>
                <Link href={sortHrefs[c.key]} className="hover:underline print:no-underline">
                  {c.label}
                  {sort === c.key ? (dir === "asc" ? " ▲" : " ▼") : ""}
                </Link>
              </th>
            ))}
          </tr>
        }
        renderRow={(i, rowProps) => {
          const r = rows[i]!;
          return (
            <tr key={r.hostId} {...rowProps} data-testid="report-row" data-host={r.hostname} className={`whitespace-nowrap font-mono text-xs tabular-nums outline-none focus-visible:bg-sky-50 dark:focus-visible:bg-sky-500/10 ${rowLine}`}>
              <td className="px-2 py-0 print:hidden">
                <input
                  type="checkbox"
                  name="hosts"
                  value={r.hostId}
                  aria-label={`compare ${r.hostname}`}
                  checked={checked.has(r.hostId)}
                  onChange={(e) => {
                    const next = new Set(checked);
                    if (e.target.checked) next.add(r.hostId);
                    else next.delete(r.hostId);
                    setChecked(next);
                  }}
                />
              </td>
              <td className="truncate px-2 py-0 font-sans">
                <Link href={`/hosts/${r.hostId}/latency?${windowQuery}`} title={r.hostname} className="font-medium text-sky-700 hover:underline print:text-inherit dark:text-sky-400">
                  {r.hostname}
                </Link>
              </td>
              {(["50", "99", "99.9", "99.99", "99.999"] as const).map((q) => (
                <td key={q} className="truncate px-2 py-0">
                  {formatPercentile(r.stats, q)}
                </td>
              ))}
              <td className="truncate px-2 py-0">{formatLatency(r.stats.min, r.stats.unit)}</td>
              <td className="truncate px-2 py-0">{formatLatency(r.stats.max, r.stats.unit)}</td>
              <td className="truncate px-2 py-0">{formatLatency(r.stats.mean === null ? null : Number(r.stats.mean.toFixed(2)), r.stats.unit)}</td>
              <td className="truncate px-2 py-0">{r.stats.cycles.toLocaleString("en-US")}</td>
              <td className="truncate px-2 py-0">
                <SloBadge status={r.slo.status} reasons={r.slo.reasons} />
              </td>
            </tr>
          );
        }}
      />
    </>
  );
}
