import fs from "node:fs";
import { defineConfig } from "@playwright/test";

/**
 * e2e: real Chromium (Debian's, never a downloaded one) against `next build && next start` on a
 * real PostgreSQL. e2e/global-setup.ts prepares the database, seeds it, builds and starts the app.
 * A missing browser is a failure with a clear message, never a skip.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(chromiumPath)) {
  throw new Error(
    `Chromium not found at ${chromiumPath}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH. ` +
      "The e2e suite never skips for a missing browser.",
  );
}

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "./e2e",
  testMatch: "**/*.spec.ts",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  // 2 cores: one worker keeps the app server and Chromium from starving each other.
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never", outputFolder: "node_modules/.cache/playwright-report" }]] : "list",
  outputDir: "node_modules/.cache/playwright-results",
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    browserName: "chromium",
    launchOptions: {
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});
