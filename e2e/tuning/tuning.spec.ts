import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@/e2e/support/test";
import { loginAs } from "@/e2e/support/login";
import { readSeededHosts } from "@/e2e/support/seeded";

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, "../..");

test.describe("tuning from the compliance tab (operator)", () => {
  let base: string;
  test.beforeAll(() => {
    base = mkdtempSync(path.join(os.tmpdir(), "e2e-tune-"));
    cpSync(path.join(REPO, "agent/fixtures/ht-on-rdt"), path.join(base, "root"), { recursive: true });
  });
  test.afterAll(() => rmSync(base, { recursive: true, force: true }));

  /** The host's agent takes the pending job and runs it on the fixture copy. */
  async function agentRunsNextJob(hostId: string): Promise<string> {
    const databaseUrl = process.env.E2E_DATABASE_URL;
    if (!databaseUrl) throw new Error("E2E_DATABASE_URL is not set (e2e/global-setup.ts sets it)");
    const r = await run(process.execPath, [path.join(REPO, "node_modules/tsx/dist/cli.mjs"), "e2e/support/run-host-job.ts", "--host", hostId, "--root", path.join(base, "root"), "--state", path.join(base, "state")], {
      cwd: REPO,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    return r.stdout.trim();
  }

  test("Fix… on runtime.sched-rt-runtime: plan shown, confirmed, applied by the agent, rolled back", async ({ page }) => {
    test.setTimeout(180_000);
    const host = readSeededHosts().find((h) => h.hostname === "pod1-node03-ht");
    if (!host) throw new Error("seeded host pod1-node03-ht missing");
    const proc = path.join(base, "root/proc/sys/kernel/sched_rt_runtime_us");
    const original = readFileSync(proc, "utf8");

    await loginAs(page, "operator", `/hosts/${host.id}/compliance`);
    const finding = page.getByTestId("finding-runtime.sched-rt-runtime");
    await expect(finding).toHaveAttribute("data-status", "fail");
    await finding.getByRole("link", { name: /Fix…/ }).click();
    await expect(page).toHaveURL(new RegExp(`/hosts/${host.id}/tune\\?action=tune\\.sysctl\\.sched_rt_runtime_us&rule=runtime\\.sched-rt-runtime`));
    await expect(page.getByRole("heading", { name: /Fix with tune\.sysctl\.sched_rt_runtime_us on pod1-node03-ht/ })).toBeVisible();

    await page.getByTestId("tune-plan").click();
    const plan = page.getByTestId("tune-job-plan");
    await expect(plan).toContainText("waiting for the host's agent");
    expect(await agentRunsNextJob(host.id)).toMatch(/succeeded$/);
    await expect(plan.getByTestId("tune-changes")).toContainText("/proc/sys/kernel/sched_rt_runtime_us");
    await expect(plan.getByTestId("tune-changes")).toContainText("950000");
    await expect(plan.getByTestId("tune-changes")).toContainText("/etc/sysctl.d/99-nfvdeck.conf");
    expect(readFileSync(proc, "utf8")).toBe(original); // the plan touched nothing

    await expect(page.getByTestId("tune-apply")).toBeDisabled();
    await page.getByTestId("tune-confirm").check();
    await page.getByTestId("tune-apply").click();
    const apply = page.getByTestId("tune-job-apply");
    await expect(apply).toBeVisible();
    expect(await agentRunsNextJob(host.id)).toMatch(/succeeded$/);
    await expect(apply.getByTestId("tune-outcome")).toHaveAttribute("data-ok", "true");
    await expect(apply).toContainText("ledger entry");
    await expect(apply.getByTestId("tune-latency")).toBeVisible();
    expect(readFileSync(proc, "utf8")).toBe("-1\n");
    await page.screenshot({ path: path.join(REPO, "node_modules/.cache/playwright-results/tuning-applied.png"), fullPage: true });

    await page.getByTestId("tune-rollback").click();
    const rollback = page.getByTestId("tune-job-rollback");
    await expect(rollback).toBeVisible();
    expect(await agentRunsNextJob(host.id)).toMatch(/succeeded$/);
    await expect(rollback.getByTestId("tune-outcome")).toHaveAttribute("data-ok", "true");
    await expect(rollback).toContainText("removed (apply created it)");
    expect(readFileSync(proc, "utf8")).toBe(original);
  });

  test("a viewer sees the tuning action id but no Fix… link", async ({ page }) => {
    const host = readSeededHosts().find((h) => h.hostname === "pod1-node03-ht");
    if (!host) throw new Error("seeded host pod1-node03-ht missing");
    await loginAs(page, "viewer", `/hosts/${host.id}/compliance`);
    const finding = page.getByTestId("finding-runtime.sched-rt-runtime");
    await expect(finding.getByTestId("tuning-action")).toContainText("tune.sysctl.sched_rt_runtime_us");
    await expect(finding.getByRole("link", { name: /Fix…/ })).toHaveCount(0);
  });
});
