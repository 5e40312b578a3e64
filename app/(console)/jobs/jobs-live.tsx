"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/app/_trpc/client";
import { JobStateBadge } from "@/app/_components/jobs/job-state-badge";
import type { ListJobsFilter } from "@/server/contract/job";

function time(d: Date | null): string {
  return d ? `${d.toISOString().replace("T", " ").slice(0, 19)} UTC` : "—";
}

/** The job history, refreshed every second (live state without a reload). */
export function JobsLive({ filter }: { filter: ListJobsFilter }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.jobs.list.queryOptions(filter), refetchInterval: 1000 });
  if (!q.data) return <p className="text-sm text-slate-500">{q.error ? q.error.message : "Loading…"}</p>;
  const jobs = q.data.jobs;
  if (jobs.length === 0) return <p className="text-sm text-slate-500 dark:text-slate-400">No job matches these filters.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="jobs-table">
        <thead className="text-xs text-slate-500 dark:text-slate-400">
          <tr>
            <th className="py-1 pr-3 font-medium">Requested</th>
            <th className="py-1 pr-3 font-medium">Kind</th>
            <th className="py-1 pr-3 font-medium">Host</th>
            <th className="py-1 pr-3 font-medium">Target</th>
            <th className="py-1 pr-3 font-medium">State</th>
            <th className="py-1 pr-3 font-medium">By</th>
            <th className="py-1 pr-3 font-medium">Finished</th>
            <th className="py-1 pr-3 font-medium">Reason</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id} className="border-t border-slate-100 align-top dark:border-slate-800" data-testid="job-row" data-job-id={j.id}>
              <td className="py-1 pr-3 tabular-nums">
                <Link href={`/jobs/${j.id}`} className="text-sky-700 underline dark:text-sky-400">
                  {time(j.createdAt)}
                </Link>
              </td>
              <td className="py-1 pr-3">{j.kind}</td>
              <td className="py-1 pr-3">
                <Link href={`/hosts/${j.hostId}`} className="underline">
                  {j.hostName}
                </Link>
              </td>
              <td className="py-1 pr-3">{j.target ?? "—"}</td>
              <td className="py-1 pr-3">
                <JobStateBadge state={j.state} cancelRequested={j.cancelRequested} />
              </td>
              <td className="py-1 pr-3">{j.requestedBy.email ?? j.requestedBy.id}</td>
              <td className="py-1 pr-3 tabular-nums">{time(j.finishedAt)}</td>
              <td className="max-w-[28rem] py-1 pr-3 text-xs text-slate-600 dark:text-slate-300">{j.reason ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
