"use client";

import { useEffect, useSyncExternalStore } from "react";

export const THEME_STORAGE_KEY = "nfvdeck-theme";

function subscribeToHtmlClass(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}

/**
 * Dark-mode switch. The root layout's inline script applies the stored choice before first paint and
 * handles clicks on [data-theme-toggle] (so it works before hydration); this component only renders it.
 */
export function ThemeToggle() {
  // The <html> class is the source of truth; null on the server (it cannot know the browser's choice).
  const dark = useSyncExternalStore(subscribeToHtmlClass, () => document.documentElement.classList.contains("dark"), () => null);
  useEffect(() => {
    // Re-apply the choice: when Next client-renders a page from its error shell (a 404 thrown in a
    // layout) the <html> class set by the root layout's script is lost.
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(THEME_STORAGE_KEY);
    } catch {
      // storage blocked: follow the system preference
    }
    const wantDark = stored ? stored === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
    document.documentElement.classList.toggle("dark", wantDark);
  }, []);

  return (
    <button
      type="button"
      data-theme-toggle=""
      aria-pressed={dark ?? undefined}
      title={dark ? "Switch to light mode" : "Switch to dark mode"}
      className="inline-flex size-8 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white"
    >
      <span className="sr-only">Dark mode</span>
      {/* Both icons are rendered; CSS picks one, so the first paint is right before hydration. */}
      <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="size-4 dark:hidden">
        <path d="M10.5 2a8 8 0 1 0 7.5 10.8A6.5 6.5 0 0 1 10.5 2Z" />
      </svg>
      <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="hidden size-4 dark:block">
        <circle cx="10" cy="10" r="3.5" />
        <path d="M10 1.5v2M10 16.5v2M1.5 10h2M16.5 10h2M4 4l1.4 1.4M14.6 14.6 16 16M4 16l1.4-1.4M14.6 5.4 16 4" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
    </button>
  );
}
