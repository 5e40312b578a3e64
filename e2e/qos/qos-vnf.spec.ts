/**
 * Cache QoS per VNF, end to end (issue 13). The seeded RDT host (pod1-node03-ht) reports the agent's
 * monitoring groups for two VNFs (qos-dpi-01 in the default class, qos-rt-01 in rt-vnf) and a noisy
 * episode two hours ago (e2e/support/qos-vnfs.ts): the host's way grid names the VNFs and lists the
 * flagged noisy neighbour; the VNF page shows occupancy / bandwidth per L3 domain, its class's mask and
 * the event; an operator's mask proposal is validated as they type and only a valid one is submitted.
 */
import os from "node:os";
import path from "node:path";
import { expect, test } from "@/e2e/support/test";
import { loginAs } from "@/e2e/support/login";
import { readSeededHosts } from "@/e2e/support/seeded";
import { QOS_NOISY_VNF, QOS_VICTIM_VNF, QOS_VNF_HOST } from "@/e2e/support/qos-vnfs";

/** outside Playwright's outputDir, which another run on this machine may clean while this one runs */
const SHOTS = process.env.E2E_SHOTS_DIR ?? path.join(os.tmpdir(), "nfvdeck-e2e-shots");

function hostId(hostname: string): string {
  const h = readSeededHosts().find((x) => x.hostname === hostname);
  if (!h) throw new Error(`seeded host ${hostname} missing`);
  return h.id;
}

test.describe.configure({ timeout: 90_000 });

test.describe("cache QoS per VNF", () => {
  test("the RDT host's way grid names the VNFs in each class and flags the noisy neighbour", async ({ page }) => {
    const id = hostId(QOS_VNF_HOST);
    await loginAs(page, "viewer", `/hosts/${id}/qos`);
    await page.goto(`/hosts/${id}/qos`);
    const d0 = page.getByTestId("cat-grid-domain-0");
    await expect(d0.getByRole("row", { name: /default/ }).getByTestId("cat-row-vnfs")).toHaveText(`VNF ${QOS_NOISY_VNF}`);
    await expect(d0.getByRole("row", { name: /rt-vnf/ }).getByTestId("cat-row-vnfs")).toHaveText(`VNF ${QOS_VICTIM_VNF}`);
    const row = page.getByTestId("noisy-table").getByTestId("noisy-row");
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(`VNF ${QOS_NOISY_VNF}`);
    await expect(row).toContainText(`VNF ${QOS_VICTIM_VNF}`);
    await expect(row).toContainText(/GB\/s → [\d.]+ GB\/s/);
  });

  test("the noisy VNF's page: occupancy and bandwidth per L3 domain, its class's mask, the event as aggressor", async ({ page }) => {
    await loginAs(page, "viewer", "/vnfs");
    await page.goto("/vnfs");
    await page.getByTestId(`vnf-row-${QOS_NOISY_VNF}`).getByRole("link", { name: QOS_NOISY_VNF }).click();
    await expect(page.getByTestId("vnf-title")).toHaveText(`VNF ${QOS_NOISY_VNF}`);
    await expect(page.getByTestId("vnf-host")).toContainText(`Monitored on ${QOS_VNF_HOST} in resctrl group mon_groups/nfvdeck-${QOS_NOISY_VNF} (monitored, 9 tasks)`);
    const occupancy = page.getByTestId("vnf-occupancy-chart");
    await expect(occupancy.locator("path.recharts-line-curve")).toHaveCount(2);
    await expect(occupancy.getByTestId("chart-summary")).toContainText(/L3 #0: latest [\d.]+ MiB.*L3 #1: latest [\d.]+ MiB/);
    await expect(page.getByTestId("vnf-mbm-chart").getByTestId("chart-summary")).toContainText(/L3 #0: latest [\d.]+ GB\/s/);
    // the default class: all 11 ways on both domains
    await expect(page.getByTestId("vnf-class-mask").getByTestId("mask-row")).toHaveText([/#0.*mask 7ff: ways 0–10 of 11 \(11 ways\)/, /#1.*mask 7ff: ways 0–10 of 11/]);
    const ev = page.getByTestId("vnf-noisy-row");
    await expect(ev).toHaveCount(1);
    await expect(ev.getByRole("rowheader")).toHaveText("aggressor");
    await expect(ev).toContainText(`VNF ${QOS_VICTIM_VNF}`);
    await expect(ev).toContainText(/MiB → [\d.]+ MiB/);
    // viewers see no proposal form
    await expect(page.getByTestId("mask-proposal")).toHaveCount(0);
    await page.screenshot({ path: path.join(SHOTS, "qos-vnf-page-light.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.reload();
    await expect(page.locator("html.dark")).toHaveCount(1);
    await expect(occupancy.locator("path.recharts-line-curve")).toHaveCount(2);
    await page.screenshot({ path: path.join(SHOTS, "qos-vnf-page-dark.png"), fullPage: true });
  });

  test("an operator proposes a mask for the victim's class: validated live, only a valid one goes to tune.cat", async ({ page }) => {
    await loginAs(page, "operator", "/vnfs");
    await page.goto("/vnfs");
    await page.getByTestId(`vnf-row-${QOS_VICTIM_VNF}`).getByRole("link", { name: QOS_VICTIM_VNF }).click();
    await expect(page.getByTestId("vnf-title")).toHaveText(`VNF ${QOS_VICTIM_VNF}`);
    await expect(page.getByTestId("vnf-noisy-row").getByRole("rowheader")).toHaveText("victim");
    await expect(page.getByTestId("vnf-class-mask").getByTestId("mask-row").first()).toContainText("mask 600: ways 9–10 of 11 (2 ways)");

    const form = page.getByTestId("mask-proposal");
    const input = form.getByLabel("Mask (hex)");
    const findings = form.getByTestId("mask-findings");
    const plan = form.getByTestId("mask-plan");
    await expect(input).toHaveValue("600");
    await expect(plan).toBeEnabled();
    // not contiguous
    await input.fill("5");
    await expect(findings.locator('[data-severity="error"]')).toContainText("not contiguous");
    await expect(input).toHaveAttribute("aria-invalid", "true");
    await expect(plan).toBeDisabled();
    // outside cbm_mask 7ff
    await input.fill("800");
    await expect(findings.locator('[data-severity="error"]')).toContainText("outside cbm_mask 7ff");
    await expect(plan).toBeDisabled();
    // ways toggled by keyboard: clear everything, then ways 5..8
    await input.fill("0");
    await expect(findings.locator('[data-severity="error"]')).toContainText("at least 1");
    for (const w of [5, 6, 7, 8]) {
      await form.getByRole("button", { name: `way ${w}`, exact: true }).focus();
      await page.keyboard.press("Space");
    }
    await expect(input).toHaveValue("1e0");
    await expect(form.getByTestId("mask-summary")).toHaveText("mask 1e0: ways 5–8 of 11 (4 ways)");
    await expect(findings.locator('[data-severity="error"]')).toHaveCount(0);
    await expect(findings.locator('[data-severity="warning"]').first()).toContainText("overlaps the default class");
    await expect(plan).toBeEnabled();
    await form.screenshot({ path: path.join(SHOTS, "qos-vnf-mask-proposal-light.png") });
    await page.getByRole("button", { name: "Dark mode" }).click();
    await expect(page.locator("html.dark")).toHaveCount(1);
    await form.screenshot({ path: path.join(SHOTS, "qos-vnf-mask-proposal-dark.png") });

    await plan.click();
    const job = form.getByTestId("mask-job-plan");
    await expect(job).toContainText(/pending|claimed|running/);
    await expect(input).toBeDisabled();
    await page.screenshot({ path: path.join(SHOTS, "qos-vnf-mask-submitted-dark.png"), fullPage: true });
    await job.getByRole("link", { name: "job details" }).click();
    await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
    await expect(page.locator("main")).toContainText("tune.cat");
    // no agent runs for this host here: cancel the pending plan, or the tuning spec's agent takes it
    await page.getByTestId("job-cancel").click();
    await expect(page.getByTestId("job-summary")).toContainText("cancelled");
    await expect(page.getByTestId("job-cancel")).toHaveCount(0);
  });
});
