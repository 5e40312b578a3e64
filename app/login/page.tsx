import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/app/login/login-form";
import { currentPageUser } from "@/server/auth/page-guard";
import { safeNextPath } from "@/server/auth/next-path";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(typeof params.next === "string" ? params.next : null);
  if (await currentPageUser()) redirect(next);
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2 text-xl font-semibold tracking-tight">
          <svg aria-hidden="true" viewBox="0 0 24 24" className="size-7 text-sky-600 dark:text-sky-400" fill="none" stroke="currentColor" strokeWidth="2">
            <rect x="3" y="4" width="18" height="6" rx="1.5" />
            <rect x="3" y="14" width="18" height="6" rx="1.5" />
            <path d="M7 7h.01M7 17h.01" strokeLinecap="round" />
          </svg>
          nfvdeck
        </div>
        <section
          aria-labelledby="login-heading"
          className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900"
        >
          <h1 id="login-heading" className="mb-1 text-lg font-semibold">
            Sign in
          </h1>
          <p className="mb-5 text-sm text-slate-500 dark:text-slate-400">Console for NFVI KVM hosts</p>
          <LoginForm next={next} />
        </section>
      </div>
    </main>
  );
}
