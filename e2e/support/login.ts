import { expect, type Page } from "@playwright/test";
import { E2E_USERS } from "@/e2e/support/lab";

/** Signs in through the real login form and waits until the app has left /login. */
export async function loginAs(page: Page, who: keyof typeof E2E_USERS | { email: string; password: string }, next = "/fleet"): Promise<void> {
  const user = typeof who === "string" ? E2E_USERS[who] : who;
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: /sign in|log in/i }).click();
  await expect(page).not.toHaveURL(/\/login/);
  // The sign-in ends with a full navigation: wait until that page is interactive too.
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
}
