"use client";

import { useState, useSyncExternalStore, type FormEvent } from "react";

const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-sky-500 focus:outline-2 focus:outline-offset-0 focus:outline-sky-500 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100";

const noSubscription = () => () => undefined;

/** Posts the credentials as JSON to better-auth; on success, a full navigation to `next` (the cookie is set by then). */
export function LoginForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // Until hydrated, a submit would be a native GET with the password in the URL: the button waits.
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    if (!email || !password) {
      setError("Enter your email and password.");
      return;
    }
    setPending(true);
    setError(null);
    try {
      const res = await fetch("/api/auth/sign-in/email", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password, rememberMe: true }),
      });
      if (res.ok) {
        window.location.assign(next);
        return;
      }
      setError(
        res.status === 401 || res.status === 400
          ? "Wrong email or password."
          : res.status === 429
            ? "Too many attempts. Wait a minute and try again."
            : `Sign-in failed (HTTP ${res.status}).`,
      );
    } catch {
      setError("The server could not be reached. Try again.");
    }
    setPending(false);
  }

  return (
    <form onSubmit={onSubmit} method="post" noValidate className="space-y-4" aria-describedby={error ? "login-error" : undefined}>
      <div>
        <label htmlFor="email" className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">
          Email
        </label>
        <input id="email" name="email" type="email" autoComplete="username" required autoFocus className={inputClass} />
      </div>
      <div>
        <label htmlFor="password" className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">
          Password
        </label>
        <input id="password" name="password" type="password" autoComplete="current-password" required className={inputClass} />
      </div>
      {error && (
        <p id="login-error" role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700 dark:bg-rose-500/10 dark:text-rose-300">
          {error}
        </p>
      )}
      <button
        type="submit"
        disabled={pending || !hydrated}
        className="w-full rounded-md bg-sky-600 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-sky-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:opacity-60"
      >
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
