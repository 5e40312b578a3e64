/**
 * The fleet page's compliance column and filter (issue 4): a manager narrows the fleet to hosts
 * failing kernel (or BIOS) rules; the filter lives in the URL like the others; the column links to
 * the host's Compliance tab and sorts by score.
 */
import type { Page } from "@playwright/test";
import { expect, test } from "@/e2e/support/test";
import { ALL_E2E_HOSTNAMES, NEVER_REPORTED_HOST } from "@/e2e/support/lab";
import { loginAs } from "@/e2e/support/login";

const shownHosts = (page: Page) => page.getByTestId("fleet-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-hostname")).sort());

test.describe("fleet compliance (viewer)", () => {
  test.beforeEach(async ({ page }) => {
    await loginAs(page, "viewer");
  });

  test("filters by failing kernel rules and by failing BIOS rules, kept in the URL", async ({ page }) => {
    await expect(page.getByTestId("fleet-row")).toHaveCount(ALL_E2E_HOSTNAMES.length);

    await page.getByRole("combobox", { name: "Compliance" }).selectOption({ label: "Failing kernel rules" });
    await expect(page).toHaveURL(/[?&]compliance=fail-kernel-cmdline\b/);
    // Every host that reported fails some kernel cmdline rule: the baseline misses tsc=reliable on an
    // invariant TSC, the HT/CDP hosts miss nohz_full, the AMD host and the VM have no isolation at
    // all, the broken host's nohz_full is not a CPU list. The host that never reported has no result.
    const reported = ALL_E2E_HOSTNAMES.filter((h) => h !== NEVER_REPORTED_HOST);
    await expect(page.getByTestId("fleet-row")).toHaveCount(reported.length);
    await expect.poll(() => shownHosts(page)).toEqual([...reported].sort());
    await expect(page.getByTestId("fleet-shown")).toHaveText(`${reported.length} of ${ALL_E2E_HOSTNAMES.length} shown`);

    await page.getByRole("combobox", { name: "Compliance" }).selectOption({ label: "Failing BIOS rules" });
    await expect(page).toHaveURL(/[?&]compliance=fail-bios\b/);
    // HT on (smt/active = 1) and C-states/turbo observed on the Xeon Gold pair and the EPYC; the
    // baseline passes, the VM has no BIOS rules (n/a, never a failure), the broken host passes what it reports.
    await expect(page.getByTestId("fleet-row")).toHaveCount(3);
    await expect.poll(() => shownHosts(page)).toEqual(["pod1-node03-ht", "pod1-node04-cdp", "pod2-epyc-01"]);

    // the URL alone restores the filter (a shared link, a reload)
    await page.reload();
    await expect(page.getByRole("combobox", { name: "Compliance" })).toHaveValue("fail-bios");
    await expect.poll(() => shownHosts(page)).toEqual(["pod1-node03-ht", "pod1-node04-cdp", "pod2-epyc-01"]);

    await page.getByRole("combobox", { name: "Compliance" }).selectOption({ label: "Not evaluated" });
    await expect.poll(() => shownHosts(page)).toEqual([NEVER_REPORTED_HOST]);
    await expect(page.locator(`[data-hostname="${NEVER_REPORTED_HOST}"]`).getByTestId("fleet-compliance")).toHaveText("not evaluated");
  });

  test("the column shows score and counts, sorts by score and opens the host's Compliance tab", async ({ page }) => {
    const cell = page.locator('[data-testid="fleet-row"][data-hostname="otcnfv02-baseline"]').getByTestId("fleet-compliance");
    await expect(cell).toHaveAttribute("href", /\/hosts\/[0-9a-f-]{36}\/compliance$/);
    await expect(cell).toHaveAttribute("title", /^1 failing, 0 warning, \d+ passing, \d+ n\/a · failing: Kernel command line$/);

    await page.getByRole("button", { name: /^Compliance/ }).click();
    await expect(page).toHaveURL(/sort=compliance&dir=asc/);
    const scoresShown = () =>
      page.getByTestId("fleet-row").evaluateAll((rows) => rows.map((r) => r.querySelector('[data-testid="fleet-compliance"]')?.getAttribute("data-score") ?? ""));
    // the sort is a server round trip: wait until the sorted page has replaced the previous one
    await expect.poll(async () => (await scoresShown()).at(-1)).toBe("");
    const scores = await scoresShown();
    const numeric = scores.filter((s) => s !== "").map(Number);
    expect(numeric.length).toBe(ALL_E2E_HOSTNAMES.length - 1);
    expect(numeric).toEqual([...numeric].sort((a, b) => a - b));
    expect(scores[scores.length - 1]).toBe(""); // never evaluated: last

    await cell.click();
    await expect(page).toHaveURL(/\/hosts\/[0-9a-f-]{36}\/compliance$/);
    await expect(page.getByTestId("host-name")).toHaveText("otcnfv02-baseline");
    await expect(page.getByTestId("finding-kernel.tsc-reliable")).toHaveAttribute("data-status", "fail");
  });
});
