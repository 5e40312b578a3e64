import type { ReactNode } from "react";

export function Panel({ title, id, actions, children }: { title: string; id?: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={id ? `${id}-title` : undefined} className="rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900" data-testid={id}>
      <div className="flex items-center justify-between gap-3 border-b border-slate-200 px-4 py-2.5 dark:border-slate-800">
        <h2 id={id ? `${id}-title` : undefined} className="text-sm font-semibold tracking-tight">
          {title}
        </h2>
        {actions}
      </div>
      <div className="p-4">{children}</div>
    </section>
  );
}

export function SubHeading({ children }: { children: ReactNode }) {
  return <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{children}</h3>;
}

/** A definition list of facts: label left, value right. */
export function Facts({ items, className = "" }: { items: readonly (readonly [label: string, value: ReactNode])[]; className?: string }) {
  return (
    <dl className={`grid grid-cols-[minmax(8rem,auto)_1fr] gap-x-4 gap-y-1 text-sm ${className}`}>
      {items.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-slate-500 dark:text-slate-400">{label}</dt>
          <dd className="min-w-0 break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Mono({ children }: { children: ReactNode }) {
  return <span className="font-mono text-xs">{children}</span>;
}

/** A yes/no/unknown value with a word (not only a colour). */
export function YesNo({ value, good }: { value: boolean | null; good?: boolean }) {
  if (value === null) return <span className="text-slate-400 dark:text-slate-500">unknown</span>;
  const tone =
    good === undefined
      ? "text-slate-800 dark:text-slate-200"
      : value === good
        ? "text-emerald-700 dark:text-emerald-400"
        : "text-amber-700 dark:text-amber-400";
  return <span className={`font-medium ${tone}`}>{value ? "yes" : "no"}</span>;
}

export function Muted({ children }: { children: ReactNode }) {
  return <span className="text-slate-400 dark:text-slate-500">{children}</span>;
}
