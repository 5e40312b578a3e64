import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/app/_components/pager";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { fleetFilterFromSearch, type FleetFilter } from "@/server/domain/compliance/fleet-filter";
import { RULE_SECTION_TITLES, RULE_SECTIONS } from "@/server/domain/compliance/types";
import { FLEET_COMPLIANCE_PAGE_SIZE, FLEET_COMPLIANCE_SORTS } from "@/server/contract/api/compliance";
import { ComplianceMatrix, type MatrixSort } from "./compliance-matrix";
import { ExportCsvButton } from "./export-csv-button";

export const metadata: Metadata = { title: "Compliance" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };
type Sort = MatrixSort["key"];

function one(params: Record<string, string | string[] | undefined>, k: string): string | undefined {
  const v = params[k];
  return Array.isArray(v) ? v[0] : v;
}

/** Sort, direction, page and page size from the URL (a bad value falls back on its own). */
function viewFromSearch(params: Record<string, string | string[] | undefined>) {
  const sortRaw = one(params, "sort");
  const sort: Sort = (FLEET_COMPLIANCE_SORTS as readonly string[]).includes(sortRaw ?? "") ? (sortRaw as Sort) : "host";
  const dir: "asc" | "desc" = one(params, "dir") === "desc" ? "desc" : "asc";
  const int = (k: string, d: number, max: number) => {
    const n = Number(one(params, k));
    return Number.isInteger(n) && n >= 1 && n <= max ? n : d;
  };
  return { sort, dir, page: int("page", 1, 1_000_000), size: int("size", FLEET_COMPLIANCE_PAGE_SIZE, 500) };
}

type View = ReturnType<typeof viewFromSearch>;

function searchOf(f: FleetFilter, v?: Partial<View>): string {
  const p = new URLSearchParams();
  if (f.section) p.set("section", f.section);
  if (f.status) p.set("status", f.status);
  if (f.profileId) p.set("profile", f.profileId);
  if (f.search) p.set("q", f.search);
  if (v?.sort && (v.sort !== "host" || v.dir === "desc")) {
    p.set("sort", v.sort);
    p.set("dir", v.dir ?? "asc");
  }
  if (v?.size && v.size !== FLEET_COMPLIANCE_PAGE_SIZE) p.set("size", String(v.size));
  if (v?.page && v.page > 1) p.set("page", String(v.page));
  const s = p.toString();
  return s ? `?${s}` : "";
}

const selectClass = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";

/** Fleet compliance for managers: hosts × rule sections, coloured by the worst status, with filter and CSV (one server page at a time). */
export default async function FleetCompliancePage({ searchParams }: Props) {
  const params = await searchParams;
  const filter = fleetFilterFromSearch(params);
  const view = viewFromSearch(params);
  await requirePageUser("viewer", `/compliance${searchOf(filter, view)}`);
  const caller = await serverCaller();
  const [data, profiles] = await Promise.all([
    caller.compliance.fleetPage({ ...filter, sort: view.sort, dir: view.dir, page: view.page, pageSize: view.size }),
    caller.compliance.listProfiles({}),
  ]);
  const { summary, rows } = data;
  const profileNames = Object.fromEntries(profiles.map((p) => [p.id, p.name]));
  const active = Object.keys(filter).length > 0;
  const sortHrefs = Object.fromEntries(
    FLEET_COMPLIANCE_SORTS.map((k) => [k, `/compliance${searchOf(filter, { ...view, sort: k, dir: view.sort === k && view.dir === "asc" ? "desc" : "asc", page: 1 })}`]),
  ) as Record<Sort, string>;
  const pageHref = (n: number) => `/compliance${searchOf(filter, { ...view, page: n })}`;

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Compliance</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="fleet-compliance-counts">
            {summary.matching} host{summary.matching === 1 ? "" : "s"}
            {active ? " match" : ""}: <span className="font-semibold text-rose-700 dark:text-rose-400">{summary.failing} failing</span>, <span className="font-semibold text-amber-700 dark:text-amber-400">{summary.warning} with warnings only</span>,{" "}
            <span className="text-emerald-700 dark:text-emerald-400">{summary.clean} compliant</span>
            {summary.matching - summary.evaluated > 0 && <>, {summary.matching - summary.evaluated} not evaluated</>}
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
        {view.sort !== "host" || view.dir !== "asc" ? (
          <>
            <input type="hidden" name="sort" value={view.sort} />
            <input type="hidden" name="dir" value={view.dir} />
          </>
        ) : null}
        {view.size !== FLEET_COMPLIANCE_PAGE_SIZE && <input type="hidden" name="size" value={view.size} />}
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

      {rows.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white px-3 py-6 text-center text-sm text-slate-500 dark:border-slate-800 dark:bg-slate-900" data-testid="compliance-matrix">
          No hosts{active ? " match this filter" : " yet"}.
        </p>
      ) : (
        <ComplianceMatrix rows={rows} profileNames={profileNames} failBySection={summary.failBySection} sortHrefs={sortHrefs} sort={{ key: view.sort, dir: view.dir }} resetKey={`${searchOf(filter, view)}`} />
      )}
      <Pager label="Compliance pages" testId="compliance-range" className="justify-end" page={data.page} pageSize={data.pageSize} matching={summary.matching} rowCount={rows.length} href={pageHref} />
    </div>
  );
}
