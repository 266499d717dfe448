import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { checkPage, demo, signIn } from "./support";

// The copy buttons are exercised for real: the test reads what they put on the clipboard.
test.use({ permissions: ["clipboard-read", "clipboard-write"] });

async function chat(request: APIRequestContext, key: string): Promise<number> {
  const response = await request.post(`/api/agents/${demo().agentId}/chat`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { messages: [{ role: "user", content: "Hello from the keys test" }], stream: false },
  });
  return response.status();
}

/** Clicks a copy button and returns what it copied, after checking it is the secret on the page. */
async function copySecret(page: Page, testId: string, buttonName: string): Promise<string> {
  const shown = (await page.getByTestId(testId).textContent())?.trim() ?? "";
  await page.getByRole("button", { name: buttonName }).click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(shown);
  return copied;
}

async function signInAsAdmin(page: Page): Promise<void> {
  const { admin } = demo();
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
}

test("an admin creates a key, calls an agent with it, rotates it and revokes it", async ({ page, request }) => {
  await signInAsAdmin(page);
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
  await checkPage(page, "keys");

  await page.getByRole("link", { name: "Create key" }).click();
  await expect(page.getByRole("heading", { name: "Create an API key" })).toBeVisible();
  await checkPage(page, "key-new");

  // The browser checks with the API's schema before anything is posted.
  await page.getByLabel(/^Budget in US dollars/).fill("twelve");
  await page.getByLabel(/^Response URL/).fill("not a url");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByText("Enter an amount in US dollars")).toBeVisible();
  await expect(page.getByText("response_url must be an http(s) URL")).toBeVisible();

  const label = `Browser key ${Date.now().toString(36)}`;
  await page.getByLabel("Label").fill(label);
  await page.getByLabel(/^Only the agents chosen below/).check();
  await page.getByRole("checkbox", { name: /Demo agent/ }).check();
  await page.getByLabel(/^Budget in US dollars/).fill("50");
  await page.getByLabel("Budget period").selectOption("monthly");
  await page.getByLabel(/^Response URL/).fill("https://example.test/webhook");
  await page.getByRole("button", { name: "Create key" }).click();

  await expect(page.getByText(`Key “${label}” created`)).toBeVisible();
  await expect(page.getByTestId("new-key-signing-secret")).toHaveText(/^whsec_/);
  await checkPage(page, "key-created");
  const secret = await copySecret(page, "new-key-secret", "Copy key");
  expect(secret).toMatch(/^cdt_/);
  expect(await chat(request, secret)).toBe(200);

  // The list shows it with its scope, budget and this period's use, never its secret.
  await page.getByRole("link", { name: "Back to API keys" }).click();
  const row = page.getByRole("row", { name: new RegExp(label) });
  await expect(row).toContainText("Demo agent");
  await expect(row).toContainText("$50.00 per month");
  await expect(row).toContainText("1 requests");
  await expect(row).toContainText("Active");
  await expect(page.getByText(secret)).toHaveCount(0);

  await row.getByRole("link", { name: label }).click();
  await expect(page.getByRole("heading", { name: label })).toBeVisible();
  await checkPage(page, "key");

  // Settings change in place.
  await page.getByLabel(/^Budget in US dollars/).fill("12.50");
  await page.getByLabel("Budget period").selectOption("daily");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.getByText("$12.50 per day")).toBeVisible();

  await page.getByRole("button", { name: "Rotate key" }).click();
  await expect(page.getByRole("alertdialog", { name: "Rotate this key?" })).toBeVisible();
  await checkPage(page, "key-rotate-confirm");
  await page.getByRole("button", { name: "Rotate", exact: true }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  const rotated = await copySecret(page, "rotated-key-secret", "Copy key");
  expect(rotated).not.toBe(secret);
  expect(await chat(request, secret)).toBe(401);
  expect(await chat(request, rotated)).toBe(200);

  // Cancelling a revocation leaves the key working.
  await page.getByRole("button", { name: "Revoke key" }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  expect(await chat(request, rotated)).toBe(200);

  await page.getByRole("button", { name: "Revoke key" }).click();
  await page.getByRole("button", { name: "Revoke", exact: true }).click();
  await expect(page.getByText("This key is revoked")).toBeVisible();
  await expect(page.getByRole("button", { name: "Rotate key" })).toHaveCount(0);
  expect(await chat(request, rotated)).toBe(401);
});

test("a personal access token created on the page works until it is revoked", async ({ page, request }) => {
  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Access tokens" }).click();
  await expect(page.getByRole("heading", { name: "Personal access tokens" })).toBeVisible();
  await checkPage(page, "tokens");

  // An expiry in the past passes the browser's check; the service refuses it.
  await page.getByLabel("Name").fill("Yesterday's token");
  await page.getByLabel(/^Expires after/).fill("2001-01-01");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByText("expires_at must be in the future")).toBeVisible();

  const name = `Browser token ${Date.now().toString(36)}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel(/^Expires after/).fill("2099-12-31");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByText(`Token “${name}” created`)).toBeVisible();
  const token = await copySecret(page, "new-token-secret", "Copy token");
  expect(token).toMatch(/^cdtu_/);

  const organisation = () => request.get("/api/organisation", { headers: { Authorization: `Bearer ${token}` } });
  expect((await organisation()).status()).toBe(200);

  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("2099-12-31 23:59 UTC");
  await expect(row).toContainText("Active");
  await checkPage(page, "tokens-created");

  // A reload never shows the secret again.
  await page.reload();
  await expect(page.getByText(token)).toHaveCount(0);

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(page.getByRole("alertdialog", { name: `Revoke “${name}”?` })).toBeVisible();
  await page.getByRole("button", { name: "Revoke token" }).click();
  await expect(row).toContainText("Revoked");
  expect((await organisation()).status()).toBe(401);
});
