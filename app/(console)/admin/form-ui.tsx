import type { ReactNode } from "react";

export const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 shadow-sm focus:border-sky-500 focus:outline-2 focus:outline-offset-0 focus:outline-sky-500 aria-[invalid=true]:border-rose-500 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100";

export const buttonClass =
  "rounded-md bg-sky-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-sky-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:opacity-60";

/** A labelled field with its validation message wired up through aria-describedby. */
export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-700 dark:text-slate-300">
        {label}
      </label>
      {children}
      {hint && !error && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-xs text-rose-600 dark:text-rose-400">
          {error}
        </p>
      )}
    </div>
  );
}

/** Field errors from a zod result (first message per field) or from tRPC's zodIssues. */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[] | string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const key = typeof issue.path === "string" ? issue.path : issue.path.map(String).join(".");
    out[key] ??= issue.message;
  }
  return out;
}

export function describedBy(id: string, error: string | undefined, hint?: string): string | undefined {
  if (error) return `${id}-error`;
  return hint ? `${id}-hint` : undefined;
}

/** tRPC client errors carry our errorFormatter's data.zodIssues. */
export function serverErrorOf(e: unknown): { message: string; fields: Record<string, string> } {
  const err = e as { message?: string; data?: { zodIssues?: { path: string; message: string }[] } } | null;
  const issues = err?.data?.zodIssues ?? [];
  return { message: issues.length ? "Check the highlighted fields." : (err?.message ?? "Request failed"), fields: fieldErrors(issues) };
}
