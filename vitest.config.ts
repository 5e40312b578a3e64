import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["agent/**/*.test.ts", "server/**/*.test.ts", "prisma/**/*.test.ts", "app/**/*.test.ts"],
    exclude: ["node_modules", "dist", ".next", "e2e"],
    globalSetup: ["./server/test/global-setup.ts"],
    setupFiles: ["./server/test/setup-env.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
