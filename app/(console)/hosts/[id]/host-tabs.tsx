"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { HOST_TABS, hostTabHref } from "./tabs";

/** Tab bar as links (each tab is its own URL, so back/forward and sharing work). */
export function HostTabs({ hostId }: { hostId: string }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Host sections" className="print:hidden border-b border-slate-200 dark:border-slate-800">
      <ul className="-mb-px flex gap-1">
        {HOST_TABS.map((tab) => {
          const href = hostTabHref(hostId, tab);
          const active = pathname === href;
          return (
            <li key={tab.segment}>
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                className={`inline-block border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-500 ${
                  active
                    ? "border-sky-600 text-sky-700 dark:border-sky-400 dark:text-sky-300"
                    : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900 dark:text-slate-400 dark:hover:border-slate-600 dark:hover:text-white"
                }`}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
