"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { memo, useCallback, useEffect, useMemo, useState } from "react";
import { useTRPC } from "@/app/_trpc/client";
import { WindowedTable, type WindowedRowProps } from "@/app/_components/windowed-table";
import { StatusBadge } from "@/app/_components/status-badge";
import { Labels } from "@/app/_components/labels";
import { formatAbsoluteTime, formatRelativeTime, orDash } from "@/app/_components/format";
import {
  fleetPageInputOf,
  fleetQueryToSearch,
  parseFleetPage,
  parseFleetPageSize,
  parseFleetQuery,
  toggleSort,
  type FleetHost,
  type FleetQuery,
  type FleetSortKey,
  type StatusCounts,
} from "@/server/domain/hosts/fleet";
import { HOST_STATUSES, type HostStatus } from "@/server/domain/hosts/status";
import { FLEET_COMPLIANCE_FILTERS, complianceFilterLabel, type FleetComplianceFilter } from "@/server/domain/hosts/fleet-compliance";
import { ComplianceCell } from "./compliance-cell";

const REFRESH_MS = 15_000;
/** px: every fleet row is this tall (cells never wrap), so the windowed table never shifts */
const ROW_HEIGHT = 41;

type Column = { key: string; label: string; title?: string; width: string; sort?: FleetSortKey; align?: "right" };

// Fixed widths (table-layout: fixed): filtering or refreshing never moves a column.
const COLUMNS: readonly Column[] = [
  { key: "hostname", label: "Host", width: "w-[13%]", sort: "hostname" },
  { key: "status", label: "Status", width: "w-[7.5rem]", sort: "status" },
  { key: "lastSeen", label: "Last seen", width: "w-[7.5rem]", sort: "lastSeen" },
  { key: "compliance", label: "Compliance", title: "compliance score · failing / warning / passing rules (sorts by score, worst first)", width: "w-[11rem]", sort: "compliance" },
  { key: "cpuModel", label: "CPU model", width: "w-[16%]", sort: "cpuModel" },
  { key: "shape", label: "Skt / NUMA / CPUs", title: "sockets / NUMA nodes / CPUs (sorts by CPUs)", width: "w-[11.5rem]", sort: "cpus", align: "right" },
  { key: "kernel", label: "Kernel", width: "w-[12%]", sort: "kernelRelease" },
  { key: "agent", label: "Agent", width: "w-[6.5rem]", sort: "agentVersion" },
  { key: "labels", label: "Labels", width: "w-auto" },
];

export function FleetView() {
  const trpc = useTRPC();
  const searchParams = useSearchParams();
  const pathname = usePathname();
  const query = useMemo(() => parseFleetQuery(new URLSearchParams(searchParams.toString())), [searchParams]);
  const page = useMemo(() => parseFleetPage(new URLSearchParams(searchParams.toString())), [searchParams]);
  const size = useMemo(() => parseFleetPageSize(new URLSearchParams(searchParams.toString())), [searchParams]);
  // One page from the server (filter, search, sort over every host there); the previous page stays
  // on screen, dimmed, while the next one loads.
  const { data, isPlaceholderData } = useQuery({
    ...trpc.hosts.fleetPage.queryOptions(fleetPageInputOf(query, page, size)),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });

  // The text box updates at once; the URL (and the 1,000-row filter) follow without blocking typing.
  const [text, setText] = useState(query.q);
  // Back/forward or a link changes the URL: the box follows (state adjusted during render, no effect).
  const [urlQ, setUrlQ] = useState(query.q);
  if (urlQ !== query.q) {
    setUrlQ(query.q);
    setText(query.q);
  }

  const setQuery = useCallback(
    (next: FleetQuery, nextPage = 1) => {
      // Next integrates history.replaceState with useSearchParams: no full navigation, no scroll jump.
      // A new filter or sort starts again at page 1.
      window.history.replaceState(null, "", `${pathname}${fleetQueryToSearch(next, nextPage, size)}`);
    },
    [pathname, size],
  );

  useEffect(() => {
    if (text === query.q) return;
    const t = setTimeout(() => setQuery({ ...query, q: text }), 150);
    return () => clearTimeout(t);
  }, [text, query, setQuery]);

  if (!data) return <p className="text-sm text-slate-500 dark:text-slate-400">Loading hosts…</p>;
  const counts: StatusCounts = data.counts;
  const rows = data.hosts;
  const stale = isPlaceholderData;
  const first = data.matching === 0 ? 0 : (data.page - 1) * data.pageSize + 1;
  const last = (data.page - 1) * data.pageSize + rows.length;
  const lastPage = Math.max(1, Math.ceil(data.matching / data.pageSize));

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Fleet</h1>
          <p className="text-sm text-slate-500 dark:text-slate-400">
            {counts.all} {counts.all === 1 ? "host" : "hosts"} · status from each agent&apos;s heartbeat · updated{" "}
            <span title={formatAbsoluteTime(data.generatedAt)}>{formatAbsoluteTime(data.generatedAt).slice(11)}</span>
          </p>
        </div>
        <StatusCounts counts={counts} active={query.status} onSelect={(status) => setQuery({ ...query, status })} />
      </div>

      <div className="flex flex-wrap items-center gap-3">
        <label className="relative min-w-64 flex-1 sm:max-w-md">
          <span className="sr-only">Filter hosts</span>
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-slate-400">
            <path fillRule="evenodd" d="M9 3.5a5.5 5.5 0 1 0 3.4 9.83l3.63 3.63a.75.75 0 1 0 1.06-1.06l-3.63-3.63A5.5 5.5 0 0 0 9 3.5ZM5 9a4 4 0 1 1 8 0 4 4 0 0 1-8 0Z" clipRule="evenodd" />
          </svg>
          <input
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Filter: host, CPU, kernel, label…"
            maxLength={200}
            className="w-full rounded-md border border-slate-300 bg-white py-1.5 pl-8 pr-3 text-sm shadow-sm placeholder:text-slate-400 focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/30 dark:border-slate-700 dark:bg-slate-900 dark:placeholder:text-slate-500"
          />
        </label>
        <label className="flex items-center gap-2 text-sm">
          <span className="text-slate-600 dark:text-slate-300">Status</span>
          <select
            value={query.status}
            onChange={(e) => setQuery({ ...query, status: e.target.value as FleetQuery["status"] })}
            className="rounded-md border border-slate-300 bg-white py-1.5 pl-2 pr-8 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/30 dark:border-slate-700 dark:bg-slate-900"
          >
            <option value="all">All</option>
            {HOST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-2 text-sm">
          <span className="text-slate-600 dark:text-slate-300">Compliance</span>
          <select
            value={query.compliance}
            onChange={(e) => setQuery({ ...query, compliance: e.target.value as FleetComplianceFilter })}
            data-testid="fleet-compliance-filter"
            className="rounded-md border border-slate-300 bg-white py-1.5 pl-2 pr-8 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/30 dark:border-slate-700 dark:bg-slate-900"
          >
            {FLEET_COMPLIANCE_FILTERS.map((f) => (
              <option key={f} value={f}>
                {complianceFilterLabel(f)}
              </option>
            ))}
          </select>
        </label>
        <p className="text-sm text-slate-500 tabular-nums dark:text-slate-400" aria-live="polite" data-testid="fleet-shown">
          {data.matching === counts.all ? `${data.matching} shown` : `${data.matching} of ${counts.all} shown`}
        </p>
      </div>

      {rows.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white px-4 py-10 text-center text-sm text-slate-500 shadow-sm dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400" data-testid="fleet-table">
          {counts.all === 0 ? "No hosts enrolled yet. An admin can create an enrolment token on the Admin page." : "No host matches this filter."}
        </p>
      ) : (
        <WindowedTable
          label="Hosts"
          testId="fleet-table"
          rowCount={rows.length}
          rowHeight={ROW_HEIGHT}
          resetKey={`${fleetQueryToSearch(query, data.page)}`}
          className={`rounded-lg border border-slate-200 bg-white shadow-sm transition-opacity dark:border-slate-800 dark:bg-slate-900 ${stale ? "opacity-70" : ""}`}
          tableClassName="min-w-[1240px] text-sm"
          colgroup={
            <colgroup>
              {COLUMNS.map((c) => (
                <col key={c.key} className={c.width} />
              ))}
            </colgroup>
          }
          head={
            <tr className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:bg-slate-800 dark:text-slate-400">
              {COLUMNS.map((c) => (
                <HeaderCell key={c.key} column={c} query={query} onSort={(key) => setQuery(toggleSort(query, key))} />
              ))}
            </tr>
          }
          renderRow={(i, rowProps) => {
            const h = rows[i]!;
            return <FleetRow key={h.id} host={h} now={data.generatedAt} rowProps={rowProps} />;
          }}
        />
      )}
      {lastPage > 1 && (
        <nav className="flex items-center justify-end gap-3 text-sm" aria-label="Fleet pages">
          <span className="tabular-nums text-slate-500 dark:text-slate-400" data-testid="fleet-range">
            {first}–{last} of {data.matching} · page {data.page} of {lastPage}
          </span>
          <PageButton label="Previous" disabled={data.page <= 1} onClick={() => setQuery(query, data.page - 1)} />
          <PageButton label="Next" disabled={data.page >= lastPage} onClick={() => setQuery(query, data.page + 1)} />
        </nav>
      )}
    </div>
  );
}

function PageButton({ label, disabled, onClick }: { label: string; disabled: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      disabled={disabled}
      onClick={onClick}
      className="rounded-md border border-slate-300 bg-white px-3 py-1 shadow-sm hover:border-slate-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:opacity-40 dark:border-slate-700 dark:bg-slate-900"
    >
      {label}
    </button>
  );
}

function HeaderCell({ column, query, onSort }: { column: Column; query: FleetQuery; onSort: (key: FleetSortKey) => void }) {
  const align = column.align === "right" ? "text-right" : "text-left";
  if (!column.sort) {
    return (
      <th scope="col" className={`px-3 py-2 ${align}`} title={column.title}>
        {column.label}
      </th>
    );
  }
  const sortKey = column.sort;
  const active = query.sort === sortKey;
  return (
    <th scope="col" aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : "none"} className={`p-0 ${align}`}>
      <button
        type="button"
        onClick={() => onSort(sortKey)}
        title={column.title}
        className={`flex w-full items-center gap-1 px-3 py-2 uppercase tracking-wide hover:text-slate-900 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-500 dark:hover:text-white ${
          column.align === "right" ? "justify-end" : ""
        } ${active ? "text-slate-900 dark:text-white" : ""}`}
      >
        <span className="truncate">{column.label}</span>
        <span aria-hidden="true" className={`w-3 shrink-0 text-[10px] ${active ? "" : "opacity-0"}`}>
          {active && query.dir === "desc" ? "▼" : "▲"}
        </span>
      </button>
    </th>
  );
}

const COUNT_STYLE: Record<HostStatus | "all", string> = {
  all: "text-slate-900 dark:text-slate-100",
  online: "text-emerald-700 dark:text-emerald-400",
  stale: "text-amber-700 dark:text-amber-400",
  offline: "text-rose-700 dark:text-rose-400",
};

function StatusCounts({
  counts,
  active,
  onSelect,
}: {
  counts: StatusCounts;
  active: FleetQuery["status"];
  onSelect: (status: FleetQuery["status"]) => void;
}) {
  return (
    <ul className="flex gap-2" aria-label="Hosts by status">
      {(["all", ...HOST_STATUSES] as const).map((s) => (
        <li key={s}>
          <button
            type="button"
            aria-pressed={active === s}
            onClick={() => onSelect(active === s ? "all" : s)}
            data-testid={`count-${s}`}
            className={`flex min-w-24 flex-col rounded-lg border px-3 py-1.5 text-left shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 ${
              active === s
                ? "border-sky-500 bg-sky-50 dark:border-sky-400 dark:bg-sky-500/10"
                : "border-slate-200 bg-white hover:border-slate-300 dark:border-slate-800 dark:bg-slate-900 dark:hover:border-slate-700"
            }`}
          >
            <span className="text-[11px] font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{s}</span>
            <span className={`text-lg font-semibold tabular-nums ${COUNT_STYLE[s]}`}>{counts[s]}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function shapeText(h: FleetHost): string {
  if (h.sockets === null && h.numaNodes === null && h.cpus === null) return "—";
  return `${orDash(h.sockets)} / ${orDash(h.numaNodes)} / ${orDash(h.cpus)}`;
}

/** Memoised: re-sorting or filtering re-uses the host objects, so unchanged rows do not re-render. */
const FleetRow = memo(function FleetRow({ host: h, now, rowProps }: { host: FleetHost; now: Date; rowProps: WindowedRowProps }) {
  return (
    <tr
      {...rowProps}
      className="whitespace-nowrap outline-none hover:bg-slate-50 focus-visible:bg-sky-50 dark:hover:bg-slate-800/50 dark:focus-visible:bg-sky-500/10 [&>*]:shadow-[inset_0_-1px_0_rgb(241_245_249)] dark:[&>*]:shadow-[inset_0_-1px_0_rgb(30_41_59)]"
      data-testid="fleet-row"
      data-hostname={h.hostname}
    >
      <td className="truncate px-3 py-2 font-medium">
        <Link
          href={`/hosts/${h.id}`}
          prefetch={false}
          title={h.hostname}
          className="rounded text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 dark:text-sky-400"
        >
          {h.hostname}
        </Link>
        {h.isVirtual && (
          <span className="ml-1.5 rounded bg-violet-100 px-1 py-px text-[10px] font-semibold uppercase text-violet-700 dark:bg-violet-500/15 dark:text-violet-300" title="virtual machine (hypervisor CPU flag)">
            VM
          </span>
        )}
      </td>
      <td className="px-3 py-2">
        <StatusBadge status={h.status} />
      </td>
      <td className="truncate px-3 py-2 tabular-nums text-slate-600 dark:text-slate-300" title={formatAbsoluteTime(h.lastSeenAt)}>
        {formatRelativeTime(h.lastSeenAt, now)}
      </td>
      <td className="px-3 py-1.5">
        <ComplianceCell hostId={h.id} hostname={h.hostname} compliance={h.compliance} />
      </td>
      <td className="truncate px-3 py-2 text-slate-700 dark:text-slate-300" title={h.cpuModel ?? undefined}>
        {orDash(h.cpuModel)}
      </td>
      <td className="px-3 py-2 text-right font-mono text-xs tabular-nums text-slate-700 dark:text-slate-300">{shapeText(h)}</td>
      <td className="truncate px-3 py-2 font-mono text-xs text-slate-700 dark:text-slate-300" title={h.kernelRelease ?? undefined}>
        {orDash(h.kernelRelease)}
      </td>
      <td className="truncate px-3 py-2 font-mono text-xs text-slate-700 dark:text-slate-300">{orDash(h.agentVersion)}</td>
      <td className="px-3 py-1.5" title={h.labels.join(", ")}>
        <Labels labels={h.labels} nowrap />
      </td>
    </tr>
  );
});
