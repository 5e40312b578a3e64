import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "@/e2e/support/test";
import { loginAs } from "@/e2e/support/login";

/** Opens a host (by its name on the fleet compliance matrix) on its Compliance tab. */
async function openHostCompliance(page: Page, hostname: string): Promise<void> {
  await page.goto("/compliance");
  await page.getByTestId("compliance-matrix").getByRole("link", { name: hostname, exact: true }).click();
  await expect(page).toHaveURL(/\/hosts\/[0-9a-f-]{36}\/compliance$/);
  await expect(page.getByTestId("host-name")).toHaveText(hostname);
  await expect(page.getByRole("link", { name: "Compliance", exact: true }).last()).toHaveAttribute("aria-current", "page");
}

async function failCount(page: Page): Promise<number> {
  const text = await page.getByTestId("compliance-summary").innerText();
  const m = /(\d+) failing/.exec(text);
  if (!m) throw new Error(`no failing count in "${text}"`);
  return Number(m[1]);
}

test.describe("compliance (viewer)", () => {
  test.beforeEach(async ({ page }) => {
    await loginAs(page, "viewer", "/compliance");
  });

  test("a failing host shows the failing rules with their evidence and remediation", async ({ page }) => {
    await openHostCompliance(page, "pod1-node03-ht");
    await expect(page.getByTestId("compliance-summary")).toContainText("KVM4NFV host");
    await expect(page.getByTestId("compliance-summary")).toContainText("default for a physical host");

    const irq = page.getByTestId("finding-runtime.irq-affinity");
    await expect(irq).toHaveAttribute("data-status", "fail");
    await expect(irq.getByTestId("evidence-items")).toContainText("IRQ 123 i40e-ens1f0-TxRx-3 → CPU 5");
    await expect(irq).toContainText("/proc/irq/*/effective_affinity_list");
    // tuning actions are a later issue: the id is shown as a badge, never a dead link
    await expect(irq.getByTestId("tuning-action")).toContainText("tune.irq-affinity");
    await expect(irq.getByRole("link", { name: /tune\.irq-affinity/ })).toHaveCount(0);

    const ht = page.getByTestId("finding-bios.hyper-threading");
    await expect(ht).toHaveAttribute("data-status", "fail");
    await expect(ht.getByTestId("evidence-observed")).toContainText("smt/active = 1");
    await expect(ht.getByTestId("evidence-observed")).toContainText("observed effect, BIOS setting not reported");

    const nohz = page.getByTestId("finding-kernel.isolcpus-equal-sets");
    await expect(nohz).toHaveAttribute("data-status", "fail");
    await expect(nohz.getByTestId("evidence-observed")).toHaveText("isolcpus=managed_irq,domain,4-19,44-59 nohz_full absent rcu_nocbs=4-19,44-59");
  });

  test("the VM gets the guest profile and no BIOS failures", async ({ page }) => {
    await openHostCompliance(page, "ci-vm-01");
    await expect(page.getByTestId("compliance-summary")).toContainText("KVM4NFV guest");
    await expect(page.getByTestId("compliance-summary")).toContainText("default for a virtual machine");
    await expect(page.locator('[data-testid^="finding-bios."]')).toHaveCount(0);
  });

  test("the fleet matrix filters failing runtime rules and exports CSV", async ({ page }) => {
    await page.goto("/compliance?section=runtime&status=fail");
    const matrix = page.getByTestId("compliance-matrix");
    await expect(matrix.getByRole("link", { name: "pod1-node03-ht", exact: true })).toBeVisible();
    // the reconstructed KVM4NFV baseline is clean at runtime
    await expect(matrix.getByRole("link", { name: "otcnfv02-baseline", exact: true })).toHaveCount(0);
    await expect(matrix.locator('tr[data-host="pod1-node03-ht"] [data-section="runtime"]')).toHaveAttribute("data-status", "fail");

    const download = page.waitForEvent("download");
    await page.getByTestId("export-csv").click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^nfvdeck-compliance-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[]).toString("utf8"));
    expect(text.split("\r\n")[0]).toContain("host_id,hostname,labels,profile");
    expect(text).toContain(",pod1-node03-ht,");
    expect(text).not.toContain(",otcnfv02-baseline,");
  });
});

test.describe("compliance profiles (admin)", () => {
  test("an admin clones the host profile, disables a rule, assigns it, and the host's result changes", async ({ page }) => {
    await loginAs(page, "admin", "/compliance");
    const host = "pod1-node04-cdp";
    await openHostCompliance(page, host);
    await expect(page.getByTestId("finding-bios.hyper-threading")).toHaveAttribute("data-status", "fail");
    const before = await failCount(page);

    const name = `E2E HT allowed ${randomUUID().slice(0, 6)}`;
    await page.goto("/compliance/profiles");
    const clone = page.getByRole("form", { name: "Clone a profile" });
    await clone.getByLabel("From").selectOption({ label: "KVM4NFV host" });
    await clone.getByLabel("New name").fill(name);
    await clone.getByRole("button", { name: "Clone" }).click();
    await expect(page.getByTestId("profile-name")).toHaveText(name);

    // An invalid parameter is refused with the reason, nothing saved.
    await page.getByLabel("Rule kernel.isolcpus parameters (JSON)").fill('{"cpus":"4-x"}');
    await page.getByTestId("save-profile").click();
    await expect(page.getByTestId("profile-save-status")).toContainText("not a cpu list");
    await page.getByRole("button", { name: "Discard" }).click();

    await page.getByLabel("Rule bios.hyper-threading enabled").uncheck();
    await page.getByTestId("save-profile").click();
    await expect(page.getByTestId("profile-save-status")).toContainText("Saved");

    const assign = page.getByRole("form", { name: "Assign profile" });
    await assign.getByLabel("Host").selectOption({ label: host });
    await assign.getByRole("button", { name: "Assign" }).click();
    await expect(page.getByTestId("assign-status")).toContainText("1 host(s) re-evaluated");

    await openHostCompliance(page, host);
    await expect(page.getByTestId("profile-link")).toHaveText(name);
    await expect(page.getByTestId("compliance-summary")).toContainText("assigned to this host");
    await expect(page.getByTestId("finding-bios.hyper-threading")).toHaveCount(0);
    expect(await failCount(page)).toBe(before - 1);
    await expect(page.getByTestId("drift-timeline")).toContainText("rule bios.hyper-threading fail → removed");
  });
});
