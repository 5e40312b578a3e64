import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@/e2e/support/test";
import { loginAs } from "@/e2e/support/login";
import { NEVER_REPORTED_HOST } from "@/e2e/support/lab";
import { readSeededHosts } from "@/e2e/support/seeded";
import { startQemuPair, waitUntilDirtying, type QemuPair } from "@/agent/actions/test-support/qemu";

const REPO = path.resolve(import.meta.dirname, "../..");

/**
 * Live migration through the whole product on a real local QEMU pair (TCG, spawned here): the
 * operator's form → a job → the host's agent (its real JobRunner and migrate action) → QMP → result
 * in the database → live progress and the verdict in the page. The host is one that reports no `vms`
 * section, so the form asks for the VM's QMP socket path.
 */
test.describe.serial("live migration from the host page", () => {
  let pair: QemuPair;
  let state: string;
  let hostId: string;

  test.beforeAll(async () => {
    // a guest that keeps dirtying 96 MiB: at 32 MiB/s and 10 ms it does not converge (runs long enough to watch)
    pair = await startQemuPair({ dirtyMib: 96 });
    await waitUntilDirtying(pair.source.qmpSocket);
    state = mkdtempSync(path.join(os.tmpdir(), "e2e-migrate-state-"));
    const host = readSeededHosts().find((h) => h.hostname === NEVER_REPORTED_HOST);
    if (!host) throw new Error(`seeded host ${NEVER_REPORTED_HOST} missing`);
    hostId = host.id;
  });
  test.afterAll(async () => {
    await pair?.cleanup();
    rmSync(state, { recursive: true, force: true });
  });

  /** The host's agent takes the pending job and runs it (e2e/support/run-host-job.ts). */
  function agentRunsNextJob(): Promise<string> {
    const databaseUrl = process.env.E2E_DATABASE_URL;
    if (!databaseUrl) throw new Error("E2E_DATABASE_URL is not set (e2e/global-setup.ts sets it)");
    const child = spawn(process.execPath, [path.join(REPO, "node_modules/tsx/dist/cli.mjs"), "e2e/support/run-host-job.ts", "--host", hostId, "--root", "/", "--state", state], {
      cwd: REPO,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    return new Promise((resolve) => child.once("exit", () => resolve(out.trim())));
  }

  test("an operator starts a migration, sees live progress and the verdict", async ({ page }) => {
    test.setTimeout(180_000);
    await loginAs(page, "operator");
    await page.goto(`/hosts/${hostId}/migration`);
    await page.getByRole("link", { name: "Migration" }).first().waitFor();
    const form = page.getByTestId("migrate-form");
    await form.getByLabel("VM's QMP socket").fill(pair.source.qmpSocket);
    await form.getByLabel("Destination URI").fill(pair.uri);
    await form.getByLabel("Downtime limit (ms)").fill("10");
    await form.getByLabel("Max bandwidth (MiB/s)").fill("32");
    await form.getByRole("button", { name: "Migrate VM" }).click();

    // the form follows its job (the "In progress" panel below lists it too after the refresh)
    const live = page.getByTestId("migrate-vm").getByTestId("migration-live");
    await expect(live.getByTestId("job-state")).toHaveAttribute("data-state", "pending");
    await expect(live.getByTestId("migration-status")).toHaveText("waiting for the agent");
    const agent = agentRunsNextJob();

    // live progress from QEMU's query-migrate, relayed through the job's lease renewals
    await expect(live.getByTestId("migration-status")).toHaveText("active", { timeout: 90_000 });
    await expect(live.getByTestId("job-state")).toHaveAttribute("data-state", "running");
    await expect(live).not.toContainText("Elapsed—");
    await page.screenshot({ path: "node_modules/.cache/playwright-results/migration-progress.png", fullPage: true });

    const verdict = live.getByTestId("migration-verdict");
    await expect(verdict).toBeVisible({ timeout: 90_000 });
    await expect(verdict).toHaveAttribute("data-verdict", "fail");
    // the operator's policy (cancel) was applied: the job failed with QEMU's reason, the VM stays on the source
    await expect(live.getByTestId("job-state")).toHaveAttribute("data-state", "failed");
    await expect(live.getByTestId("migration-result")).toContainText(/did not converge .*cancelled; the VM is still running on the source/);
    await expect(live.getByTestId("migration-result")).toContainText("will not converge at 10 ms");
    expect(await agent).toMatch(/failed$/);
    await page.screenshot({ path: "node_modules/.cache/playwright-results/migration-verdict.png", fullPage: true });
  });

  test("a viewer sees the history, the chart and the audit trail, but no buttons", async ({ page }) => {
    await loginAs(page, "viewer");
    await page.goto(`/hosts/${hostId}/migration`);
    const history = page.getByTestId("migration-history-table");
    await expect(history).toContainText("src.qmp");
    await expect(history.getByTestId("migration-verdict")).toHaveAttribute("data-verdict", "fail");
    await expect(page.getByTestId("migration-history-chart")).toContainText("1 migration(s), 0 pass");
    await expect(page.getByTestId("migrate-form")).toHaveCount(0);
    await expect(page.getByRole("button")).not.toContainText(["Migrate VM"]);
    await expect(page.getByRole("button", { name: /Cancel/ })).toHaveCount(0);
    await page.screenshot({ path: "node_modules/.cache/playwright-results/migration-viewer.png", fullPage: true });

    await page.goto(`/jobs?kind=migrate&host=${hostId}`);
    const row = page.getByTestId("job-row").first();
    await expect(row).toContainText("operator@nfvdeck.local");
    await expect(row.getByTestId("job-state")).toHaveAttribute("data-state", "failed");
    await row.getByRole("link").first().click();
    const audit = page.getByTestId("job-audit-table");
    for (const action of ["job.create.migrate", "job.claim", "job.start", "job.failed"]) await expect(audit).toContainText(action);
    await expect(page.getByRole("button", { name: /Cancel/ })).toHaveCount(0);
    await page.screenshot({ path: "node_modules/.cache/playwright-results/job-detail.png", fullPage: true });
  });
});
