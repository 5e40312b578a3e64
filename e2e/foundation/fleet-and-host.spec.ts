import { expect, test } from "@/e2e/support/test";
import { ALL_E2E_HOSTNAMES, E2E_HOSTS } from "@/e2e/support/lab";
import { loginAs } from "@/e2e/support/login";
import { readSeededHosts } from "@/e2e/support/seeded";

test.describe("fleet and host pages (viewer)", () => {
  test.beforeEach(async ({ page }) => {
    await loginAs(page, "viewer");
  });

  test("the fleet page lists every seeded host with its facts; opening one shows its topology", async ({ page }) => {
    await expect(page).toHaveURL(/\/fleet$/);
    const rows = page.getByTestId("fleet-row");
    await expect(rows).toHaveCount(ALL_E2E_HOSTNAMES.length);
    for (const name of ALL_E2E_HOSTNAMES) {
      await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
    }
    // Counts by status, from the heartbeat ages the seed gave each host.
    await expect(page.getByTestId("count-all")).toContainText(String(ALL_E2E_HOSTNAMES.length));
    await expect(page.getByTestId("count-stale")).toContainText("1");
    await expect(page.getByTestId("count-offline")).toContainText("2");

    const baseline = page.locator('[data-testid="fleet-row"][data-hostname="otcnfv02-baseline"]');
    await expect(baseline).toContainText("online");
    await expect(baseline).toContainText("Intel(R) Xeon(R) CPU E5-2699 v3 @ 2.30GHz");
    await expect(baseline).toContainText("2 / 2 / 36");
    await expect(baseline).toContainText("4.2.0-rt5-kvm4nfv");
    await expect(baseline).toContainText("kvm4nfv");

    await page.getByRole("link", { name: "otcnfv02-baseline", exact: true }).click();
    await expect(page).toHaveURL(/\/hosts\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("host-name")).toHaveText("otcnfv02-baseline");
    await expect(page.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
    const topology = page.getByTestId("topology");
    await expect(topology.getByTestId("topology-cpu-model")).toHaveText("Intel(R) Xeon(R) CPU E5-2699 v3 @ 2.30GHz");
    // isolcpus=11-15,31-35 on the baseline: 10 isolated CPUs, 26 housekeeping, on 2 sockets.
    const map = topology.getByTestId("cpu-map");
    await expect(map.locator("[data-cpu]")).toHaveCount(36);
    await expect(map.locator('[data-role="isolated"]')).toHaveCount(10);
    await expect(map.locator('[data-cpu="11"]')).toHaveAttribute("data-role", "isolated");
    await expect(map.locator('[data-cpu="16"]')).toHaveAttribute("data-role", "housekeeping");
    await expect(map.getByText("Socket 1")).toBeVisible();
    const kernel = page.getByTestId("kernel");
    await expect(kernel.getByTestId("kernel-release")).toHaveText("4.2.0-rt5-kvm4nfv");
    await expect(kernel.getByTestId("cmdline-params")).toContainText("isolcpus");
    await expect(kernel.getByTestId("isolation-table")).toContainText("11-15,31-35");
  });

  test("sorting and filtering live in the URL and work from the keyboard", async ({ page }) => {
    const names = () => page.getByTestId("fleet-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-hostname")));
    const sorted = [...ALL_E2E_HOSTNAMES].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    await expect.poll(names).toEqual(sorted);

    // Keyboard: focus the Host column's sort button and press Enter → descending.
    const hostSort = page.getByRole("columnheader", { name: /Host/ }).getByRole("button");
    await hostSort.focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/sort=hostname&dir=desc/);
    await expect(page.getByRole("columnheader", { name: /Host/ })).toHaveAttribute("aria-sort", "descending");
    await expect.poll(names).toEqual([...sorted].reverse());

    // "pod1" matches host names and labels (the baseline host is labelled pod1).
    await page.getByRole("searchbox", { name: "Filter hosts" }).fill("pod1");
    await expect(page).toHaveURL(/q=pod1/);
    await expect.poll(names).toEqual(["pod1-node04-cdp", "pod1-node03-ht", "otcnfv02-baseline"]);
    await expect(page.getByTestId("fleet-shown")).toHaveText(`3 of ${ALL_E2E_HOSTNAMES.length} shown`);

    await page.getByRole("combobox", { name: "Status" }).selectOption("stale");
    await expect(page).toHaveURL(/status=stale/);
    await expect.poll(names).toEqual(["pod1-node04-cdp"]);

    // The state survives a reload: it is server-rendered from the URL.
    await page.reload();
    await expect(page.getByRole("searchbox", { name: "Filter hosts" })).toHaveValue("pod1");
    await expect.poll(names).toEqual(["pod1-node04-cdp"]);
  });

  test("a host without reports, an unknown id and a malformed id", async ({ page }) => {
    await page.getByRole("link", { name: "pod3-new-01", exact: true }).click();
    await expect(page.getByTestId("host-name")).toHaveText("pod3-new-01");
    await expect(page.getByTestId("topology")).toContainText("has not reported its topology yet");

    const unknown = await page.goto("/hosts/00000000-0000-4000-8000-000000000000");
    expect(unknown?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Host not found" })).toBeVisible();

    const malformed = await page.goto("/hosts/not-a-uuid");
    expect(malformed?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Host not found" })).toBeVisible();
  });

  test("every seeded fixture host page renders its sections", async ({ page }) => {
    const seeded = readSeededHosts();
    for (const h of E2E_HOSTS) {
      const id = seeded.find((s) => s.hostname === h.hostname)?.id;
      expect(id, `seeded id of ${h.hostname}`).toBeTruthy();
      await page.goto(`/hosts/${id}`);
      await expect(page.getByTestId("host-name")).toHaveText(h.hostname);
      await expect(page.getByTestId("topology")).toBeVisible();
      await expect(page.getByTestId("kernel")).toBeVisible();
    }
  });
});
