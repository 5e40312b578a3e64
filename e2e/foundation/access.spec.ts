import { expect, test } from "@/e2e/support/test";
import { loginAs } from "@/e2e/support/login";

test("an anonymous visitor is sent to the login page, and back after signing in", async ({ page, request }) => {
  await page.goto("/fleet?q=pod1");
  await expect(page).toHaveURL(/\/login\?next=%2Ffleet%3Fq%3Dpod1$/);
  await page.getByLabel("Email").fill("viewer@nfvdeck.local");
  await page.getByLabel("Password").fill("nfvdeck-viewer-demo");
  await page.getByRole("button", { name: /sign in|log in/i }).click();
  await expect(page).toHaveURL(/\/fleet\?q=pod1$/);
  await expect(page.getByRole("searchbox", { name: "Filter hosts" })).toHaveValue("pod1");

  // The data behind the page is guarded too (a fresh request context has no session cookie).
  const res = await request.get("/api/trpc/hosts.list");
  expect(res.status()).toBe(401);
});

test("a viewer cannot open the admin page (403) and has no Admin link", async ({ page }) => {
  await loginAs(page, "viewer");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  await expect(page.getByTestId("user-role")).toHaveText("viewer");
  const res = await page.goto("/admin");
  expect(res?.status()).toBe(403);
  await expect(page.getByText("You do not have access to this page")).toBeVisible();
});

test("an admin creates a user, who can then sign in with that role", async ({ page, browser }) => {
  await loginAs(page, "admin", "/admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  const email = `e2e-${Date.now().toString(36)}@example.test`;
  const form = page.getByRole("form", { name: "Create user" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Name").fill("E2E Operator");
  await form.getByLabel("Initial password").fill("e2e-password-123456");
  await form.getByLabel("Role").selectOption("operator");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByTestId("users-table")).toContainText(email);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await loginAs(other, { email, password: "e2e-password-123456" });
  await expect(other.getByTestId("user-role")).toHaveText("operator");
  await fresh.close();
});

test("logout ends the session; dark mode is remembered", async ({ page }) => {
  await loginAs(page, "viewer");
  const html = page.locator("html");
  const wasDark = (await html.getAttribute("class"))?.includes("dark") ?? false;
  await page.getByRole("button", { name: "Dark mode" }).click();
  await expect(html).toHaveClass(wasDark ? /^(?!.*\bdark\b).*$/ : /\bdark\b/);
  await page.reload();
  await expect(html).toHaveClass(wasDark ? /^(?!.*\bdark\b).*$/ : /\bdark\b/);
  expect(await page.evaluate(() => localStorage.getItem("nfvdeck-theme"))).toBe(wasDark ? "light" : "dark");

  await page.getByTestId("user-email").click();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/fleet");
  await expect(page).toHaveURL(/\/login\?next=%2Ffleet/);
});
