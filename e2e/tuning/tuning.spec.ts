import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Page } from "@playwright/test";
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

/**
 * A demo-lab host (e2e/support/demo-host.ts: the demo's simulated agent behind the real agent port): its
 * agent takes the console's tune jobs and runs the real tune actions on its simulated tree, then reports.
 * Nothing here writes the database behind the console's back: the rule passes because the host's next
 * report says kernel.sched_rt_runtime_us = -1.
 */
test.describe("fixing a demo host from its compliance tab (the demo's simulated agent)", () => {
  const HOST = "nfvi-bj-c05"; // rt-throttling: kernel.sched_rt_runtime_us = 950000
  let base: string;
  let child: ChildProcess;
  let hostId: string;
  let output = "";

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    const databaseUrl = process.env.E2E_DATABASE_URL;
    if (!databaseUrl) throw new Error("E2E_DATABASE_URL is not set (e2e/global-setup.ts sets it)");
    base = mkdtempSync(path.join(os.tmpdir(), "e2e-demo-host-"));
    child = spawn(process.execPath, [path.join(REPO, "node_modules/tsx/dist/cli.mjs"), "e2e/support/demo-host.ts", "--host", HOST, "--state", path.join(base, "state")], {
      cwd: REPO,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const ready = await new Promise<{ hostId: string }>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line) resolve(JSON.parse(line) as { hostId: string });
      });
      child.on("exit", (code) => reject(new Error(`demo-host exited ${code}:\n${output.slice(-4000)}`)));
    });
    hostId = ready.hostId;
  });

  test.afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.stdin?.end();
      await exited;
    }
    rmSync(base, { recursive: true, force: true });
  });

  /** The rule's status on the compliance tab, reloading until it is `status` (the host's next report re-evaluates it). */
  async function expectRule(page: Page, status: "pass" | "fail") {
    await expect(async () => {
      await page.goto(`/hosts/${hostId}/compliance`);
      await expect(page.getByTestId("finding-runtime.sched-rt-runtime")).toHaveAttribute("data-status", status, { timeout: 1000 });
    }).toPass({ timeout: 45_000 });
  }

  test("Fix… runtime.sched-rt-runtime: plan, confirm, the job succeeds, the rule passes after the next report and the latency after passes the SLO; rollback fails it again", async ({ page, context }) => {
    test.setTimeout(240_000);
    // not in playwright's outputDir: concurrent runs on this box clear that one
    const shots = path.join(REPO, "node_modules/.cache/tuning-screenshots");
    await loginAs(page, "operator", `/hosts/${hostId}/compliance`);
    const finding = page.getByTestId("finding-runtime.sched-rt-runtime");
    await expect(finding).toHaveAttribute("data-status", "fail");
    await finding.getByRole("link", { name: /Fix…/ }).click();
    await expect(page.getByRole("heading", { name: new RegExp(`Fix with tune\\.sysctl\\.sched_rt_runtime_us on ${HOST}`) })).toBeVisible();

    await page.getByTestId("tune-plan").click();
    const plan = page.getByTestId("tune-job-plan");
    // the simulated agent long-polls: it takes the job by itself
    await expect(plan.getByTestId("tune-changes")).toContainText("/proc/sys/kernel/sched_rt_runtime_us", { timeout: 30_000 });
    await expect(plan.getByTestId("tune-changes")).toContainText("950000");
    await expect(plan.getByTestId("tune-changes")).toContainText("/etc/sysctl.d/99-nfvdeck.conf");
    await page.screenshot({ path: path.join(shots, "tuning-demo-plan.png"), fullPage: true });

    await page.getByTestId("tune-confirm").check();
    await page.getByTestId("tune-apply").click();
    const apply = page.getByTestId("tune-job-apply");
    await expect(apply.getByTestId("tune-outcome")).toHaveAttribute("data-ok", "true", { timeout: 30_000 });
    await expect(apply).toContainText("ledger entry");
    // before: the day of throttled runs; after: the run the host started once the job finished
    const latency = apply.getByTestId("tune-latency");
    await expect(latency.getByTestId("latency-before")).toHaveAttribute("data-slo", "fail");
    await expect(latency.getByTestId("latency-after")).toHaveAttribute("data-slo", "pass", { timeout: 45_000 });
    await expect(latency.getByTestId("latency-before").getByRole("link")).toHaveAttribute("href", new RegExp(`/hosts/${hostId}/latency\\?window=custom&from=`));
    await page.screenshot({ path: path.join(shots, "tuning-demo-applied-light.png"), fullPage: true });

    // the compliance tab, in a second tab: the rule passes once the host's next report is in
    const tab = await context.newPage();
    await expectRule(tab, "pass");
    const tied = tab.getByTestId("drift-tuning").first();
    await expect(tied).toContainText("apply");
    await expect(tied.getByTestId("latency-after")).toHaveAttribute("data-slo", "pass");
    await expect(tied.getByTestId("latency-before")).toHaveAttribute("data-slo", "fail");
    await tab.getByTestId("compliance-drift").screenshot({ path: path.join(shots, "tuning-demo-drift-light.png") });
    // the "after" link opens the latency view of exactly that window
    await tied.getByTestId("latency-after").getByRole("link").click();
    await expect(tab).toHaveURL(new RegExp(`/hosts/${hostId}/latency\\?window=custom`));
    await expect(tab.getByTestId("slo-badge").first()).toHaveAttribute("data-status", "pass");
    await tab.emulateMedia({ colorScheme: "dark" });
    await tab.goto(`/hosts/${hostId}/compliance`);
    await expect(tab.locator("html.dark")).toHaveCount(1);
    await tab.getByTestId("compliance-drift").screenshot({ path: path.join(shots, "tuning-demo-drift-dark.png") });

    // dark mode without a reload (the flow's state lives in the page): the header's toggle
    await page.getByRole("button", { name: "Dark mode" }).click();
    await expect(page.locator("html.dark")).toHaveCount(1);
    await page.screenshot({ path: path.join(shots, "tuning-demo-applied-dark.png"), fullPage: true });
    await page.getByTestId("tune-rollback").click();
    const rollback = page.getByTestId("tune-job-rollback");
    await expect(rollback.getByTestId("tune-outcome")).toHaveAttribute("data-ok", "true", { timeout: 30_000 });
    await expect(rollback).toContainText("removed (apply created it)");
    await expect(rollback.getByTestId("latency-after")).toHaveAttribute("data-slo", "fail", { timeout: 45_000 });
    await page.screenshot({ path: path.join(shots, "tuning-demo-rolled-back-dark.png"), fullPage: true });
    await expectRule(tab, "fail");
  });
});
