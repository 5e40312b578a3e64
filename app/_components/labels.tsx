/** Label chips; `nowrap` keeps them on one line (table rows keep one height; the cell title lists all). */
export function Labels({ labels, className = "", nowrap = false }: { labels: readonly string[]; className?: string; nowrap?: boolean }) {
  if (labels.length === 0) return <span className="text-slate-400 dark:text-slate-500">—</span>;
  return (
    <ul className={`flex gap-1 ${nowrap ? "flex-nowrap overflow-hidden" : "flex-wrap"} ${className}`} aria-label="labels">
      {labels.map((l) => (
        <li key={l} className="shrink-0 rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11px] leading-4 text-slate-700 ring-1 ring-inset ring-slate-200 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-700">
          {l}
        </li>
      ))}
    </ul>
  );
}
