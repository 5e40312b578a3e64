"use client";

import Link from "next/link";
import { WindowedTable } from "@/app/_components/windowed-table";
import type { FleetComplianceRow } from "@/server/domain/compliance/csv";
import { RULE_SECTION_TITLES, RULE_SECTIONS } from "@/server/domain/compliance/types";
import { CELL_STYLE, STATUS_LABEL, ScoreText } from "./compliance-ui";

export type MatrixSort = { key: "host" | "profile" | "score" | "fail"; dir: "asc" | "desc" };

const ROW_HEIGHT = 36;
const rowLine = "[&>*]:shadow-[inset_0_-1px_0_rgb(241_245_249)] dark:[&>*]:shadow-[inset_0_-1px_0_rgb(30_41_59)]";

/** The fleet matrix (one server page of hosts), windowed: only the rows in view are in the DOM. */
export function ComplianceMatrix({
  rows,
  profileNames,
  failBySection,
  sortHrefs,
  sort,
  resetKey,
}: {
  rows: FleetComplianceRow[];
  profileNames: Record<string, string>;
  failBySection: Partial<Record<string, number>>;
  /** per sortable column, the link that sorts by it (the server renders the page sorted) */
  sortHrefs: Record<MatrixSort["key"], string>;
  sort: MatrixSort;
  resetKey: string;
}) {
  const th = (key: MatrixSort["key"], label: string, extra = "", title?: string) => (
    <th scope="col" className={`px-3 py-2 font-semibold ${extra}`} aria-sort={sort.key === key ? (sort.dir === "asc" ? "ascending" : "descending") : "none"} title={title}>
      <Link href={sortHrefs[key]} className="hover:underline">
        {label}
        {sort.key === key ? (sort.dir === "asc" ? " ▲" : " ▼") : ""}
      </Link>
    </th>
  );
  return (
    <WindowedTable
      label="Worst rule status per host and rule section"
      testId="compliance-matrix"
      rowCount={rows.length}
      rowHeight={ROW_HEIGHT}
      resetKey={resetKey}
      className="rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
      tableClassName="min-w-[1100px] text-sm"
      colgroup={
        <colgroup>
          <col className="w-[13rem]" />
          <col className="w-[9rem]" />
          <col className="w-[5rem]" />
          <col className="w-[8rem]" />
          {RULE_SECTIONS.map((s) => (
            <col key={s} />
          ))}
        </colgroup>
      }
      head={
        <tr className="border-b border-slate-200 bg-white text-left text-xs text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400">
          {th("host", "Host")}
          {th("profile", "Profile")}
          {th("score", "Score", "text-right")}
          {th("fail", "F / W / P / n.a.", "text-right", "failing / warning / passing / not applicable (sorts by failing)")}
          {RULE_SECTIONS.map((s) => (
            <th key={s} scope="col" className="truncate px-2 py-2 text-center font-semibold" title={`${RULE_SECTION_TITLES[s]}: ${failBySection[s] ?? 0} host(s) failing`}>
              {RULE_SECTION_TITLES[s]}
              <span className="block font-normal text-rose-700 tabular-nums dark:text-rose-400">{failBySection[s] ? `${failBySection[s]} failing` : "\u00a0"}</span>
            </th>
          ))}
        </tr>
      }
      renderRow={(i, rowProps) => {
        const r = rows[i]!;
        return (
          <tr key={r.hostId} {...rowProps} className={`whitespace-nowrap outline-none focus-visible:bg-sky-50 dark:focus-visible:bg-sky-500/10 ${rowLine}`} data-host={r.hostname}>
            <th scope="row" className="truncate px-3 py-0 text-left font-medium">
              <Link href={`/hosts/${r.hostId}/compliance`} className="text-sky-700 hover:underline dark:text-sky-400" title={r.hostname}>
                {r.hostname}
              </Link>
            </th>
            <td className="truncate px-3 py-0 text-slate-600 dark:text-slate-400">{r.profileId ? (profileNames[r.profileId] ?? r.profileId) : "—"}</td>
            <td className="px-3 py-0 text-right">
              <ScoreText score={r.score} />
            </td>
            <td className="px-3 py-0 text-right text-xs tabular-nums text-slate-600 dark:text-slate-400">{r.counts ? `${r.counts.fail} / ${r.counts.warn} / ${r.counts.pass} / ${r.counts.na}` : "—"}</td>
            {RULE_SECTIONS.map((s) => {
              const st = r.sections[s];
              const cls = CELL_STYLE[st?.status ?? "none"];
              return (
                <td key={s} className="px-0.5 py-0 text-center">
                  <Link
                    href={`/hosts/${r.hostId}/compliance#compliance-${s}-title`}
                    tabIndex={-1}
                    className={`block rounded px-1 py-1 text-xs font-semibold ${cls}`}
                    data-section={s}
                    data-status={st?.status ?? "none"}
                    title={st ? `${st.counts.fail} fail, ${st.counts.warn} warn, ${st.counts.pass} pass, ${st.counts.na} n/a` : "no rules of this section"}
                  >
                    {st ? STATUS_LABEL[st.status] : "—"}
                  </Link>
                </td>
              );
            })}
          </tr>
        );
      }}
    />
  );
}
