import { expect, test } from "@/e2e/support/test";
import { loginAs } from "@/e2e/support/login";
import { readSeededHosts } from "@/e2e/support/seeded";

function hostId(hostname: string): string {
  const id = readSeededHosts().find((h) => h.hostname === hostname)?.id;
  if (!id) throw new Error(`${hostname} was not seeded`);
  return id;
}

test.describe("host Hardware & runtime tab (viewer)", () => {
  test.beforeEach(async ({ page }) => {
    await loginAs(page, "viewer");
  });

  test("HT-on host: IRQ 123 fires on isolated CPU 5, the filter keeps only it; hugepages per node", async ({ page }) => {
    const id = hostId("pod1-node03-ht");
    await page.goto(`/hosts/${id}`);
    await page.getByRole("link", { name: "Hardware & runtime" }).click();
    await expect(page).toHaveURL(new RegExp(`/hosts/${id}/hardware$`));
    await expect(page.getByRole("link", { name: "Hardware & runtime" })).toHaveAttribute("aria-current", "page");

    const irqs = page.getByTestId("irqs");
    await expect(irqs.getByTestId("irqs-on-isolated-count")).toHaveText("1");
    const rows = irqs.getByTestId("irq-row");
    await expect(rows).toHaveCount(17);
    const irq123 = irqs.locator('[data-testid="irq-row"][data-irq="123"]');
    await expect(irq123).toHaveAttribute("data-on-isolated", "true");
    await expect(irq123).toContainText("i40e-ens1f0-TxRx-3");
    await expect(irq123).toContainText("fires on 5");
    // TxRx-2 may fire on any CPU (smp_affinity 0-79) but really fires on housekeeping CPU 22
    await expect(irqs.locator('[data-testid="irq-row"][data-irq="122"]')).toHaveAttribute("data-on-isolated", "false");
    await expect(irqs.getByTestId("irq-other")).toContainText("Local timer interrupts");

    await irqs.getByRole("link", { name: /Only IRQs on isolated CPUs/ }).click();
    await expect(page).toHaveURL(/\?irqs=isolated/);
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-irq", "123");
    await irqs.getByRole("link", { name: /^All/ }).click();
    await expect(rows).toHaveCount(17);

    // 1 GiB pages (the default size): 16 on each node; node 0 holds the isolated CPUs 4-19,44-59
    const giant = page.locator('[data-testid="hugepages-size"][data-size-kb="1048576"]');
    await expect(giant).toContainText("default size");
    await expect(giant.getByTestId("hugepages-global")).toContainText("32");
    const node0 = giant.locator('[data-testid="hugepages-node"][data-node="0"]');
    const node1 = giant.locator('[data-testid="hugepages-node"][data-node="1"]');
    await expect(node0).toHaveAttribute("data-has-isolated", "true");
    await expect(node0).toContainText("isolated 4-19,44-59");
    await expect(node1).toHaveAttribute("data-has-isolated", "false");
    await expect(node0.locator("td").nth(0)).toHaveText("16");
    await expect(node0.locator("td").nth(1)).toHaveText("8");

    await expect(page.getByTestId("power").getByTestId("power-turbo")).toHaveAttribute("data-state", "on");
    await expect(page.getByTestId("power").getByTestId("power-turbo")).toContainText("intel_pstate/no_turbo = 0");
    await expect(page.getByTestId("power").getByTestId("power-smt")).toContainText("active yes");
    await expect(page.getByTestId("kvm").locator('[data-param="ple_gap"]')).toHaveAttribute("data-verdict", "differs");
    await expect(page.getByTestId("bios").getByTestId("bios-product")).toHaveText("PowerEdge R740");
    await expect(page.getByTestId("bios").getByTestId("bios-notice")).toContainText("no settings source is configured");
  });

  test("tuned baseline is clean; a VM explains its missing BIOS settings", async ({ page }) => {
    await page.goto(`/hosts/${hostId("otcnfv02-baseline")}/hardware?irqs=isolated`);
    const irqs = page.getByTestId("irqs");
    await expect(irqs.getByTestId("irqs-on-isolated-count")).toHaveText("0");
    await expect(irqs.getByTestId("irq-empty")).toHaveText("No IRQ has an effective affinity on an isolated CPU.");
    await expect(page.getByTestId("power").getByTestId("power-turbo")).toHaveAttribute("data-state", "off");
    await expect(page.getByTestId("kvm").locator('[data-verdict="differs"]')).toHaveCount(0);

    await page.goto(`/hosts/${hostId("ci-vm-01")}/hardware`);
    await expect(page.getByTestId("bios").getByTestId("bios-notice")).toContainText("VM guest: no BIOS settings");
    await expect(page.getByTestId("power").getByTestId("power-turbo")).toHaveAttribute("data-state", "not available");
  });
});
