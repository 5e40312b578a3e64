import Link from "next/link";

const LINK_CLASS = "rounded-md border border-slate-300 bg-white px-3 py-1 shadow-sm dark:border-slate-700 dark:bg-slate-900";

/**
 * A server-rendered paging bar: "first–last of matching · page n of last", then Previous and Next as
 * links to `href(page)` (plain GET navigation, so it works without JavaScript); at either end the
 * control is an aria-disabled span, out of the tab order.
 */
export function Pager({
  label,
  testId,
  page,
  pageSize,
  matching,
  rowCount,
  href,
  className,
}: {
  /** the nav's accessible name, e.g. "Report pages" */
  label: string;
  /** data-testid of the range text */
  testId: string;
  page: number;
  pageSize: number;
  /** rows matching over all pages */
  matching: number;
  /** rows on this page */
  rowCount: number;
  href: (page: number) => string;
  /** placement in the parent, e.g. "justify-end" or "ml-auto" */
  className: string;
}) {
  const lastPage = Math.max(1, Math.ceil(matching / pageSize));
  const first = matching === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = (page - 1) * pageSize + rowCount;
  return (
    <nav className={`${className} flex items-center gap-3 text-sm`} aria-label={label}>
      <span className="tabular-nums text-slate-500 dark:text-slate-400" data-testid={testId}>
        {first}–{last} of {matching} · page {page} of {lastPage}
      </span>
      <PageLink href={href(page - 1)} label="Previous" disabled={page <= 1} />
      <PageLink href={href(page + 1)} label="Next" disabled={page >= lastPage} />
    </nav>
  );
}

function PageLink({ href, label, disabled }: { href: string; label: string; disabled: boolean }) {
  if (disabled) {
    return (
      <span aria-disabled="true" className={`${LINK_CLASS} opacity-40`}>
        {label}
      </span>
    );
  }
  return (
    <Link href={href} className={`${LINK_CLASS} hover:border-slate-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500`}>
      {label}
    </Link>
  );
}
