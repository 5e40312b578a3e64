import Link from "next/link";
import type { ReactNode } from "react";
import { NavLinks, type NavItem } from "@/app/_components/nav-links";
import { ThemeToggle } from "@/app/_components/theme-toggle";
import { UserMenu } from "@/app/_components/user-menu";
import { SignInRedirect } from "@/app/_components/sign-in-redirect";
import { currentPageUser } from "@/server/auth/page-guard";
import { roleAtLeast } from "@/server/auth/session-user";

const NAV: readonly NavItem[] = [
  { href: "/fleet", label: "Fleet" },
  { href: "/compliance", label: "Compliance" },
  { href: "/latency", label: "Latency" },
  { href: "/vnfs", label: "VNFs" },
  { href: "/jobs", label: "Jobs" },
];
const ADMIN_NAV: NavItem = { href: "/admin", label: "Admin" };

/**
 * The signed-in console. Each page guards itself with requirePageUser(role, itsOwnPath): a layout
 * does not know the URL, and a redirect from here would lose where the visitor was going.
 */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await currentPageUser();
  if (!user) {
    return (
      <>
        {children}
        <SignInRedirect />
      </>
    );
  }
  const items = roleAtLeast(user.role, "admin") ? [...NAV, ADMIN_NAV] : NAV;
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md print:hidden bg-sky-600 px-3 py-2 text-sm font-medium text-white focus:not-sr-only focus:fixed focus:left-3 focus:top-3"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b print:hidden border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-900/90">
        <div className="mx-auto flex h-14 max-w-[1600px] items-center gap-6 px-4">
          <Link href="/fleet" className="flex items-center gap-2 rounded-md font-semibold tracking-tight focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500">
            <svg aria-hidden="true" viewBox="0 0 24 24" className="size-6 text-sky-600 dark:text-sky-400" fill="none" stroke="currentColor" strokeWidth="2">
              <rect x="3" y="4" width="18" height="6" rx="1.5" />
              <rect x="3" y="14" width="18" height="6" rx="1.5" />
              <path d="M7 7h.01M7 17h.01" strokeLinecap="round" />
            </svg>
            nfvdeck
          </Link>
          <nav aria-label="Main" className="flex-1">
            <NavLinks items={items} />
          </nav>
          <div className="flex items-center gap-2">
            <ThemeToggle />
            <UserMenu email={user.email} name={user.name} role={user.role} />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-[1600px] flex-1 px-4 py-6 focus:outline-none print:max-w-none print:px-0 print:py-0">
        {children}
      </main>
    </div>
  );
}
