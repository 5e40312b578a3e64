import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";
import { TRPCReactProvider } from "@/app/_trpc/client";

export const metadata: Metadata = {
  title: { default: "nfvdeck", template: "%s · nfvdeck" },
  description: "Console for NFVI KVM hosts tuned for low, deterministic latency",
};

// Sets the theme class before first paint, so dark mode never flashes.
const themeScript = `(()=>{try{const t=localStorage.getItem("nfvdeck-theme");const d=t?t==="dark":matchMedia("(prefers-color-scheme: dark)").matches;document.documentElement.classList.toggle("dark",d)}catch{}})()`;

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
