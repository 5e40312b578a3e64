"use client";

/**
 * An operator proposes a CAT mask for the VNF's class: ways toggled (or the hex typed) are validated on
 * every change with server/domain/qos/vnf-mask.ts against the host's latest resctrl section (contiguous
 * where required, at least min_cbm_bits, within cbm_mask, overlap with other classes and shareable bits).
 * Only a mask without errors can be submitted; the server validates it again and queues a tune.cat plan,
 * and after the plan was reviewed, the apply.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useState } from "react";
import { useTRPC } from "@/app/_trpc/client";
import { buttonClass, inputClass } from "@/app/(console)/admin/form-ui";
import { JobStateBadge } from "@/app/_components/jobs/job-state-badge";
import { TERMINAL_JOB_STATES } from "@/server/contract/job";
import type { ResctrlSection } from "@/server/contract/sections/resctrl";
import { tuneOutcomeSchema } from "@/server/contract/tuning";
import { validateVnfMask } from "@/server/domain/qos/vnf-mask";
import { parseHexMask } from "@/server/domain/tuning/cat-mask";
import { waysText } from "./mask-ways";

const TERMINAL: readonly string[] = TERMINAL_JOB_STATES;

function maskOfWays(on: readonly boolean[]): string {
  let v = 0n;
  on.forEach((b, i) => {
    if (b) v |= 1n << BigInt(i);
  });
  return v.toString(16);
}

function JobStatus({ jobId, title, onPlanned }: { jobId: string; title: string; onPlanned?: (changes: number) => void }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.jobs.get.queryOptions({ id: jobId }), refetchInterval: (query) => (query.state.data && TERMINAL.includes(query.state.data.job.state) ? false : 1000) });
  const job = q.data?.job;
  const outcome = job?.result ? tuneOutcomeSchema.safeParse(job.result) : null;
  const o = outcome?.success ? outcome.data : null;
  const planned = o && o.mode === "plan" && o.ok ? o.changes.length : null;
  useEffect(() => {
    if (planned !== null) onPlanned?.(planned);
  }, [planned, onPlanned]);
  return (
    <div className="space-y-1 rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700" aria-live="polite" data-testid={`mask-job-${title.toLowerCase()}`}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{title}</span>
        {job ? <JobStateBadge state={job.state} /> : <span className="text-slate-500">{q.error ? q.error.message : "…"}</span>}
        {job?.state === "pending" && <span className="text-slate-500 dark:text-slate-400">waiting for the host&apos;s agent</span>}
        <Link href={`/jobs/${jobId}`} className="text-sky-700 underline dark:text-sky-400">
          job details
        </Link>
      </div>
      {o && (
        <ul className="list-disc pl-5 text-xs">
          {o.error && <li className="text-rose-700 dark:text-rose-300">{o.error}</li>}
          {o.mode === "plan" && o.changes.map((c) => <li key={c.path} className="font-mono">{c.note}</li>)}
          {o.mode === "plan" && o.ok && o.changes.length === 0 && <li>already set: nothing to change</li>}
          {o.mode === "apply" && o.changes.map((c) => <li key={c.path} className="font-mono">{c.status}: {c.note}</li>)}
        </ul>
      )}
      {job?.reason && <p className="text-xs text-rose-700 dark:text-rose-300">{job.reason}</p>}
    </div>
  );
}

export function MaskProposal({ vnfId, vnfClass, hostname, section, initialMask, ways }: { vnfId: string; vnfClass: string; hostname: string; section: ResctrlSection; initialMask: string; ways: number }) {
  const trpc = useTRPC();
  const inputId = useId();
  const findingsId = useId();
  const [mask, setMask] = useState(initialMask);
  const [planJob, setPlanJob] = useState<string | null>(null);
  const [applyJob, setApplyJob] = useState<string | null>(null);
  const [planChanges, setPlanChanges] = useState<number | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const propose = useMutation(trpc.qos.proposeVnfMask.mutationOptions());

  const value = parseHexMask(mask);
  const on = Array.from({ length: ways }, (_, i) => value !== null && ((value >> BigInt(i)) & 1n) === 1n);
  const findings = mask.trim() === "" ? [{ severity: "error" as const, message: "enter a mask or pick ways" }] : validateVnfMask(section, vnfClass, mask.trim());
  const errors = findings.filter((f) => f.severity === "error");
  const locked = planJob !== null;
  const submit = (mode: "plan" | "apply", set: (id: string) => void) =>
    propose.mutate({ vnfId, mask: mask.trim(), mode, idempotencyKey: `vnf-mask-${crypto.randomUUID()}` }, { onSuccess: (r) => set(r.job.id) });

  return (
    <div className="space-y-3" data-testid="mask-proposal">
      <p className="text-sm text-slate-600 dark:text-slate-300">
        For class <code className="font-mono text-xs">{vnfClass}</code> on {hostname}, every L3 domain. Toggle ways or type the hex mask.
      </p>
      <div role="group" aria-label="Cache ways of the proposed mask (highest way first)" className="flex flex-wrap gap-0.5" data-testid="mask-ways-picker">
        {on
          .map((b, i) => ({ b, i }))
          .reverse()
          .map(({ b, i }) => (
            <button
              key={i}
              type="button"
              aria-pressed={b}
              aria-label={`way ${i}`}
              disabled={locked}
              onClick={() => setMask(maskOfWays(on.map((x, k) => (k === i ? !x : x))))}
              className="h-7 w-7 rounded-sm border font-mono text-[11px] focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-500 disabled:opacity-60 aria-pressed:border-sky-700 aria-pressed:bg-sky-600 aria-pressed:text-white border-slate-300 bg-slate-50 text-slate-600 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-300 dark:aria-pressed:border-sky-300 dark:aria-pressed:bg-sky-400 dark:aria-pressed:text-slate-950"
            >
              {i}
            </button>
          ))}
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor={inputId} className="mb-1 block text-xs font-medium text-slate-700 dark:text-slate-300">
            Mask (hex)
          </label>
          <input
            id={inputId}
            value={mask}
            onChange={(e) => setMask(e.target.value)}
            disabled={locked}
            aria-invalid={errors.length > 0}
            aria-describedby={findingsId}
            spellCheck={false}
            autoComplete="off"
            className={`${inputClass} w-32 font-mono`}
            data-testid="mask-input"
          />
        </div>
        <p className="pb-1.5 font-mono text-xs" data-testid="mask-summary">
          {value !== null ? waysText(value.toString(16), ways) : "not a hex mask"}
        </p>
      </div>
      <ul id={findingsId} className="space-y-1 text-sm" aria-live="polite" data-testid="mask-findings">
        {findings.length === 0 && (
          <li className="text-emerald-700 dark:text-emerald-300" data-severity="ok">
            ✓ valid: within cbm_mask, enough ways, contiguous, no overlap with other classes
          </li>
        )}
        {findings.map((f) => (
          <li key={f.message} data-severity={f.severity} className={f.severity === "error" ? "text-rose-700 dark:text-rose-300" : "text-amber-700 dark:text-amber-300"}>
            {f.severity === "error" ? "✗ " : "⚠ "}
            {f.message}
          </li>
        ))}
      </ul>
      {planJob === null && (
        <button type="button" className={buttonClass} disabled={errors.length > 0 || propose.isPending} onClick={() => submit("plan", setPlanJob)} data-testid="mask-plan">
          Plan tune.cat on {hostname}
        </button>
      )}
      {propose.error && (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300" data-testid="mask-error">
          {propose.error.message}
        </p>
      )}
      {planJob && <JobStatus jobId={planJob} title="Plan" onPlanned={setPlanChanges} />}
      {planJob && planChanges !== null && planChanges > 0 && applyJob === null && (
        <div className="flex flex-wrap items-center gap-3">
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="mask-confirm" />I reviewed the plan
          </label>
          <button type="button" className={buttonClass} disabled={!confirmed || propose.isPending} onClick={() => submit("apply", setApplyJob)} data-testid="mask-apply">
            Apply
          </button>
        </div>
      )}
      {applyJob && <JobStatus jobId={applyJob} title="Apply" />}
    </div>
  );
}
