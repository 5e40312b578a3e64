/**
 * Latency, end to end: an operator uploads real cyclictest output files through the form (and a
 * malformed one is refused naming its line); a manager (viewer) opens the report, changes the
 * window, opens the compare view and downloads the CSV.
 *
 * No step depends on today's date: the JSON capture carries its own start time (2026-11-22 04:46),
 * the text capture is given one, and the assertions on data use an explicit window around both
 * (a preset window is only checked for its label).
 */
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@/e2e/support/test";
import { loginAs } from "@/e2e/support/login";

const FIXTURES = path.resolve(import.meta.dirname, "../../agent/fixtures/cyclictest");
const A = "otcnfv02-baseline";
const B = "ci-vm-01";
/** The captures' day: debian-2.4-h300.json says start_time 2026-11-22 04:46:10; the text file is uploaded as 05:00. */
const TEXT_STARTED_AT = "2026-11-22T05:00";
const WINDOW = { from: "2026-11-22T00:00", to: "2026-11-23T00:00" };

test.describe.serial("latency report", () => {
  test("an operator uploads cyclictest output; a malformed file is refused with its line", async ({ page }) => {
    await loginAs(page, "operator", "/latency/upload");
    await page.goto("/latency/upload");
    const form = page.getByTestId("upload-form");
    for (const [host, file] of [
      [A, "debian-2.4-h300.json"],
      [B, "debian-2.4-h400.txt"],
    ] as const) {
      await form.getByLabel("Host").selectOption({ label: host });
      await form.getByLabel("cyclictest output file").setInputFiles(path.join(FIXTURES, file));
      await form.getByLabel("Load during the run").fill("stress-ng --cpu 2");
      await form.getByLabel("Started at (UTC, text output only)").fill(file.endsWith(".txt") ? TEXT_STARTED_AT : "");
      await form.getByRole("button", { name: "Upload" }).click();
      await expect(page.getByTestId("upload-result")).toContainText(/Stored|already stored/);
    }
    const bad = fs.readFileSync(path.join(FIXTURES, "debian-2.4-h400.txt"), "utf8").replace("# Max Latencies:", "# Max Latencies: x");
    await form.getByLabel("cyclictest output file").setInputFiles({ name: "bad.txt", mimeType: "text/plain", buffer: Buffer.from(bad) });
    await form.getByRole("button", { name: "Upload" }).click();
    await expect(page.getByTestId("upload-error")).toContainText(/line \d+/);
  });

  test("a manager opens the report, changes the window, compares two hosts and downloads the CSV", async ({ page }) => {
    // eight server-rendered navigations: more than the default 30 s on a loaded 2-core runner
    test.setTimeout(90_000);
    await loginAs(page, "viewer", "/latency");
    await page.goto("/latency");
    const table = page.getByTestId("latency-report-table");
    await expect(table).toBeVisible();
    await expect(page.getByTestId("report-window")).toContainText("last 7 days");

    await page.getByRole("navigation", { name: "Window" }).getByRole("link", { name: "24 h" }).click();
    await expect(page).toHaveURL(/window=24h/);
    await expect(page.getByTestId("report-window")).toContainText("last 24 h");
    await expect(table.locator(`[data-host="${A}"]`)).toBeVisible();

    // the captures' own day, given explicitly through the custom window form
    const picker = page.getByTestId("window-picker");
    await picker.getByLabel("From (UTC)").fill(WINDOW.from);
    await picker.getByLabel("To (UTC)").fill(WINDOW.to);
    await picker.getByRole("button", { name: "Custom" }).click();
    await expect(page).toHaveURL(/window=custom/);
    await expect(page.getByTestId("report-window")).toContainText("2026-11-22 00:00 – 2026-11-23 00:00 UTC");
    const rowA = table.locator(`[data-host="${A}"]`);
    await expect(rowA).toContainText("µs");
    // debian-2.4-h300.json: thread 1's max is 240 µs → the 20 µs SLO fails
    await expect(rowA.getByTestId("slo-badge")).toHaveAttribute("data-status", "fail");

    await page.getByRole("link", { name: /^p99\.999/ }).click();
    await expect(page).toHaveURL(/sort=p99\.999/);

    await page.getByLabel(`compare ${A}`).check();
    await page.getByLabel(`compare ${B}`).check();
    await page.getByTestId("compare-button").click();
    await expect(page).toHaveURL(/\/latency\/compare\?/);
    await expect(page.getByTestId("histogram-chart")).toBeVisible();
    await expect(page.locator(".recharts-line")).not.toHaveCount(0);
    await expect(page.getByRole("heading", { name: A })).toBeVisible();
    await expect(page.getByRole("heading", { name: B })).toBeVisible();

    await page.getByRole("link", { name: "Back to the report" }).click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("csv-link").click()]);
    expect(download.suggestedFilename()).toMatch(/^latency-report-.*\.csv$/);
    const csv = fs.readFileSync(await download.path(), "utf8");
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^host,host_id,window_from,window_to,unit,p50,p99,p99\.9,p99\.99,p99\.999,/);
    const a = lines.find((l) => l.startsWith(`${A},`));
    expect(a).toBeDefined();
    expect(a).toContain(",fail,");
  });
});
