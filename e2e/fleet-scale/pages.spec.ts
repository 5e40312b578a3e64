/**
 * Issue 15 §2, the three fleet-scale pages: filter, search, sort and paging run on the server and live
 * in the URL (so a link, a reload and a browser without JS give the same rows); the tables are
 * windowed and keyboard-usable. The search "pod" keeps the lab's five pod hosts (others that other
 * specs may enrol never match), and size=2 makes three pages of them.
 */
import type { Browser, Locator, Page } from "@playwright/test";
import { expect, test } from "@/e2e/support/test";
import { loginAs } from "@/e2e/support/login";

const POD_HOSTS = ["pod1-node03-ht", "pod1-node04-cdp", "pod2-broken-07", "pod2-epyc-01", "pod3-new-01"];
/** The fleet's search also reads labels: the baseline host carries the label pod1. */
const FLEET_POD = ["otcnfv02-baseline", ...POD_HOSTS];

const names = (rows: Locator, attr: string) => rows.evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attr);

/** The same session in a browser context with JavaScript off. */
async function withoutJs(browser: Browser, page: Page): Promise<Page> {
  const ctx = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState(), baseURL: page.url().replace(/^(https?:\/\/[^/]+).*$/, "$1") });
  return ctx.newPage();
}

test.describe("fleet-scale pages (viewer)", () => {
  test.beforeEach(async ({ page }) => {
    await loginAs(page, "viewer");
  });

  test("compliance: search, page through, sort and filter on the server; the same URL without JS", async ({ page, browser }) => {
    test.setTimeout(90_000);
    await page.goto("/compliance?q=pod&size=2");
    const rows = page.getByTestId("compliance-matrix").locator("tbody tr[data-host]");
    await expect(page.getByTestId("compliance-range")).toHaveText("1–2 of 5 · page 1 of 3");
    expect(await names(rows, "data-host")).toEqual(POD_HOSTS.slice(0, 2));
    await expect(page.getByTestId("fleet-compliance-counts")).toContainText("5 hosts match");
    await page.getByRole("navigation", { name: "Compliance pages" }).getByRole("link", { name: "Next" }).click();
    await expect(page).toHaveURL(/page=2/);
    await expect(page.getByTestId("compliance-range")).toHaveText("3–4 of 5 · page 2 of 3");
    expect(await names(rows, "data-host")).toEqual(POD_HOSTS.slice(2, 4));
    await page.getByRole("navigation", { name: "Compliance pages" }).getByRole("link", { name: "Next" }).click();
    await expect(page.getByTestId("compliance-range")).toHaveText("5–5 of 5 · page 3 of 3");
    expect(await names(rows, "data-host")).toEqual(POD_HOSTS.slice(4));

    // sorting starts again at page 1, keeps the search
    await page.getByTestId("compliance-matrix").getByRole("link", { name: /^Host/ }).click();
    await expect(page).toHaveURL(/sort=host&dir=desc/);
    await expect(page.getByTestId("compliance-range")).toHaveText("1–2 of 5 · page 1 of 3");
    expect(await names(rows, "data-host")).toEqual([...POD_HOSTS].reverse().slice(0, 2));

    // score ascending: the never-evaluated host last, whatever the direction
    await page.goto("/compliance?q=pod&sort=score&dir=asc");
    const scores = await rows.evaluateAll((els) => els.map((e) => e.querySelector("td:nth-of-type(2)")?.textContent ?? ""));
    expect(scores.at(-1)).toBe("—");
    const numeric = scores.slice(0, -1).map(Number);
    expect(numeric).toEqual([...numeric].sort((a, b) => a - b));

    // the filter form (a GET form: works without JS too) keeps the sort
    const form = page.getByRole("form", { name: "Filter hosts" });
    await form.getByLabel("Section").selectOption("bios");
    await form.getByLabel("Status").selectOption("fail");
    await form.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/section=bios/);
    await expect(page).toHaveURL(/sort=score/);
    expect((await names(rows, "data-host")).sort()).toEqual(["pod1-node03-ht", "pod1-node04-cdp", "pod2-epyc-01"]);
    await expect(page.getByTestId("compliance-matrix").getByRole("columnheader", { name: /BIOS/ })).toContainText("3 failing");

    const plain = await withoutJs(browser, page);
    await plain.goto("/compliance?q=pod&size=2&page=2");
    expect(await names(plain.getByTestId("compliance-matrix").locator("tbody tr[data-host]"), "data-host")).toEqual(POD_HOSTS.slice(2, 4));
    await plain.context().close();
  });

  test("latency report: search, SLO filter, sort and page through on the server; without JS", async ({ page, browser }) => {
    test.setTimeout(90_000);
    await page.goto("/latency?q=pod&size=2&sort=host&dir=asc");
    const rows = page.getByTestId("latency-report-table").locator("tbody tr[data-host]");
    await expect(page.getByTestId("report-range")).toHaveText("1–2 of 5 · page 1 of 3");
    await expect(page.getByTestId("report-matching")).toHaveText(/^5 of \d+ hosts$/);
    expect(await names(rows, "data-host")).toEqual(POD_HOSTS.slice(0, 2));
    await page.getByRole("navigation", { name: "Report pages" }).getByRole("link", { name: "Next" }).click();
    await expect(page.getByTestId("report-range")).toHaveText("3–4 of 5 · page 2 of 3");
    expect(await names(rows, "data-host")).toEqual(POD_HOSTS.slice(2, 4));

    await page.getByTestId("latency-report-table").getByRole("link", { name: /^Host/ }).click();
    await expect(page).toHaveURL(/sort=host&dir=desc/);
    await expect(page).toHaveURL(/q=pod/);
    expect(await names(rows, "data-host")).toEqual([...POD_HOSTS].reverse().slice(0, 2));

    // the window picker keeps the search; the SLO filter is a GET form
    await page.getByRole("navigation", { name: "Window" }).getByRole("link", { name: "24 h" }).click();
    await expect(page).toHaveURL(/window=24h/);
    await expect(page).toHaveURL(/q=pod/);
    const form = page.getByRole("form", { name: "Filter hosts" });
    await form.getByLabel("SLO").selectOption("no-data");
    await form.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/slo=no-data/);
    // no pod host has a run in the last 24 h of the suite
    await expect(page.getByTestId("report-range")).toHaveText("1–2 of 5 · page 1 of 3");
    for (const badge of await rows.getByTestId("slo-badge").all()) await expect(badge).toHaveAttribute("data-status", "no-data");

    const plain = await withoutJs(browser, page);
    await plain.goto("/latency?q=pod&size=2&sort=host&dir=asc&page=3");
    expect(await names(plain.getByTestId("latency-report-table").locator("tbody tr[data-host]"), "data-host")).toEqual(POD_HOSTS.slice(4));
    await plain.context().close();
  });

  test("fleet: pages of the server's result, sort and search in the URL; the windowed table moves by keyboard", async ({ page }) => {
    await page.goto("/fleet?q=pod&size=2");
    const rows = page.getByTestId("fleet-row");
    await expect(page.getByTestId("fleet-range")).toHaveText("1–2 of 6 · page 1 of 3");
    expect(await names(rows, "data-hostname")).toEqual(FLEET_POD.slice(0, 2));
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByTestId("fleet-range")).toHaveText("3–4 of 6 · page 2 of 3");
    await expect(page).toHaveURL(/size=2/);
    await expect.poll(() => names(rows, "data-hostname")).toEqual(FLEET_POD.slice(2, 4));
    await page.getByRole("button", { name: /^Host/ }).click();
    await expect(page).toHaveURL(/sort=hostname&dir=desc/);
    await expect.poll(() => names(rows, "data-hostname")).toEqual([...FLEET_POD].reverse().slice(0, 2));

    await page.getByRole("searchbox", { name: "Filter hosts" }).fill("pod2");
    await expect(page).toHaveURL(/q=pod2/);
    await expect(page.getByTestId("fleet-shown")).toHaveText(/^2 of \d+ shown$/);
    await expect.poll(() => names(rows, "data-hostname")).toEqual(["pod2-epyc-01", "pod2-broken-07"]);

    // keyboard: one row in the tab order, arrows move the focus, Home/End, Enter opens the host
    await page.goto("/fleet");
    await expect(rows.first()).toHaveAttribute("tabindex", "0");
    await rows.first().focus();
    await page.keyboard.press("ArrowDown");
    await expect(rows.nth(1)).toBeFocused();
    await expect(rows.nth(1)).toHaveAttribute("tabindex", "0");
    await expect(rows.first()).toHaveAttribute("tabindex", "-1");
    await page.keyboard.press("End");
    await expect(rows.last()).toBeFocused();
    const count = await rows.count();
    await page.keyboard.press("PageUp");
    const up = Number(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.rowIndex));
    expect(up).toBeLessThan(count - 1);
    await page.keyboard.press("PageDown");
    await expect(rows.last()).toBeFocused();
    await page.keyboard.press("Home");
    await expect(rows.first()).toBeFocused();
    const name = await rows.first().getAttribute("data-hostname");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/hosts\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("host-name")).toHaveText(name ?? "");
  });
});
