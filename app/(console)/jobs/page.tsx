import { Panel } from "@/app/_components/panel";
import { inputClass, buttonClass } from "@/app/(console)/admin/form-ui";
import { serverCaller } from "@/app/_trpc/server";
import { requirePageUser } from "@/server/auth/page-guard";
import { jobKindSchema, jobStateSchema, type ListJobsFilter } from "@/server/contract/job";
import { z } from "zod";
import { JobsLive } from "./jobs-live";

export const metadata = { title: "Jobs" };

type Search = { kind?: string; state?: string; host?: string; requester?: string };

function one(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === "" ? undefined : s;
}

/** Filters from the query string; anything malformed is ignored (never a 500). */
function filterOf(sp: Record<string, string | string[] | undefined>): ListJobsFilter {
  const kind = jobKindSchema.safeParse(one(sp.kind));
  const state = jobStateSchema.safeParse(one(sp.state));
  const host = z.string().uuid().safeParse(one(sp.host));
  const requester = z.string().max(256).safeParse(one(sp.requester));
  return {
    kind: kind.success ? kind.data : undefined,
    state: state.success ? state.data : undefined,
    hostId: host.success ? host.data : undefined,
    requestedBy: requester.success ? requester.data : undefined,
    limit: 200,
  };
}

/** Every job (migrations, tuning): filters, live state, links to each job's audit trail. */
export default async function JobsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageUser("viewer", "/jobs");
  const sp = (await searchParams) as Search & Record<string, string | string[] | undefined>;
  const filter = filterOf(sp);
  const hosts = (await (await serverCaller()).hosts.list()).hosts;
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold tracking-tight">Jobs</h1>
      <Panel title="Filters" id="jobs-filters">
        <form method="get" className="grid grid-cols-1 items-end gap-3 sm:grid-cols-5">
          <label className="text-xs font-medium">
            Kind
            <select name="kind" defaultValue={filter.kind ?? ""} className={inputClass}>
              <option value="">any</option>
              {jobKindSchema.options.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
          <label className="text-xs font-medium">
            State
            <select name="state" defaultValue={filter.state ?? ""} className={inputClass}>
              <option value="">any</option>
              {jobStateSchema.options.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label className="text-xs font-medium">
            Host
            <select name="host" defaultValue={filter.hostId ?? ""} className={inputClass}>
              <option value="">any</option>
              {hosts.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.hostname}
                </option>
              ))}
            </select>
          </label>
          <label className="text-xs font-medium">
            Requested by
            <input name="requester" defaultValue={filter.requestedBy ?? ""} placeholder="email or user id" className={inputClass} />
          </label>
          <button type="submit" className={buttonClass}>
            Apply
          </button>
        </form>
      </Panel>
      <Panel title="History" id="jobs-history">
        <JobsLive filter={filter} />
      </Panel>
    </div>
  );
}
