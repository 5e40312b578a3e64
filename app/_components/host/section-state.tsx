import type { SectionView } from "@/server/domain/hosts/section-view";
import { formatAbsoluteTime } from "@/app/_components/format";

/** What to show instead of a section that has no usable data. */
export function SectionStateNotice({ name, view }: { name: string; view: Exclude<SectionView<unknown>, { state: "ok" }> }) {
  const text: Record<typeof view.state, string> = {
    missing: `This host has not reported its ${name} yet.`,
    unavailable: `The ${name} source does not exist on this host.`,
    error: `The agent failed to collect the ${name} section.`,
    invalid: `The stored ${name} section is in an older format this console cannot read.`,
  };
  const tone = view.state === "error" || view.state === "invalid" ? "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-500/40 dark:bg-amber-500/10 dark:text-amber-200" : "border-slate-200 bg-slate-50 text-slate-600 dark:border-slate-700 dark:bg-slate-800/50 dark:text-slate-300";
  return (
    <div className={`rounded-md border px-3 py-2 text-sm ${tone}`} role="status">
      <p>{text[view.state]}</p>
      {view.error && <p className="mt-1 font-mono text-xs break-words">{view.error}</p>}
      {view.collectedAt && <p className="mt-1 text-xs opacity-75">Reported {formatAbsoluteTime(view.collectedAt)}</p>}
    </div>
  );
}
