"use client";

import { useEffect } from "react";

/**
 * Fallback for a console page rendered without a session. Every page guards itself on the server
 * (requirePageUser with its own path, so login can return there); the layout cannot know the URL,
 * so it only adds this browser-side redirect in case a page forgot. Data stays protected by the
 * tRPC procedures either way.
 */
export function SignInRedirect() {
  useEffect(() => {
    const next = `${window.location.pathname}${window.location.search}`;
    window.location.replace(`/login?next=${encodeURIComponent(next)}`);
  }, []);
  return (
    <p className="p-8 text-center text-sm text-slate-500 dark:text-slate-400" role="status">
      Signing in is required. Redirecting to the login page…
    </p>
  );
}
