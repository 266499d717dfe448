import { expect, test } from "@playwright/test";
import { checkPage } from "./support";

test("the home page introduces Conduit and lists its endpoints", async ({ page }) => {
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Conduit");
  const endpoints = await page.locator("li code").allTextContents();
  expect(endpoints).toContain("POST /api/agents/{agentId}/chat");
  expect(endpoints).toContain("POST /api/v1/chat");
  await checkPage(page, "home");
});
