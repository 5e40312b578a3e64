"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type ReactNode } from "react";
import { useTRPC } from "@/app/_trpc/client";
import { buttonClass, inputClass } from "@/app/(console)/admin/form-ui";
import { JobStateBadge } from "@/app/_components/jobs/job-state-badge";
import { useLiveJob } from "@/app/_components/jobs/use-live-job";
import { tuneOutcomeSchema, type TuneActionId, type TuneOutcome } from "@/server/contract/tuning";
import { LatencyBeforeAfter } from "@/app/_components/tuning/latency-before-after";

function parseParams(text: string): { params: Record<string, string>; error: string | null } {
  const params: Record<string, string> = {};
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line === "") continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return { params, error: `"${line.slice(0, 40)}" is not key=value` };
    const value = line.slice(eq + 1);
    if (value !== "") params[line.slice(0, eq)] = value;
  }
  return { params, error: null };
}

function newKey(): string {
  return `tune-${crypto.randomUUID()}`;
}

function show(v: string | null): string {
  if (v === null) return "(file absent)";
  return v.length > 300 ? `${v.slice(0, 300)}…` : v;
}

/** One tuning job, polled until it ends; `onOutcome` sees the agent's result. */
function TuneJob({ jobId, title, children }: { jobId: string; title: string; children: (o: TuneOutcome | null, done: boolean, reason: string | null) => ReactNode }) {
  const { query: q, job, done } = useLiveJob(jobId);
  if (!job) return <p className="text-sm text-slate-500">{q.error ? q.error.message : "Loading…"}</p>;
  const parsed = job.result ? tuneOutcomeSchema.safeParse(job.result) : null;
  return (
    <section className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900" aria-live="polite" data-testid={`tune-job-${title.toLowerCase()}`}>
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="font-semibold">{title}</h2>
        <JobStateBadge state={job.state} />
        {job.state === "pending" && <span className="text-sm text-slate-500">waiting for the host&apos;s agent</span>}
        <Link href={`/jobs/${job.id}`} className="text-sm text-sky-700 underline dark:text-sky-400">
          job details
        </Link>
      </div>
      {children(parsed?.success ? parsed.data : null, done, job.reason)}
    </section>
  );
}

function Changes({ o }: { o: TuneOutcome }) {
  if (o.mode !== "plan" && o.mode !== "apply") return null;
  if (o.changes.length === 0) return <p className="text-sm">Nothing to change: the host already matches.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="tune-changes">
        <thead>
          <tr className="text-left text-slate-500 dark:text-slate-400">
            <th className="py-1 pr-3 font-medium">Path</th>
            <th className="py-1 pr-3 font-medium">Current</th>
            <th className="py-1 pr-3 font-medium">Target</th>
            <th className="py-1 pr-3 font-medium">Takes effect</th>
            <th className="py-1 font-medium">Note</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {o.changes.map((c) => (
            <tr key={c.path} className="align-top">
              <td className="py-1 pr-3 font-mono text-xs break-all">{c.path}</td>
              <td className="py-1 pr-3 font-mono text-xs whitespace-pre-wrap">{show(c.current)}</td>
              <td className="py-1 pr-3 font-mono text-xs whitespace-pre-wrap">{show(c.target)}</td>
              <td className="py-1 pr-3">{c.effect === "boot" ? "next boot" : "now"}</td>
              <td className="py-1">{"status" in c && c.status === "refused" ? <strong>{c.note}</strong> : c.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OutcomeSummary({ o, reason }: { o: TuneOutcome | null; reason: string | null }) {
  if (!o) return reason ? <p className="text-sm text-rose-700 dark:text-rose-300">{reason}</p> : null;
  return (
    <div className="space-y-1 text-sm">
      <p data-testid="tune-outcome" data-ok={o.ok}>
        {o.ok ? <span className="font-medium text-emerald-700 dark:text-emerald-400">ok</span> : <span className="font-medium text-rose-700 dark:text-rose-300">failed: {o.error}</span>}
        {o.rebootRequired && <span className="ml-2 rounded bg-amber-100 px-1.5 text-amber-900 dark:bg-amber-500/20 dark:text-amber-200">reboot required</span>}
      </p>
      {o.skipped.length > 0 && (
        <ul className="list-disc pl-5">
          {o.skipped.map((s) => (
            <li key={s.path}>
              <code className="font-mono text-xs">{s.path}</code>: {s.reason}
            </li>
          ))}
        </ul>
      )}
      {o.notes.map((n) => (
        <p key={n} className="text-slate-600 dark:text-slate-400">
          {n}
        </p>
      ))}
    </div>
  );
}

/** The tuning result's latency: the window before the job next to the window since (server-side job times), refreshed while runs come in. */
function TuneLatency({ jobId }: { jobId: string }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.jobs.tuneLatency.queryOptions({ jobId }), refetchInterval: 5000 });
  return (
    <div data-testid="tune-latency">
      {q.data ? <LatencyBeforeAfter change={q.data} /> : <p className="text-sm text-slate-500 dark:text-slate-400">{q.error ? q.error.message : "Latency before and after: loading…"}</p>}
    </div>
  );
}

/** Plan (touches nothing) → confirm → apply → result, verify and rollback, each a job on the host's agent. */
export function TuneFlow({ hostId, hostname, action, ruleId, defaultParams, canOperate }: { hostId: string; hostname: string; action: TuneActionId; ruleId: string | null; defaultParams: string; canOperate: boolean }) {
  const trpc = useTRPC();
  const paramsId = useId();
  const [paramText, setParamText] = useState(defaultParams);
  const [planJob, setPlanJob] = useState<string | null>(null);
  const [applyJob, setApplyJob] = useState<string | null>(null);
  const [verifyJob, setVerifyJob] = useState<string | null>(null);
  const [rollbackJob, setRollbackJob] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const create = useMutation(trpc.jobs.createTune.mutationOptions());
  const parsed = parseParams(paramText);
  const base = { hostId, action, params: parsed.params, ...(ruleId ? { ruleId } : {}) };
  const run = (mode: "plan" | "apply" | "verify", set: (id: string) => void) => create.mutate({ ...base, mode, idempotencyKey: newKey() }, { onSuccess: (r) => set(r.id) });

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold tracking-tight">
          Fix with <code className="font-mono">{action}</code> on {hostname}
        </h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">The plan runs on the host&apos;s agent and changes nothing. Apply writes exactly what the plan listed, after saving the current values in the agent&apos;s ledger; rollback restores them byte for byte.</p>
      </div>
      <div className="space-y-1">
        <label htmlFor={paramsId} className="text-sm font-medium">
          Parameters (key=value per line; empty = the action&apos;s defaults)
        </label>
        <textarea id={paramsId} value={paramText} onChange={(e) => setParamText(e.target.value)} rows={3} className={`${inputClass} font-mono`} disabled={planJob !== null} />
        {parsed.error && <p className="text-sm text-rose-700">{parsed.error}</p>}
      </div>
      {canOperate && planJob === null && (
        <button type="button" className={buttonClass} disabled={create.isPending || parsed.error !== null} onClick={() => run("plan", setPlanJob)} data-testid="tune-plan">
          Show the plan
        </button>
      )}
      {create.error && (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {create.error.message}
        </p>
      )}
      {planJob && (
        <TuneJob jobId={planJob} title="Plan">
          {(o, done, reason) => (
            <>
              {o && <Changes o={o} />}
              <OutcomeSummary o={o} reason={reason} />
              {done && o?.ok && o.mode === "plan" && o.changes.length > 0 && applyJob === null && (
                <div className="flex flex-wrap items-center gap-3 pt-2">
                  <label className="flex items-center gap-2 text-sm">
                    <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="tune-confirm" />I reviewed these {o.changes.length} change(s)
                  </label>
                  <button
                    type="button"
                    className={buttonClass}
                    disabled={!confirmed || create.isPending}
                    onClick={() => run("apply", setApplyJob)}
                    data-testid="tune-apply"
                  >
                    Apply
                  </button>
                </div>
              )}
            </>
          )}
        </TuneJob>
      )}
      {applyJob && (
        <TuneJob jobId={applyJob} title="Apply">
          {(o, done, reason) => (
            <>
              {o && <Changes o={o} />}
              <OutcomeSummary o={o} reason={reason} />
              {o?.mode === "apply" && o.applyId && <p className="text-xs text-slate-500">ledger entry {o.applyId}</p>}
              {done && o?.mode === "apply" && o.applyId && (
                <div className="flex flex-wrap gap-3 pt-2">
                  {verifyJob === null && (
                    <button type="button" className={buttonClass} onClick={() => run("verify", setVerifyJob)} data-testid="tune-verify">
                      Verify
                    </button>
                  )}
                  {rollbackJob === null && (
                    <button
                      type="button"
                      className="rounded-md border border-rose-300 px-3 py-1.5 text-sm font-medium text-rose-700 hover:bg-rose-50 dark:border-rose-700 dark:text-rose-300 dark:hover:bg-rose-950"
                      onClick={() => create.mutate({ ...base, mode: "rollback", applyId: o.applyId ?? undefined, idempotencyKey: newKey() }, { onSuccess: (r) => setRollbackJob(r.id) })}
                      data-testid="tune-rollback"
                    >
                      Roll back
                    </button>
                  )}
                </div>
              )}
              {done && o?.ok && o.mode === "apply" && o.applyId && <TuneLatency jobId={applyJob} />}
            </>
          )}
        </TuneJob>
      )}
      {verifyJob && (
        <TuneJob jobId={verifyJob} title="Verify">
          {(o, _done, reason) => (
            <>
              <OutcomeSummary o={o} reason={reason} />
              {o?.mode === "verify" && (
                <ul className="list-disc pl-5 text-sm">
                  {o.checks.map((c) => (
                    <li key={c.path}>
                      {c.ok ? "ok" : "differs"} — <code className="font-mono text-xs">{c.path}</code>: {c.note}
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </TuneJob>
      )}
      {rollbackJob && (
        <TuneJob jobId={rollbackJob} title="Rollback">
          {(o, done, reason) => (
            <>
              <OutcomeSummary o={o} reason={reason} />
              {done && o?.ok && o.mode === "rollback" && o.restored.length > 0 && <TuneLatency jobId={rollbackJob} />}
              {o?.mode === "rollback" && (
                <ul className="list-disc pl-5 text-sm">
                  {o.restored.map((r) => (
                    <li key={r.path}>
                      <code className="font-mono text-xs">{r.path}</code>: {r.to === "removed" ? "removed (apply created it)" : "previous content restored"}
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </TuneJob>
      )}
      <p className="text-xs text-slate-500">Compliance is re-evaluated from the host&apos;s next report.</p>
    </div>
  );
}
