/**
 * public/ holds what a browser or crawler asks for by name: /favicon.ico (browsers request it
 * whatever the page links) and /robots.txt (a lab console: nothing to index). Both are served
 * without a session, and the pages link the app icon.
 */
import { expect, test } from "@/e2e/support/test";

test("robots.txt keeps crawlers out; favicon.ico is a real icon; pages link the icon", async ({ page, request }) => {
  const robots = await request.get("/robots.txt");
  expect(robots.status()).toBe(200);
  expect(robots.headers()["content-type"]).toMatch(/^text\/plain/);
  expect((await robots.text()).split("\n")).toEqual(["User-agent: *", "Disallow: /", ""]);

  const ico = await request.get("/favicon.ico");
  expect(ico.status()).toBe(200);
  const bytes = await ico.body();
  // ICONDIR: reserved 0, type 1 (icon), at least one image
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)]).toEqual([0, 1]);
  expect(bytes.readUInt16LE(4)).toBeGreaterThan(0);

  await page.goto("/login");
  const href = await page.locator('head link[rel="icon"]').first().getAttribute("href");
  expect(href).toBeTruthy();
  const icon = await request.get(href ?? "");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toMatch(/^image\//);
});
