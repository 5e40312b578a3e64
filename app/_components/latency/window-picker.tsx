import Link from "next/link";
import { WINDOW_PRESETS } from "@/server/domain/latency/window";

const LABEL: Record<string, string> = { "24h": "24 h", "7d": "7 d", "30d": "30 d" };

/**
 * Window presets as links plus a custom from/to form (a plain GET form: works without JS, and the
 * window lives in the URL so a report can be bookmarked). `extra` keeps other query parameters.
 */
export function WindowPicker({ basePath, current, extra = {}, from = "", to = "" }: { basePath: string; current: string; extra?: Record<string, string>; from?: string; to?: string }) {
  const qs = (p: Record<string, string>) => new URLSearchParams({ ...extra, ...p }).toString();
  return (
    <div className="flex flex-wrap items-end gap-3 print:hidden" data-testid="window-picker">
      <nav aria-label="Window" className="flex gap-1">
        {WINDOW_PRESETS.map((w) => (
          <Link
            key={w}
            href={`${basePath}?${qs({ window: w })}`}
            aria-current={current === w ? "page" : undefined}
            className="rounded-md border border-slate-300 px-2.5 py-1 text-sm font-medium hover:bg-slate-100 aria-[current=page]:border-sky-600 aria-[current=page]:bg-sky-600 aria-[current=page]:text-white dark:border-slate-700 dark:hover:bg-slate-800"
          >
            {LABEL[w]}
          </Link>
        ))}
      </nav>
      <form method="get" action={basePath} className="flex flex-wrap items-end gap-2 text-sm">
        {Object.entries(extra).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <input type="hidden" name="window" value="custom" />
        <label className="flex flex-col text-xs text-slate-600 dark:text-slate-400">
          From (UTC)
          <input type="datetime-local" name="from" defaultValue={from} required className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100" />
        </label>
        <label className="flex flex-col text-xs text-slate-600 dark:text-slate-400">
          To (UTC)
          <input type="datetime-local" name="to" defaultValue={to} required className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100" />
        </label>
        <button type="submit" className={`rounded-md border px-2.5 py-1 font-medium ${current === "custom" ? "border-sky-600 bg-sky-600 text-white" : "border-slate-300 dark:border-slate-700"}`}>
          Custom
        </button>
      </form>
    </div>
  );
}
