"use client";

import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/client";
import { Facts, Panel } from "@/app/_components/panel";
import { JobStateBadge } from "@/app/_components/jobs/job-state-badge";
import { MigrationLive } from "@/app/_components/jobs/migration-live";
import { asPredictionResult, ConvergenceBadge, PredictionFacts } from "@/app/_components/jobs/migration-prediction";
import { useLiveJob } from "@/app/_components/jobs/use-live-job";

function time(d: Date | null): string {
  return d ? `${d.toISOString().replace("T", " ").slice(0, 23)} UTC` : "—";
}

/** One job: what was asked, by whom, live state, the agent's result, and the audit trail. */
export function JobDetailLive({ jobId, canCancel }: { jobId: string; canCancel: boolean }) {
  // after the end, slower polling still shows late audit rows (an agent's report on a finished job)
  const { query: q, job } = useLiveJob(jobId, { afterEndMs: 5000 });
  const trpc = useTRPC();
  const cancel = useMutation(trpc.jobs.cancel.mutationOptions({ onSuccess: () => void q.refetch() }));
  if (!job) return <p className="text-sm text-slate-500">{q.error ? q.error.message : "Loading…"}</p>;
  const prediction = job.kind === "predict_migration" ? asPredictionResult(job.result) : null;
  return (
    <div className="space-y-4">
      <Panel
        title="Job"
        id="job-summary"
        actions={
          <div className="flex items-center gap-2">
            {/* a migration cancels from its own panel (migrate_cancel); other kinds only before an
                agent takes them: a tune apply stopped half-way would leave the host half-changed */}
            {canCancel && job.kind !== "migrate" && job.state === "pending" && (
              <button
                type="button"
                data-testid="job-cancel"
                onClick={() => cancel.mutate({ id: job.id })}
                disabled={cancel.isPending}
                className="rounded-md border border-rose-300 px-2.5 py-1 text-sm font-medium text-rose-700 hover:bg-rose-50 disabled:opacity-60 dark:border-rose-700 dark:text-rose-300 dark:hover:bg-rose-950"
              >
                Cancel job
              </button>
            )}
            <JobStateBadge state={job.state} cancelRequested={job.cancelRequested} />
          </div>
        }
      >
        <Facts
          items={[
            ["Kind", job.kind],
            ["Host", job.hostName],
            ["Target", job.target ?? "—"],
            ["Requested by", job.requestedBy.email ?? job.requestedBy.id],
            ["Requested", time(job.createdAt)],
            ["Claimed", time(job.claimedAt)],
            ["Started", time(job.startedAt)],
            ["Finished", time(job.finishedAt)],
            ["Attempts", String(job.attempts)],
            ["Reason", <span key="r" data-testid="job-reason">{job.reason ?? "—"}</span>],
          ]}
        />
      </Panel>
      {job.kind === "migrate" && (
        <Panel title="Migration" id="job-migration">
          <MigrationLive jobId={job.id} canCancel={canCancel} />
        </Panel>
      )}
      {prediction && (
        <Panel title="Pre-flight prediction" id="job-prediction" actions={<ConvergenceBadge prediction={prediction.prediction} />}>
          <PredictionFacts prediction={prediction.prediction} reason={prediction.reason} sampledMs={prediction.sampledMs} />
        </Panel>
      )}
      <Panel title="Parameters" id="job-params">
        <pre className="overflow-x-auto text-xs">{JSON.stringify(job.params, null, 2)}</pre>
      </Panel>
      {job.result && job.kind !== "migrate" && (
        <Panel title="Result" id="job-result">
          <pre className="overflow-x-auto text-xs">{JSON.stringify(job.result, null, 2)}</pre>
        </Panel>
      )}
      <Panel title="Audit trail" id="job-audit">
        <table className="w-full text-left text-sm" data-testid="job-audit-table">
          <thead className="text-xs text-slate-500 dark:text-slate-400">
            <tr>
              <th className="py-1 pr-3 font-medium">When</th>
              <th className="py-1 pr-3 font-medium">Who</th>
              <th className="py-1 pr-3 font-medium">What</th>
              <th className="py-1 pr-3 font-medium">Details</th>
            </tr>
          </thead>
          <tbody>
            {job.audit.map((a) => (
              <tr key={a.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                <td className="py-1 pr-3 tabular-nums">{time(a.at)}</td>
                <td className="py-1 pr-3 font-mono text-xs">{a.actor}</td>
                <td className="py-1 pr-3">{a.action}</td>
                <td className="max-w-[40rem] truncate py-1 pr-3 font-mono text-xs" title={JSON.stringify(a.details)}>
                  {JSON.stringify(a.details)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
    </div>
  );
}
