import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";
import { TRPCReactProvider } from "@/app/_trpc/client";

export const metadata: Metadata = {
  title: { default: "nfvdeck", template: "%s · nfvdeck" },
  description: "Console for NFVI KVM hosts tuned for low, deterministic latency",
};

// Sets the theme class before first paint, so dark mode never flashes, and handles the toggle with a
// delegated listener, so a click works even before React has hydrated the page.
const themeScript = `(()=>{const k="nfvdeck-theme",h=document.documentElement;try{const t=localStorage.getItem(k);const d=t?t==="dark":matchMedia("(prefers-color-scheme: dark)").matches;h.classList.toggle("dark",d)}catch{}document.addEventListener("click",e=>{const b=e.target instanceof Element&&e.target.closest("[data-theme-toggle]");if(!b)return;const d=!h.classList.contains("dark");h.classList.toggle("dark",d);try{localStorage.setItem(k,d?"dark":"light")}catch{}})})()`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen font-sans antialiased">
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
