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
 * section, so the form asks for the VM's QMP socket path. Before anything migrates, the operator runs the
 * pre-flight prediction (a predict_migration job on the same agent: the VM's live dirty rate) and sees it;
 * only then can they confirm, and the result shows the prediction beside QEMU's figures.
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

  test("an operator predicts, sees the prediction, confirms, sees live progress and the verdict beside the prediction", async ({ page }) => {
    test.setTimeout(240_000);
    await loginAs(page, "operator");
    await page.goto(`/hosts/${hostId}/migration`);
    await page.getByRole("link", { name: "Migration" }).first().waitFor();
    const form = page.getByTestId("migrate-form");
    await form.getByLabel("VM's QMP socket").fill(pair.source.qmpSocket);
    await form.getByLabel("Destination URI").fill(pair.uri);
    await form.getByLabel("Downtime limit (ms)").fill("20");
    await form.getByLabel("Max bandwidth (MiB/s)").fill("32");
    // step 1: nothing can be confirmed before a prediction exists
    await expect(page.getByRole("button", { name: /Confirm migration/ })).toHaveCount(0);
    await form.getByRole("button", { name: "Predict" }).click();
    const step = page.getByTestId("migration-prediction");
    await expect(step.getByTestId("job-state")).toHaveAttribute("data-state", "pending");
    await expect(step).toContainText("waiting for the host's agent");
    expect(await agentRunsNextJob()).toMatch(/succeeded$/);
    await expect(step.getByTestId("prediction-verdict")).toHaveAttribute("data-converges", "false", { timeout: 15_000 });
    await expect(step.getByTestId("prediction-message")).toContainText(/^dirty rate .* vs 32 MiB\/s: will not converge at 20 ms/);

    // editing an input after predicting discards the prediction: no confirm until predicted again
    await form.getByLabel("Downtime limit (ms)").fill("10");
    await expect(step).toHaveCount(0);
    await expect(page.getByTestId("prediction-discarded")).toBeVisible();
    await expect(page.getByRole("button", { name: /Confirm migration/ })).toHaveCount(0);
    await form.getByRole("button", { name: "Predict" }).click();
    expect(await agentRunsNextJob()).toMatch(/succeeded$/);
    await expect(step.getByTestId("prediction-verdict")).toHaveAttribute("data-converges", "false", { timeout: 15_000 });
    const predictedText = (await step.getByTestId("prediction-message").textContent()) ?? "";
    expect(predictedText).toMatch(/^dirty rate .* vs 32 MiB\/s: will not converge at 10 ms/);
    await expect(step.getByTestId("predicted-total")).toHaveText("does not finish");
    // a "will not converge" prediction may still be confirmed, with the warning shown first
    await expect(step.getByTestId("prediction-warning")).toContainText("predicted not to converge");
    await expect(step.getByTestId("prediction-warning")).toContainText("cancels it and the VM stays on the source");
    await page.screenshot({ path: test.info().outputPath("migration-predict-light.png"), fullPage: true });
    await page.evaluate(() => document.documentElement.classList.add("dark"));
    await page.screenshot({ path: test.info().outputPath("migration-predict-dark.png"), fullPage: true });
    await page.evaluate(() => document.documentElement.classList.remove("dark"));
    // keyboard: the confirm button takes focus and Enter presses it
    await step.getByRole("button", { name: "Confirm migration anyway" }).focus();
    await page.keyboard.press("Enter");

    // the form follows its job (the "In progress" panel below lists it too after the refresh)
    const live = page.getByTestId("migrate-vm").getByTestId("migration-live");
    await expect(live.getByTestId("job-state")).toHaveAttribute("data-state", "pending");
    await expect(live.getByTestId("migration-status")).toHaveText("waiting for the agent");
    // the prediction the operator confirmed travels with the job
    await expect(live.getByTestId("migration-preflight")).toContainText(predictedText);
    const agent = agentRunsNextJob();

    // live progress from QEMU's query-migrate, relayed through the job's lease renewals
    await expect(live.getByTestId("migration-status")).toHaveText("active", { timeout: 90_000 });
    await expect(live.getByTestId("job-state")).toHaveAttribute("data-state", "running");
    await expect(live).not.toContainText("Elapsed—");
    await page.screenshot({ path: test.info().outputPath("migration-progress.png"), fullPage: true });

    const verdict = live.getByTestId("migration-verdict");
    await expect(verdict).toBeVisible({ timeout: 90_000 });
    await expect(verdict).toHaveAttribute("data-verdict", "fail");
    // the operator's policy (cancel) was applied: the job failed with QEMU's reason, the VM stays on the source
    await expect(live.getByTestId("job-state")).toHaveAttribute("data-state", "failed");
    await expect(live.getByTestId("migration-result")).toContainText(/did not converge .*cancelled; the VM is still running on the source/);
    // the prediction beside the result: the confirmed one, the agent's re-sample at start, QEMU's figures
    const side = live.getByTestId("predicted-vs-actual");
    await expect(side.getByRole("row", { name: /Predicted \(confirmed\)/ })).toContainText(predictedText);
    await expect(side.getByRole("row", { name: /Predicted \(confirmed\)/ })).toContainText("does not finish");
    await expect(side.getByRole("row", { name: /Re-sampled at start/ })).toContainText("will not converge at 10 ms");
    await expect(side.getByRole("row", { name: /Actual \(QEMU\)/ })).toContainText("failed, fail");
    await expect(live.getByTestId("migration-total")).not.toHaveText("—");
    expect(await agent).toMatch(/failed$/);
    await page.screenshot({ path: test.info().outputPath("migration-verdict.png"), fullPage: true });
    await page.evaluate(() => document.documentElement.classList.add("dark"));
    await page.screenshot({ path: test.info().outputPath("migration-verdict-dark.png"), fullPage: true });
  });

  test("a viewer sees the history, the chart and the audit trail, but no buttons", async ({ page }) => {
    await loginAs(page, "viewer");
    await page.goto(`/hosts/${hostId}/migration`);
    const history = page.getByTestId("migration-history-table");
    await expect(history).toContainText("src.qmp");
    await expect(history.getByTestId("migration-verdict")).toHaveAttribute("data-verdict", "fail");
    await expect(history.getByTestId("history-predicted")).toHaveText("will not converge");
    await expect(page.getByTestId("migration-history-chart")).toContainText("Predicted beforehand: dirty rate");
    await expect(page.getByTestId("migration-history-chart")).toContainText("1 migration(s), 0 pass");
    await expect(page.getByTestId("migrate-form")).toHaveCount(0);
    await expect(page.getByRole("button", { name: /Predict|Confirm/ })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /Cancel/ })).toHaveCount(0);
    await page.screenshot({ path: test.info().outputPath("migration-viewer.png"), fullPage: true });

    await page.goto(`/jobs?kind=migrate&host=${hostId}`);
    const row = page.getByTestId("job-row").first();
    await expect(row).toContainText("operator@nfvdeck.local");
    await expect(row.getByTestId("job-state")).toHaveAttribute("data-state", "failed");
    await row.getByRole("link").first().click();
    const audit = page.getByTestId("job-audit-table");
    for (const action of ["job.create.migrate", "job.claim", "job.start", "job.failed"]) await expect(audit).toContainText(action);
    await expect(audit).toContainText('"predictionJobId"');
    await expect(page.getByRole("button", { name: /Cancel/ })).toHaveCount(0);
    await page.screenshot({ path: test.info().outputPath("job-detail.png"), fullPage: true });
  });
});
