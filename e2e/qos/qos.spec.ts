/**
 * Cache QoS tab, end to end: a viewer opens the seeded RDT host (ht-on-rdt fixture, resctrl mounted,
 * simulated CMT/MBM readings), reaches the tab from the host tabs by keyboard, sees the CAT way grid
 * and the charts with their text summaries; the VM host says why there is nothing to show.
 */
import { expect, test } from "@/e2e/support/test";
import { loginAs } from "@/e2e/support/login";
import { readSeededHosts } from "@/e2e/support/seeded";

function hostId(hostname: string): string {
  const h = readSeededHosts().find((x) => x.hostname === hostname);
  if (!h) throw new Error(`seeded host ${hostname} missing`);
  return h.id;
}

test.describe("cache QoS tab", () => {
  test("an RDT host shows its CAT allocation grid and occupancy / bandwidth charts", async ({ page }) => {
    const id = hostId("pod1-node03-ht");
    await loginAs(page, "viewer", `/hosts/${id}`);
    await page.goto(`/hosts/${id}`);
    const tab = page.getByRole("link", { name: "Cache QoS" });
    await tab.focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/hosts/${id}/qos$`));

    const grid = page.getByTestId("cat-grid");
    await expect(grid).toBeVisible();
    // ht-on-rdt: two L3 domains, root and rt-vnf control groups, 11 ways (cbm_mask 7ff)
    const d0 = page.getByTestId("cat-grid-domain-0");
    await expect(d0.getByTestId("cat-row").getByRole("rowheader")).toHaveText(["/ (default)", "rt-vnf"]);
    // bit_usage "0=HHXXXXXXSSS": way 10 is used by hardware (I/O)
    await expect(d0.getByTitle(/^way 10: used by hardware only/)).toHaveText("H");
    await expect(d0.getByRole("columnheader", { name: /^\d+\*?$/ })).toHaveCount(11);
    await expect(d0.getByRole("row", { name: /rt-vnf/ })).toContainText("mask 600: ways 9–10 of 11 (2 ways)");
    await expect(page.getByTestId("cat-grid-domain-1")).toBeVisible();

    const groups = page.getByTestId("qos-groups-table");
    await expect(groups.getByRole("row", { name: /rt-vnf/ })).toContainText("4-7,44-47");
    await expect(groups.getByRole("row", { name: /rt-vnf/ })).toContainText("50 %");

    const occupancy = page.getByTestId("qos-occupancy-chart");
    await expect(occupancy.locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
    await expect(occupancy.locator("path.recharts-line-curve").first()).toBeVisible();
    await expect(occupancy.getByTestId("chart-summary")).toContainText(/rt-vnf · L3 #0: latest [\d.]+ MiB/);
    await expect(page.getByTestId("qos-mbm-total-chart").getByTestId("chart-summary")).toContainText(/GB\/s/);

    // the 7-day window keeps the readings
    await page.getByRole("link", { name: "7 d" }).click();
    await expect(page).toHaveURL(/window=7d/);
    await expect(page.getByTestId("qos-resets")).toContainText(/readings/);
  });

  test("a VM says Cache QoS is not available and why", async ({ page }) => {
    const id = hostId("ci-vm-01");
    await loginAs(page, "viewer", `/hosts/${id}/qos`);
    await page.goto(`/hosts/${id}/qos`);
    const msg = page.getByTestId("qos-not-available");
    await expect(msg).toContainText("Cache QoS is not available on this host.");
    await expect(msg).toContainText(/virtual machine/);
    await expect(page.getByTestId("cat-grid")).toHaveCount(0);
  });
});
