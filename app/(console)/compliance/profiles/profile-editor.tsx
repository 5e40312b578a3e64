"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useMemo, useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_trpc/client";
import { Panel } from "@/app/_components/panel";
import { RULE_SECTION_TITLES, RULE_SECTIONS, SEVERITIES, type RuleSection, type Severity } from "@/server/domain/compliance/types";
import { SeverityTag } from "../compliance-ui";

const inputClass = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950 disabled:opacity-70";
const buttonClass = "rounded-md bg-sky-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-sky-500 disabled:opacity-60";

function errorText(e: unknown): string {
  const err = e as { message?: string; data?: { zodIssues?: { path: string; message: string }[] } } | null;
  const issues = err?.data?.zodIssues ?? [];
  if (issues.length > 0) return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  return err?.message ?? "request failed";
}

export function CloneProfileForm({ profiles }: { profiles: { id: string; name: string }[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const clone = useMutation(
    trpc.compliance.cloneProfile.mutationOptions({
      onSuccess: (out) => router.push(`/compliance/profiles/${encodeURIComponent(out.id)}`),
      onError: (e) => setError(errorText(e)),
    }),
  );
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setError(null);
    clone.mutate({ sourceId: String(form.get("sourceId") ?? ""), name: String(form.get("name") ?? "") });
  }
  return (
    <Panel title="Clone a profile" id="clone-profile">
      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3" aria-label="Clone a profile">
        <label className="text-xs font-medium">
          From
          <select name="sourceId" className={`mt-1 block ${inputClass}`} defaultValue={profiles[0]?.id}>
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className="text-xs font-medium">
          New name
          <input name="name" required minLength={3} maxLength={80} className={`mt-1 block w-72 ${inputClass}`} placeholder="e.g. RT lab (HT allowed)" />
        </label>
        <button type="submit" className={buttonClass} disabled={clone.isPending}>
          {clone.isPending ? "Cloning…" : "Clone"}
        </button>
        {error && (
          <p role="alert" className="basis-full text-sm text-rose-600 dark:text-rose-400">
            {error}
          </p>
        )}
      </form>
    </Panel>
  );
}

type CatalogueRule = {
  id: string;
  title: string;
  section: RuleSection;
  defaultSeverity: Severity;
  defaultParams: unknown;
  remediation: string;
  tuningActionId: string | null;
  source: string;
  expected: string;
};
type RuleConfig = { ruleId: string; enabled: boolean; severity: Severity; params: Record<string, unknown> };
type Profile = { id: string; name: string; builtIn: boolean; kind: "host" | "guest"; rules: RuleConfig[]; catalogue: CatalogueRule[]; labels: string[]; hosts: { id: string; hostname: string }[] };

type Row = { enabled: boolean; severity: Severity; paramsText: string; hasParams: boolean };

function initialRows(p: Profile): Map<string, Row> {
  const cfg = new Map(p.rules.map((r) => [r.ruleId, r]));
  const rows = new Map<string, Row>();
  for (const rule of p.catalogue) {
    const c = cfg.get(rule.id);
    const params = c?.params ?? (rule.defaultParams as Record<string, unknown>);
    rows.set(rule.id, {
      enabled: c ? c.enabled : false,
      severity: c?.severity ?? rule.defaultSeverity,
      paramsText: Object.keys(params).length > 0 ? JSON.stringify(params) : "",
      hasParams: Object.keys((rule.defaultParams as Record<string, unknown>) ?? {}).length > 0,
    });
  }
  return rows;
}

/** The rule table of a profile: switch rules on/off, change severity and params (admins, custom profiles). */
export function ProfileEditor({ profile, editable, isAdmin }: { profile: Profile; editable: boolean; isAdmin: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const original = useMemo(() => initialRows(profile), [profile]);
  const [rows, setRows] = useState(original);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const save = useMutation(
    trpc.compliance.updateProfile.mutationOptions({
      onSuccess: (out) => {
        setStatus({ ok: true, text: `Saved; ${out.reevaluated} host(s) re-evaluated.` });
        router.refresh();
      },
      onError: (e) => setStatus({ ok: false, text: errorText(e) }),
    }),
  );

  const changed = [...rows.entries()].filter(([id, r]) => {
    const o = original.get(id);
    return !o || o.enabled !== r.enabled || o.severity !== r.severity || o.paramsText !== r.paramsText;
  });

  function update(id: string, patch: Partial<Row>) {
    setRows((prev) => {
      const next = new Map(prev);
      const cur = next.get(id);
      if (cur) next.set(id, { ...cur, ...patch });
      return next;
    });
    setStatus(null);
  }

  function onSave() {
    const edits: { ruleId: string; enabled: boolean; severity: Severity; params?: Record<string, unknown> }[] = [];
    for (const [ruleId, r] of changed) {
      let params: Record<string, unknown> | undefined;
      if (r.hasParams) {
        try {
          const v: unknown = r.paramsText.trim() === "" ? {} : JSON.parse(r.paramsText);
          if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("params must be a JSON object");
          params = v as Record<string, unknown>;
        } catch (e) {
          setStatus({ ok: false, text: `rule "${ruleId}": params are not valid JSON (${e instanceof Error ? e.message : "parse error"})` });
          return;
        }
      }
      edits.push({ ruleId, enabled: r.enabled, severity: r.severity, ...(params ? { params } : {}) });
    }
    save.mutate({ id: profile.id, edit: { rules: edits } });
  }

  return (
    <div className="space-y-5">
      {isAdmin && <AssignForm profileId={profile.id} />}
      {editable ? (
        <div className="sticky top-14 z-10 flex flex-wrap items-center gap-3 rounded-md border border-slate-200 bg-white/95 px-3 py-2 shadow-sm dark:border-slate-800 dark:bg-slate-900/95">
          <button type="button" className={buttonClass} onClick={onSave} disabled={changed.length === 0 || save.isPending} data-testid="save-profile">
            {save.isPending ? "Saving…" : `Save ${changed.length} change${changed.length === 1 ? "" : "s"}`}
          </button>
          <button type="button" className="text-sm text-slate-600 underline dark:text-slate-400" onClick={() => setRows(original)} disabled={changed.length === 0}>
            Discard
          </button>
          {status && (
            <p role={status.ok ? "status" : "alert"} className={`text-sm ${status.ok ? "text-emerald-700 dark:text-emerald-400" : "text-rose-600 dark:text-rose-400"}`} data-testid="profile-save-status">
              {status.text}
            </p>
          )}
        </div>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">{profile.builtIn ? "Built-in profiles are read-only; clone one to change rules." : "Only admins can edit profiles."}</p>
      )}
      {RULE_SECTIONS.filter((s) => profile.catalogue.some((r) => r.section === s)).map((section) => (
        <Panel key={section} title={RULE_SECTION_TITLES[section]} id={`rules-${section}`}>
          <table className="w-full text-sm">
            <thead className="sr-only">
              <tr>
                <th>On</th>
                <th>Rule</th>
                <th>Severity</th>
                <th>Parameters</th>
              </tr>
            </thead>
            <tbody>
              {profile.catalogue
                .filter((r) => r.section === section)
                .map((rule) => {
                  const row = rows.get(rule.id);
                  if (!row) return null;
                  return (
                    <tr key={rule.id} className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800" data-rule={rule.id}>
                      <td className="w-10 py-2">
                        <input type="checkbox" aria-label={`Rule ${rule.id} enabled`} checked={row.enabled} disabled={!editable} onChange={(e) => update(rule.id, { enabled: e.target.checked })} className="size-4" />
                      </td>
                      <td className="py-2 pr-3">
                        <div className="font-medium">{rule.title}</div>
                        <div className="font-mono text-xs text-slate-500">{rule.id}</div>
                        <div className="text-xs text-slate-600 dark:text-slate-400">Expected: {rule.expected}</div>
                        <div className="text-xs text-slate-500">Source: {rule.source}</div>
                      </td>
                      <td className="w-32 py-2">
                        {editable ? (
                          <select aria-label={`Rule ${rule.id} severity`} value={row.severity} onChange={(e) => update(rule.id, { severity: e.target.value as Severity })} className={inputClass}>
                            {SEVERITIES.map((s) => (
                              <option key={s} value={s}>
                                {s}
                              </option>
                            ))}
                          </select>
                        ) : (
                          <SeverityTag severity={row.severity} />
                        )}
                      </td>
                      <td className="w-80 py-2">
                        {row.hasParams &&
                          (editable ? (
                            <input aria-label={`Rule ${rule.id} parameters (JSON)`} value={row.paramsText} onChange={(e) => update(rule.id, { paramsText: e.target.value })} className={`w-full font-mono text-xs ${inputClass}`} spellCheck={false} />
                          ) : (
                            <code className="text-xs">{row.paramsText}</code>
                          ))}
                      </td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        </Panel>
      ))}
    </div>
  );
}

function AssignForm({ profileId }: { profileId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const assign = useMutation(
    trpc.compliance.assignProfile.mutationOptions({
      onSuccess: (out) => {
        setStatus({ ok: true, text: `Assigned; ${out.reevaluated} host(s) re-evaluated.` });
        router.refresh();
      },
      onError: (e) => setStatus({ ok: false, text: errorText(e) }),
    }),
  );
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const hostId = String(form.get("hostId") ?? "");
    const label = String(form.get("label") ?? "").trim();
    setStatus(null);
    if (hostId && label) return setStatus({ ok: false, text: "choose a host or a label, not both" });
    if (!hostId && !label) return setStatus({ ok: false, text: "choose a host or type a label" });
    assign.mutate({ target: hostId ? { hostId } : { label }, profileId });
  }
  return (
    <Panel title="Assign this profile" id="assign-profile">
      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3" aria-label="Assign profile">
        <label className="text-xs font-medium">
          Host
          <select name="hostId" className={`mt-1 block w-64 ${inputClass}`} defaultValue="">
            <option value="">—</option>
            {(hosts.data?.hosts ?? []).map((h) => (
              <option key={h.id} value={h.id}>
                {h.hostname}
              </option>
            ))}
          </select>
        </label>
        <span className="pb-1.5 text-xs text-slate-500">or</span>
        <label className="text-xs font-medium">
          Label
          <input name="label" className={`mt-1 block w-48 ${inputClass}`} placeholder="e.g. rt-lab" />
        </label>
        <button type="submit" className={buttonClass} disabled={assign.isPending}>
          Assign
        </button>
        {status && (
          <p role={status.ok ? "status" : "alert"} className={`basis-full text-sm ${status.ok ? "text-emerald-700 dark:text-emerald-400" : "text-rose-600 dark:text-rose-400"}`} data-testid="assign-status">
            {status.text}
          </p>
        )}
      </form>
    </Panel>
  );
}
