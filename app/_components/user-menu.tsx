"use client";

import { useRef, useState } from "react";
import type { Role } from "@/server/auth/session-user";

/**
 * The signed-in user, their role and logout. A native <details> disclosure: keyboard-usable
 * without scripts (Enter/Space toggles); Escape closes it and returns focus to the button.
 */
export function UserMenu({ email, name, role }: { email: string; name: string; role: Role }) {
  const ref = useRef<HTMLDetailsElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function logout() {
    setPending(true);
    setError(null);
    try {
      // better-auth's endpoint; the browser adds Origin, which the server checks (CSRF).
      const res = await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      // A full page load, not a client navigation: nothing of the session stays in memory.
      window.location.replace("/login");
    } catch (e) {
      setError(`Logout failed (${e instanceof Error ? e.message : String(e)})`);
      setPending(false);
    }
  }

  return (
    <details
      ref={ref}
      className="group relative"
      onKeyDown={(e) => {
        if (e.key === "Escape" && ref.current?.open) {
          ref.current.open = false;
          ref.current.querySelector("summary")?.focus();
        }
      }}
    >
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-2 py-1 text-sm text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 dark:text-slate-200 dark:hover:bg-slate-800 [&::-webkit-details-marker]:hidden">
        <span className="max-w-48 truncate" data-testid="user-email">{email}</span>
        <span className="rounded bg-sky-100 px-1.5 py-0.5 text-[11px] font-semibold uppercase tracking-wide text-sky-800 dark:bg-sky-500/15 dark:text-sky-300" data-testid="user-role">
          {role}
        </span>
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="size-4 transition-transform group-open:rotate-180">
          <path d="M5.2 7.2a.75.75 0 0 1 1.06 0L10 10.94l3.74-3.74a.75.75 0 1 1 1.06 1.06l-4.27 4.27a.75.75 0 0 1-1.06 0L5.2 8.26a.75.75 0 0 1 0-1.06Z" />
        </svg>
      </summary>
      <div className="absolute right-0 z-20 mt-1 w-64 rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900">
        <p className="truncate font-medium text-slate-900 dark:text-slate-100">{name}</p>
        <p className="truncate text-slate-500 dark:text-slate-400">{email}</p>
        <p className="mt-1 text-slate-500 dark:text-slate-400">
          Role: <span className="font-medium text-slate-700 dark:text-slate-200">{role}</span>
        </p>
        <button
          type="button"
          onClick={logout}
          disabled={pending}
          className="mt-3 w-full rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:opacity-60 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-white"
        >
          {pending ? "Logging out…" : "Log out"}
        </button>
        {error && (
          <p role="alert" className="mt-2 text-rose-600 dark:text-rose-400">
            {error}
          </p>
        )}
      </div>
    </details>
  );
}
