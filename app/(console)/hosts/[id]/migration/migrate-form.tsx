"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import Link from "next/link";
import { useTRPC } from "@/app/_trpc/client";
import { buttonClass, Field, fieldErrors, inputClass } from "@/app/(console)/admin/form-ui";
import { JobStateBadge } from "@/app/_components/jobs/job-state-badge";
import { MigrationLive } from "@/app/_components/jobs/migration-live";
import { asPredictionResult, ConvergenceBadge, PredictionFacts } from "@/app/_components/jobs/migration-prediction";
import { useLiveJob } from "@/app/_components/jobs/use-live-job";

export type VmChoice = { pid: number; name: string | null; qmpSocket: string | null };

const CAPABILITIES = ["auto-converge", "postcopy-ram", "multifd", "xbzrle"] as const;
type Capability = (typeof CAPABILITIES)[number];
type Policy = "cancel" | "postcopy" | "raise";

const POLICY_WORDS: Record<Policy, string> = {
  cancel: "nfvdeck cancels it and the VM stays on the source",
  postcopy: "nfvdeck switches to postcopy (only if postcopy-ram is enabled on both sides, else it cancels)",
  raise: "nfvdeck raises the downtime limit in steps up to a cap, then cancels",
};

/**
 * Operator's "Migrate VM" form, in two steps: "Predict" runs a predict_migration job on the host's agent
 * (the VM's live dirty rate against the bandwidth and downtime limit), the prediction is shown, and only
 * then "Confirm migration" creates the migrate job carrying it. Editing any input discards the
 * prediction. After confirming it follows the migration live.
 */
export function MigrateForm({ hostId, vms, sectionPresent }: { hostId: string; vms: readonly VmChoice[]; sectionPresent: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const usable = vms.filter((v) => v.qmpSocket !== null);
  const [pid, setPid] = useState<string>(usable[0] ? String(usable[0].pid) : "");
  const [socket, setSocket] = useState("");
  const [uri, setUri] = useState("tcp:127.0.0.1:4444");
  const [downtime, setDowntime] = useState("10");
  const [bandwidthMiB, setBandwidthMiB] = useState("");
  const [policy, setPolicy] = useState<Policy>("cancel");
  const [caps, setCaps] = useState<Capability[]>([]);
  const [jobId, setJobId] = useState<string | null>(null);
  const [predictionJobId, setPredictionJobId] = useState<string | null>(null);
  const [discarded, setDiscarded] = useState(false);
  /** Any edit invalidates the prediction: the operator must predict again before confirming. */
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      if (predictionJobId !== null) setDiscarded(true);
      setPredictionJobId(null);
      predict.reset();
      create.reset();
    };
  const predict = useMutation(trpc.jobs.createMigrationPrediction.mutationOptions({ onSuccess: (r) => (setPredictionJobId(r.id), setDiscarded(false)) }));
  const create = useMutation(
    trpc.jobs.createMigration.mutationOptions({
      onSuccess: (r) => {
        setJobId(r.id);
        setPredictionJobId(null);
        router.refresh();
      },
    }),
  );
  const failed = predict.error ?? create.error;
  const issues = (failed?.data as { zodIssues?: { path: string; message: string }[] } | undefined)?.zodIssues ?? [];
  const errors = fieldErrors(issues);
  const vm = sectionPresent ? { by: "pid" as const, pid: Number(pid) } : { by: "socket" as const, qmpSocket: socket, name: null };
  const bandwidth = bandwidthMiB.trim() === "" ? null : Math.round(Number(bandwidthMiB) * 1024 * 1024);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setJobId(null);
    predict.mutate({ hostId, vm, downtimeLimitMs: Number(downtime), maxBandwidthBytesPerS: bandwidth, idempotencyKey: crypto.randomUUID() });
  };
  const confirm = (predicted: string) =>
    create.mutate({
      hostId,
      vm,
      uri,
      destQmpSocket: null,
      downtimeLimitMs: Number(downtime),
      maxBandwidthBytesPerS: bandwidth,
      capabilities: caps,
      onNoConvergence: policy,
      timeoutS: 120,
      predictionJobId: predicted,
      // one migration per confirmed prediction, however often the button is pressed
      idempotencyKey: `confirm:${predicted}`,
    });
  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="space-y-3" data-testid="migrate-form">
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {sectionPresent ? (
            <Field id="mig-vm" label="VM" error={errors["vm.pid"] ?? errors.vm} hint={usable.length === 0 ? "no VM with a QMP unix socket on this host" : undefined}>
              <select id="mig-vm" className={inputClass} value={pid} onChange={(e) => edit(setPid)(e.target.value)} required>
                {usable.map((v) => (
                  <option key={v.pid} value={v.pid}>
                    {v.name ?? `pid ${v.pid}`} — {v.qmpSocket}
                  </option>
                ))}
              </select>
            </Field>
          ) : (
            <Field id="mig-socket" label="VM's QMP socket" error={errors["vm.qmpSocket"] ?? errors.vm} hint="this host reports no VMs section: give the monitor socket path">
              <input id="mig-socket" className={inputClass} value={socket} onChange={(e) => edit(setSocket)(e.target.value)} placeholder="/run/qemu/vm1.qmp" required />
            </Field>
          )}
          <Field id="mig-uri" label="Destination URI" error={errors.uri} hint="a QEMU started with -incoming, e.g. tcp:HOST:PORT">
            <input id="mig-uri" className={inputClass} value={uri} onChange={(e) => edit(setUri)(e.target.value)} required />
          </Field>
          <Field id="mig-downtime" label="Downtime limit (ms)" error={errors.downtimeLimitMs}>
            <input id="mig-downtime" type="number" min={1} max={60000} className={inputClass} value={downtime} onChange={(e) => edit(setDowntime)(e.target.value)} />
          </Field>
          <Field id="mig-bandwidth" label="Max bandwidth (MiB/s)" error={errors.maxBandwidthBytesPerS} hint="empty: QEMU's default">
            <input id="mig-bandwidth" type="number" min={0.01} step="any" className={inputClass} value={bandwidthMiB} onChange={(e) => edit(setBandwidthMiB)(e.target.value)} />
          </Field>
          <Field id="mig-policy" label="If it does not converge" error={errors.onNoConvergence}>
            <select id="mig-policy" className={inputClass} value={policy} onChange={(e) => edit(setPolicy)(e.target.value as Policy)}>
              <option value="cancel">cancel (VM stays on the source)</option>
              <option value="postcopy">switch to postcopy</option>
              <option value="raise">raise the downtime limit in steps</option>
            </select>
          </Field>
          <fieldset>
            <legend className="mb-1 block text-xs font-medium text-slate-700 dark:text-slate-300">Capabilities</legend>
            <div className="flex flex-wrap gap-3 text-sm">
              {CAPABILITIES.map((c) => (
                <label key={c} className="flex items-center gap-1.5">
                  <input type="checkbox" checked={caps.includes(c)} onChange={(e) => edit(setCaps)(e.target.checked ? [...caps, c] : caps.filter((x) => x !== c))} />
                  {c}
                </label>
              ))}
            </div>
          </fieldset>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={buttonClass} disabled={predict.isPending || (sectionPresent && usable.length === 0)}>
            {predict.isPending ? "Asking the agent…" : predictionJobId ? "Predict again" : "Predict"}
          </button>
          <span className="text-xs text-slate-500 dark:text-slate-400">step 1 of 2: the agent samples the VM&apos;s dirty rate (about 2 s); nothing is migrated yet</span>
          {failed && issues.length === 0 && (
            <span role="alert" className="text-sm text-rose-600 dark:text-rose-400">
              {failed.message}
            </span>
          )}
        </div>
        {discarded && predictionJobId === null && (
          <p role="status" className="text-sm text-amber-800 dark:text-amber-300" data-testid="prediction-discarded">
            The inputs changed, so the prediction was discarded: predict again before confirming.
          </p>
        )}
      </form>
      {predictionJobId && <PredictionStep jobId={predictionJobId} policy={policy} confirming={create.isPending} onConfirm={() => confirm(predictionJobId)} />}
      {jobId && <MigrationLive jobId={jobId} canCancel />}
    </div>
  );
}

/** Step 2: the prediction job, live; once it has an answer, the prediction and the confirm button. */
function PredictionStep({ jobId, policy, confirming, onConfirm }: { jobId: string; policy: Policy; confirming: boolean; onConfirm: () => void }) {
  const { query, job, done } = useLiveJob(jobId);
  if (!job) return <p className="text-sm text-slate-500">{query.error ? query.error.message : "Loading…"}</p>;
  const result = asPredictionResult(job.result);
  const ok = job.state === "succeeded" && result !== null;
  const prediction = result?.prediction ?? null;
  return (
    <section className="space-y-3 rounded-lg border border-slate-200 p-3 dark:border-slate-700" aria-live="polite" aria-labelledby="prediction-heading" data-testid="migration-prediction">
      <div className="flex flex-wrap items-center gap-3">
        <h3 id="prediction-heading" className="text-sm font-semibold">
          Pre-flight prediction
        </h3>
        <JobStateBadge state={job.state} />
        {ok && <ConvergenceBadge prediction={prediction} />}
        <Link href={`/jobs/${job.id}`} className="text-sm text-sky-700 underline dark:text-sky-400">
          job details
        </Link>
      </div>
      {!done && <p className="text-sm text-slate-600 dark:text-slate-300">{job.state === "pending" ? "waiting for the host's agent…" : "sampling the VM's dirty rate (calc-dirty-rate, page-sampling)…"}</p>}
      {done && !ok && (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300" data-testid="prediction-failed">
          The prediction failed: {job.reason ?? "no reason given"}. Fix the inputs and predict again.
        </p>
      )}
      {ok && (
        <>
          <PredictionFacts prediction={prediction} reason={result.reason} sampledMs={result.sampledMs} />
          {prediction !== null && !prediction.converges && (
            <p role="alert" className="rounded-md bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-500/10 dark:text-amber-200" data-testid="prediction-warning">
              Warning: at these limits this migration is predicted not to converge. If you confirm anyway and it does not converge, {POLICY_WORDS[policy]}.
            </p>
          )}
          {prediction === null && (
            <p role="alert" className="rounded-md bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-500/10 dark:text-amber-200" data-testid="prediction-warning">
              Warning: no prediction could be made; confirming migrates without one.
            </p>
          )}
          <div className="flex flex-wrap items-center gap-3">
            <button
              type="button"
              onClick={onConfirm}
              disabled={confirming}
              className={
                prediction?.converges
                  ? buttonClass
                  : "rounded-md bg-amber-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-amber-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-500 disabled:opacity-60"
              }
            >
              {confirming ? "Starting…" : prediction?.converges ? "Confirm migration" : "Confirm migration anyway"}
            </button>
            <span className="text-xs text-slate-500 dark:text-slate-400">step 2 of 2: creates the migrate job with this prediction</span>
          </div>
        </>
      )}
    </section>
  );
}
