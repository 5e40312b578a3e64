"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_trpc/client";
import { Panel } from "@/app/_components/panel";
import { formatAbsoluteTime } from "@/app/_components/format";
import { createTokenInput } from "@/server/auth/user-input";
import { buttonClass, describedBy, Field, fieldErrors, inputClass, serverErrorOf } from "./form-ui";

function tokenState(t: { usedAt: Date | null; expiresAt: Date }, now: number): string {
  if (t.usedAt) return "used";
  return t.expiresAt.getTime() <= now ? "expired" : "unused";
}

export function EnrollmentAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.enrollment.listTokens.queryOptions());
  const agentCa = useQuery(trpc.enrollment.getAgentCa.queryOptions());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [fresh, setFresh] = useState<{ token: string; expiresAt: Date } | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [now] = useState(() => Date.now());

  const create = useMutation(
    trpc.enrollment.createToken.mutationOptions({
      onSuccess: async (t) => {
        setFresh({ token: t.token, expiresAt: t.expiresAt });
        setCopied(null);
        await queryClient.invalidateQueries({ queryKey: trpc.enrollment.listTokens.queryKey() });
      },
      onError: (e) => {
        const { message, fields } = serverErrorOf(e);
        setErrors(fields);
        setFormError(message);
      },
    }),
  );

  function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    setFormError(null);
    const ttlText = String(form.get("ttlHours") ?? "").trim();
    const parsed = createTokenInput.safeParse({ note: String(form.get("note") ?? ""), ttlHours: ttlText === "" ? undefined : Number(ttlText) });
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error.issues));
      return;
    }
    setErrors({});
    create.mutate(parsed.data, { onSuccess: () => formEl.reset() });
  }

  async function copy(token: string) {
    try {
      await navigator.clipboard.writeText(token);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("Copy failed: select the token and copy it by hand.");
    }
  }

  return (
    <Panel title="Host enrolment tokens" id="admin-enrollment">
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
        A one-time token lets one host enrol: <code className="font-mono text-xs">nfvdeck-agent enroll --server URL --token TOKEN</code>. Only its hash is kept; the token is shown once.
      </p>
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-400" data-testid="agent-ca-fingerprint">
        {agentCa.data?.caFingerprint ? (
          <>
            Over the network the agent port speaks TLS only; agents pin its CA: add{" "}
            <code className="break-all font-mono text-xs">--ca-fingerprint {agentCa.data.caFingerprint}</code> (with an https:// server URL).
          </>
        ) : (
          "The agent port's CA does not exist yet (the agent API creates it at its first start)."
        )}
      </p>
      <form onSubmit={onCreate} noValidate aria-label="Create enrolment token" className="mb-4 grid gap-3 sm:grid-cols-[1fr_10rem_auto] sm:items-start">
        <Field id="token-note" label="Note (which host or rack)" error={errors.note}>
          <input id="token-note" name="note" type="text" autoComplete="off" className={inputClass} aria-invalid={!!errors.note} aria-describedby={describedBy("token-note", errors.note)} />
        </Field>
        <Field id="token-ttl" label="Valid for (hours)" error={errors.ttlHours}>
          <input id="token-ttl" name="ttlHours" type="number" min={1} max={720} defaultValue={24} inputMode="numeric" className={inputClass} aria-invalid={!!errors.ttlHours} aria-describedby={describedBy("token-ttl", errors.ttlHours)} />
        </Field>
        <div className="sm:pt-5">
          <button type="submit" className={buttonClass} disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create token"}
          </button>
        </div>
        {formError && <p role="alert" className="text-sm text-rose-600 dark:text-rose-400 sm:col-span-3">{formError}</p>}
      </form>

      {fresh && (
        <div role="region" aria-label="New enrolment token" className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 dark:border-amber-500/40 dark:bg-amber-500/10">
          <p className="mb-2 text-sm font-medium text-amber-900 dark:text-amber-200">
            Copy this token now: it will not be shown again (valid until {formatAbsoluteTime(fresh.expiresAt)}).
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <input
              readOnly
              value={fresh.token}
              aria-label="Enrolment token"
              data-testid="enrollment-token"
              onFocus={(e) => e.currentTarget.select()}
              className={`${inputClass} flex-1 font-mono`}
            />
            <button type="button" className={buttonClass} onClick={() => void copy(fresh.token)}>
              Copy
            </button>
            <button type="button" className="rounded-md px-3 py-1.5 text-sm text-slate-600 underline dark:text-slate-300" onClick={() => setFresh(null)}>
              Done
            </button>
          </div>
          <p aria-live="polite" className="mt-1 text-xs text-slate-600 dark:text-slate-400">{copied}</p>
        </div>
      )}

      {tokens.isError && <p role="alert" className="text-sm text-rose-600">Could not load tokens: {tokens.error.message}</p>}
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="tokens-table">
          <caption className="sr-only">Enrolment tokens</caption>
          <thead className="text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-2 pr-4">Note</th>
              <th scope="col" className="py-2 pr-4">State</th>
              <th scope="col" className="py-2 pr-4">Created</th>
              <th scope="col" className="py-2 pr-4">Expires</th>
              <th scope="col" className="py-2 pr-4">Host</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {(tokens.data ?? []).length === 0 && (
              <tr>
                <td colSpan={5} className="py-3 text-slate-500">No enrolment tokens yet.</td>
              </tr>
            )}
            {(tokens.data ?? []).map((t) => (
              <tr key={t.id}>
                <td className="py-2 pr-4">{t.note || <span className="text-slate-400">—</span>}</td>
                <td className="py-2 pr-4">{tokenState(t, now)}</td>
                <td className="py-2 pr-4 text-slate-500 dark:text-slate-400">{formatAbsoluteTime(t.createdAt)}</td>
                <td className="py-2 pr-4 text-slate-500 dark:text-slate-400">{formatAbsoluteTime(t.expiresAt)}</td>
                <td className="py-2 pr-4">
                  {t.hostId ? (
                    <a href={`/hosts/${t.hostId}`} className="font-mono text-xs text-sky-700 underline dark:text-sky-400">
                      {t.hostId.slice(0, 8)}
                    </a>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
