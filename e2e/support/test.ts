import { test as base, expect } from "@playwright/test";

/**
 * Playwright's test with a page whose goto() also waits until React has hydrated the page
 * (TRPCReactProvider sets <html data-hydrated>): a click on a server-rendered button before
 * hydration would otherwise be lost and make a test flaky.
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    const goto = page.goto.bind(page);
    page.goto = async (url, options) => {
      const response = await goto(url, options);
      await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
      return response;
    };
    await use(page);
  },
});

export { expect };
