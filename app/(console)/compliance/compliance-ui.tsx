import type { RuleStatus, Severity } from "@/server/domain/compliance/types";

const STATUS_STYLE: Record<RuleStatus, string> = {
  pass: "text-emerald-800 bg-emerald-50 ring-emerald-600/20 dark:text-emerald-300 dark:bg-emerald-500/10 dark:ring-emerald-400/30",
  fail: "text-rose-800 bg-rose-50 ring-rose-600/20 dark:text-rose-300 dark:bg-rose-500/10 dark:ring-rose-400/30",
  warn: "text-amber-800 bg-amber-50 ring-amber-600/20 dark:text-amber-300 dark:bg-amber-500/10 dark:ring-amber-400/30",
  na: "text-slate-600 bg-slate-50 ring-slate-500/20 dark:text-slate-400 dark:bg-slate-500/10 dark:ring-slate-400/20",
};
export const STATUS_LABEL: Record<RuleStatus, string> = { pass: "pass", fail: "fail", warn: "warn", na: "n/a" };

/** Rule status as a word plus colour (never colour alone). */
export function RuleStatusBadge({ status }: { status: RuleStatus }) {
  return (
    <span className={`inline-flex w-11 justify-center rounded px-1.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${STATUS_STYLE[status]}`} data-rule-status={status}>
      {STATUS_LABEL[status]}
    </span>
  );
}

/** Matrix cell background per status. */
export const CELL_STYLE: Record<RuleStatus | "none", string> = {
  pass: "bg-emerald-100 text-emerald-900 dark:bg-emerald-500/20 dark:text-emerald-200",
  fail: "bg-rose-200 text-rose-950 dark:bg-rose-500/30 dark:text-rose-100",
  warn: "bg-amber-100 text-amber-950 dark:bg-amber-500/25 dark:text-amber-100",
  na: "bg-slate-100 text-slate-500 dark:bg-slate-800 dark:text-slate-400",
  none: "text-slate-400 dark:text-slate-600",
};

const SEVERITY_STYLE: Record<Severity, string> = {
  critical: "text-rose-700 dark:text-rose-400",
  major: "text-amber-700 dark:text-amber-400",
  minor: "text-slate-600 dark:text-slate-400",
  info: "text-sky-700 dark:text-sky-400",
};

export function SeverityTag({ severity }: { severity: Severity }) {
  return <span className={`text-xs font-medium uppercase tracking-wide ${SEVERITY_STYLE[severity]}`}>{severity}</span>;
}

export function ScoreText({ score }: { score: number | null }) {
  if (score === null) return <span className="text-slate-400">—</span>;
  const tone = score >= 90 ? "text-emerald-700 dark:text-emerald-400" : score >= 60 ? "text-amber-700 dark:text-amber-400" : "text-rose-700 dark:text-rose-400";
  return <span className={`font-semibold tabular-nums ${tone}`}>{score.toFixed(1)}</span>;
}
