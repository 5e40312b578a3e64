import Link from "next/link";

/** Rendered with HTTP 403 when a page guard finds the role too low (server/auth/page-guard.ts). */
export default function Forbidden() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="text-sm font-semibold text-rose-600 dark:text-rose-400">403</p>
      <h1 className="text-2xl font-semibold">You do not have access to this page</h1>
      <p className="max-w-md text-sm text-slate-500 dark:text-slate-400">Your role does not allow it. Ask an admin if you need access.</p>
      <Link href="/fleet" className="rounded-md text-sm font-medium text-sky-700 underline hover:text-sky-600 dark:text-sky-400">
        Back to the fleet
      </Link>
    </main>
  );
}
