import type { JobState } from "@/server/contract/job";

const STYLE: Record<JobState, string> = {
  pending: "text-slate-700 bg-slate-100 ring-slate-500/20 dark:text-slate-300 dark:bg-slate-500/15 dark:ring-slate-400/30",
  claimed: "text-sky-800 bg-sky-50 ring-sky-600/20 dark:text-sky-300 dark:bg-sky-500/10 dark:ring-sky-400/30",
  running: "text-sky-800 bg-sky-50 ring-sky-600/20 dark:text-sky-300 dark:bg-sky-500/10 dark:ring-sky-400/30",
  succeeded: "text-emerald-800 bg-emerald-50 ring-emerald-600/20 dark:text-emerald-300 dark:bg-emerald-500/10 dark:ring-emerald-400/30",
  failed: "text-rose-800 bg-rose-50 ring-rose-600/20 dark:text-rose-300 dark:bg-rose-500/10 dark:ring-rose-400/30",
  cancelled: "text-amber-800 bg-amber-50 ring-amber-600/20 dark:text-amber-300 dark:bg-amber-500/10 dark:ring-amber-400/30",
};

/** The job's state in words (never colour alone). */
export function JobStateBadge({ state, cancelRequested = false }: { state: JobState; cancelRequested?: boolean }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLE[state]}`} data-testid="job-state" data-state={state}>
      {state}
      {cancelRequested && state !== "cancelled" ? " (cancel requested)" : ""}
    </span>
  );
}

export function VerdictBadge({ verdict }: { verdict: "pass" | "fail" }) {
  return (
    <span
      data-testid="migration-verdict"
      data-verdict={verdict}
      className={`inline-flex items-center rounded px-2 py-0.5 text-sm font-semibold ${verdict === "pass" ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-300" : "bg-rose-100 text-rose-800 dark:bg-rose-500/15 dark:text-rose-300"}`}
    >
      {verdict === "pass" ? "PASS" : "FAIL"}
    </span>
  );
}
