"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/app/_trpc/client";
import { Facts } from "@/app/_components/panel";
import { JobStateBadge, VerdictBadge } from "@/app/_components/jobs/job-state-badge";
import { asMigrateProgress, asMigrateResult, fmtBytes, fmtMs, fmtRate } from "@/app/_components/jobs/migration-figures";
import { ConvergenceBadge, PredictedVsActual, preflightOf } from "@/app/_components/jobs/migration-prediction";
import { useLiveJob } from "@/app/_components/jobs/use-live-job";
import { MIGRATION_REQUIREMENT } from "@/server/contract/job";

/** One migration job, live (polled every second until it ends): QEMU's progress, then the verdict. */
export function MigrationLive({ jobId, canCancel }: { jobId: string; canCancel: boolean }) {
  const trpc = useTRPC();
  const { query: q, job, done } = useLiveJob(jobId);
  const cancel = useMutation(trpc.jobs.cancel.mutationOptions({ onSuccess: () => void q.refetch() }));
  if (!job) return <p className="text-sm text-slate-500">{q.error ? q.error.message : "Loading…"}</p>;
  const p = asMigrateProgress(job.progress);
  const r = asMigrateResult(job.result);
  const preflight = preflightOf(job.params);
  return (
    <div className="space-y-3" data-testid="migration-live" aria-live="polite">
      <div className="flex flex-wrap items-center gap-3">
        <JobStateBadge state={job.state} cancelRequested={job.cancelRequested} />
        <span className="text-sm">
          {job.target} → <span className="font-mono text-xs">{String(job.params.uri ?? "")}</span>
        </span>
        <Link href={`/jobs/${job.id}`} className="text-sm text-sky-700 underline dark:text-sky-400">
          job details
        </Link>
        {canCancel && !done && (
          <button
            type="button"
            onClick={() => cancel.mutate({ id: job.id })}
            disabled={cancel.isPending || job.cancelRequested}
            className="rounded-md border border-rose-300 px-2.5 py-1 text-sm font-medium text-rose-700 hover:bg-rose-50 disabled:opacity-60 dark:border-rose-700 dark:text-rose-300 dark:hover:bg-rose-950"
          >
            Cancel migration
          </button>
        )}
      </div>
      {!r && preflight && (
        <p className="flex flex-wrap items-center gap-2 text-sm" data-testid="migration-preflight">
          <ConvergenceBadge prediction={preflight.prediction} />
          <span className="font-mono text-xs">{preflight.prediction?.message ?? `no prediction: ${preflight.reason ?? "unknown"}`}</span>
        </p>
      )}
      {!r && (
        <Facts
          items={[
            ["Status", <span key="s" data-testid="migration-status">{p?.status ?? (job.state === "pending" ? "waiting for the agent" : job.state)}</span>],
            ["Elapsed", fmtMs(p?.elapsedMs ?? null)],
            ["Remaining", fmtBytes(p?.remainingBytes ?? null)],
            ["Bandwidth", p?.mbps != null ? `${p.mbps.toFixed(1)} Mbit/s` : "—"],
            ["Dirty rate", fmtRate(p?.dirtyBytesPerS ?? null)],
            ["Expected downtime", fmtMs(p?.expectedDowntimeMs ?? null)],
            ["Pass", p?.pass != null ? String(p.pass) : "—"],
          ]}
        />
      )}
      {r && (
        <div className="space-y-2" data-testid="migration-result">
          <div className="flex items-center gap-3">
            <VerdictBadge verdict={r.verdict} />
            <span className="text-sm">
              QEMU: {r.status}; requirement total &lt; {MIGRATION_REQUIREMENT.totalTimeMs / 1000} s, downtime &lt; {MIGRATION_REQUIREMENT.downtimeMs} ms
            </span>
          </div>
          <Facts
            items={[
              ["Total time", <span key="t" data-testid="migration-total">{fmtMs(r.totalTimeMs)}</span>],
              ["Downtime", <span key="d" data-testid="migration-downtime">{fmtMs(r.downtimeMs)}</span>],
              ["Setup time", fmtMs(r.setupTimeMs)],
              ["Transferred", fmtBytes(r.transferredBytes)],
              ["Passes", r.passes === null ? "—" : String(r.passes)],
              ["Policy steps", r.policySteps.length > 0 ? r.policySteps.join("; ") : "none"],
              ["VM still on source", r.sourceRunning === null ? "—" : r.sourceRunning ? "yes, running" : "no"],
              ["Reason", r.reason ?? "—"],
            ]}
          />
          <PredictedVsActual preflight={preflight} result={r} />
        </div>
      )}
      {done && !r && job.reason && (
        <p role="status" className="text-sm text-rose-700 dark:text-rose-300" data-testid="job-reason">
          {job.reason}
        </p>
      )}
      {cancel.error && (
        <p role="alert" className="text-sm text-rose-600">
          {cancel.error.message}
        </p>
      )}
    </div>
  );
}
