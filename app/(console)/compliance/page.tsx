import type { Metadata } from "next";
import Link from "next/link";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { fleetFilterFromSearch, type FleetFilter } from "@/server/domain/compliance/fleet-filter";
import { RULE_SECTION_TITLES, RULE_SECTIONS } from "@/server/domain/compliance/types";
import { CELL_STYLE, STATUS_LABEL, ScoreText } from "./compliance-ui";
import { ExportCsvButton } from "./export-csv-button";

export const metadata: Metadata = { title: "Compliance" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function searchOf(f: FleetFilter): string {
  const p = new URLSearchParams();
  if (f.section) p.set("section", f.section);
  if (f.status) p.set("status", f.status);
  if (f.profileId) p.set("profile", f.profileId);
  if (f.search) p.set("q", f.search);
  const s = p.toString();
  return s ? `?${s}` : "";
}

const selectClass = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";

/** Fleet compliance for managers: hosts × rule sections, coloured by the worst status, with filter and CSV. */
export default async function FleetCompliancePage({ searchParams }: Props) {
  const filter = fleetFilterFromSearch(await searchParams);
  await requirePageUser("viewer", `/compliance${searchOf(filter)}`);
  const caller = await serverCaller();
  const [rows, profiles] = await Promise.all([caller.compliance.listFleetCompliance(filter), caller.compliance.listProfiles({})]);
  const evaluated = rows.filter((r) => r.counts !== null);
  const failing = evaluated.filter((r) => (r.counts?.fail ?? 0) > 0).length;
  const warning = evaluated.filter((r) => (r.counts?.fail ?? 0) === 0 && (r.counts?.warn ?? 0) > 0).length;
  const clean = evaluated.length - failing - warning;
  const failBySection = RULE_SECTIONS.map((s) => evaluated.filter((r) => r.sections[s]?.status === "fail").length);
  const profileName = new Map(profiles.map((p) => [p.id, p.name]));
  const active = Object.keys(filter).length > 0;

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Compliance</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="fleet-compliance-counts">
            {rows.length} host{rows.length === 1 ? "" : "s"}
            {active ? " match" : ""}: <span className="font-semibold text-rose-700 dark:text-rose-400">{failing} failing</span>, <span className="font-semibold text-amber-700 dark:text-amber-400">{warning} with warnings only</span>,{" "}
            <span className="text-emerald-700 dark:text-emerald-400">{clean} compliant</span>
            {rows.length - evaluated.length > 0 && <>, {rows.length - evaluated.length} not evaluated</>}
          </p>
        </div>
        <div className="flex items-center gap-3">
          <Link href="/compliance/profiles" className="text-sm font-medium text-sky-700 underline dark:text-sky-400">
            Profiles
          </Link>
          <ExportCsvButton filter={filter} />
        </div>
      </div>

      <form method="get" action="/compliance" className="flex flex-wrap items-end gap-3" aria-label="Filter hosts">
        <label className="text-xs font-medium text-slate-700 dark:text-slate-300">
          Section
          <select name="section" defaultValue={filter.section ?? ""} className={`mt-1 block ${selectClass}`}>
            <option value="">any section</option>
            {RULE_SECTIONS.map((s) => (
              <option key={s} value={s}>
                {RULE_SECTION_TITLES[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="text-xs font-medium text-slate-700 dark:text-slate-300">
          Status
          <select name="status" defaultValue={filter.status ?? ""} className={`mt-1 block ${selectClass}`}>
            <option value="">any status</option>
            <option value="fail">failing</option>
            <option value="warn">warning</option>
            <option value="pass">passing</option>
          </select>
        </label>
        <label className="text-xs font-medium text-slate-700 dark:text-slate-300">
          Profile
          <select name="profile" defaultValue={filter.profileId ?? ""} className={`mt-1 block ${selectClass}`}>
            <option value="">any profile</option>
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className="text-xs font-medium text-slate-700 dark:text-slate-300">
          Host
          <input name="q" defaultValue={filter.search ?? ""} placeholder="hostname contains…" className={`mt-1 block ${selectClass}`} />
        </label>
        <button type="submit" className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-sky-500">
          Apply
        </button>
        {active && (
          <Link href="/compliance" className="py-1.5 text-sm text-slate-600 underline dark:text-slate-400">
            Clear
          </Link>
        )}
        <span className="py-1.5 text-xs text-slate-500">
          e.g. <Link className="underline" href="/compliance?section=kernel-cmdline&status=fail">failing kernel rules</Link>
        </span>
      </form>

      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full min-w-[900px] border-collapse text-sm" data-testid="compliance-matrix">
          <caption className="sr-only">Worst rule status per host and rule section</caption>
          <thead>
            <tr className="border-b border-slate-200 text-left text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
              <th scope="col" className="px-3 py-2 font-semibold">Host</th>
              <th scope="col" className="px-3 py-2 font-semibold">Profile</th>
              <th scope="col" className="px-3 py-2 text-right font-semibold">Score</th>
              <th scope="col" className="px-3 py-2 text-right font-semibold" title="failing / warning / passing / not applicable">F / W / P / n.a.</th>
              {RULE_SECTIONS.map((s, i) => (
                <th key={s} scope="col" className="px-2 py-2 text-center font-semibold" title={`${failBySection[i]} host(s) failing`}>
                  {RULE_SECTION_TITLES[s]}
                  <span className="block font-normal text-rose-700 tabular-nums dark:text-rose-400">{failBySection[i] ? `${failBySection[i]} failing` : "\u00a0"}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={4 + RULE_SECTIONS.length} className="px-3 py-6 text-center text-slate-500">
                  No hosts{active ? " match this filter" : " yet"}.
                </td>
              </tr>
            )}
            {rows.map((r) => (
              <tr key={r.hostId} className="border-b border-slate-100 last:border-0 dark:border-slate-800" data-host={r.hostname}>
                <th scope="row" className="px-3 py-1.5 text-left font-medium">
                  <Link href={`/hosts/${r.hostId}/compliance`} className="text-sky-700 hover:underline dark:text-sky-400">
                    {r.hostname}
                  </Link>
                </th>
                <td className="px-3 py-1.5 text-slate-600 dark:text-slate-400">{r.profileId ? (profileName.get(r.profileId) ?? r.profileId) : "—"}</td>
                <td className="px-3 py-1.5 text-right">
                  <ScoreText score={r.score} />
                </td>
                <td className="px-3 py-1.5 text-right text-xs tabular-nums text-slate-600 dark:text-slate-400">
                  {r.counts ? `${r.counts.fail} / ${r.counts.warn} / ${r.counts.pass} / ${r.counts.na}` : "—"}
                </td>
                {RULE_SECTIONS.map((s) => {
                  const st = r.sections[s];
                  const cls = CELL_STYLE[st?.status ?? "none"];
                  return (
                    <td key={s} className="p-0.5 text-center">
                      <Link href={`/hosts/${r.hostId}/compliance#compliance-${s}-title`} className={`block rounded px-1 py-1 text-xs font-semibold ${cls}`} data-section={s} data-status={st?.status ?? "none"} title={st ? `${st.counts.fail} fail, ${st.counts.warn} warn, ${st.counts.pass} pass, ${st.counts.na} n/a` : "no rules of this section"}>
                        {st ? STATUS_LABEL[st.status] : "—"}
                      </Link>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
