import { expect, test } from "@playwright/test";
import type { WidgetKeyListResponse } from "@/lib/contracts";
import { checkPage, demo, signIn } from "./support";

/*
 * The Website widget tab of the Deployments page: an owner creates a widget key (a refused
 * origin is reported on its field first), sees the key and the snippets once, changes the
 * greeting and revokes the key; the administration API agrees with what the page shows.
 */

test("a widget key: created with its origins and look, shown once with its snippets, changed, revoked", async ({ page }) => {
  const { admin, agentId, userToken } = demo();
  const run = Date.now().toString(36);
  const name = `Shop widget ${run}`;
  const origin = `https://shop-${run}.example.com`;

  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto(`/dashboard/agents/${agentId}/deployments`);
  await page.getByRole("navigation", { name: "Deployments" }).getByRole("link", { name: "Website widget" }).click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/agents/${agentId}/deployments/widget$`));
  await expect(page.getByRole("navigation", { name: "Deployments" }).getByRole("link", { name: "Website widget" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await expect(page.getByRole("heading", { name: "Website widget" })).toBeVisible();
  const createForm = page.getByRole("form", { name: "Create a widget key" });

  // The server's origin normalisation, run in the browser too, reports the refused origin on its field.
  await createForm.getByLabel("Name (optional)").fill(name);
  const origins = createForm.getByLabel("Allowed origins");
  await origins.fill("http://example.com");
  await createForm.getByRole("button", { name: "Create widget key" }).click();
  await expect(createForm.getByText('Origin "http://example.com" must use https (http only for localhost)')).toBeVisible();
  await expect(origins).toHaveAttribute("aria-invalid", "true");

  await origins.fill(`${origin}/\nhttp://localhost:3000`);
  await createForm.getByLabel("Colour").fill("#0f766e");
  await createForm.getByLabel("Bottom left").check();
  await createForm.getByLabel("Greeting").fill("Hello from the shop");
  await createForm.getByLabel("Daily message cap").fill("300");
  await createForm.getByRole("button", { name: "Create widget key" }).click();

  // The key, once, in the script tag too; and the CSP directives for Conduit's origin.
  const key = (await page.getByTestId("widget-key").textContent())!.trim();
  expect(key).toMatch(/^pk_/);
  const scriptTag = (await page.getByTestId("widget-snippet").textContent())!.trim();
  const publicUrl = new URL(page.url()).origin;
  expect(scriptTag).toBe(`<script src="${publicUrl}/widget.js" data-key="${key}" async></script>`);
  await expect(page.getByTestId("widget-csp")).toHaveText(`script-src ${publicUrl}; frame-src ${publicUrl}`);
  await expect(page.getByText("data-nonce", { exact: true })).toBeVisible();
  // The identity secret, once too, with the example of signing a visitor's identity with it.
  const identitySecret = (await page.getByTestId("widget-identity-secret").textContent())!.trim();
  expect(identitySecret).toMatch(/^wis_/);
  await expect(page.getByTestId("widget-identity-example")).toContainText('setProtectedHeader({ alg: "HS256" })');

  // Listed with its normalised origins, cap and look.
  const card = page.getByRole("region", { name });
  await expect(card.getByText("Active", { exact: true })).toBeVisible();
  const start = (await card.getByTestId("widget-key-start").textContent())!.trim().replace(/…$/, "");
  expect(start.length).toBeGreaterThan(3);
  expect(key.startsWith(start)).toBe(true);
  await expect(card.getByRole("listitem")).toHaveText([origin, "http://localhost:3000"]);
  await expect(card).toContainText("300 visitor messages a day");
  await expect(card).toContainText("#0f766e");
  await expect(card).toContainText("bottom left");
  await expect(card).toContainText("“Hello from the shop”");
  await expect(card.getByTestId("widget-identity")).toContainText(`${identitySecret.slice(0, 8)}…`);
  await checkPage(page, "widget-deployments");

  // Shown once: after a reload the key is nowhere on the page.
  await page.reload();
  await expect(card).toBeVisible();
  expect(await page.content()).not.toContain(key);
  expect(await page.content()).not.toContain(identitySecret);

  // Rotating the identity secret, after confirming, shows the new one once.
  await card.getByRole("button", { name: `Rotate identity secret of ${name}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Rotate" }).click();
  const rotatedSecret = (await card.getByTestId("widget-identity-secret").textContent())!.trim();
  expect(rotatedSecret).toMatch(/^wis_/);
  expect(rotatedSecret).not.toBe(identitySecret);
  await expect(card.getByTestId("widget-identity-example")).toBeVisible();
  await expect(card.getByTestId("widget-identity")).toContainText(`${rotatedSecret.slice(0, 8)}…`);
  await checkPage(page, "widget-identity-rotated");

  // Changing the greeting keeps everything else.
  await card.getByText(`Change ${name}`).click();
  await expect(card.getByLabel("Allowed origins")).toHaveValue(`${origin}\nhttp://localhost:3000`);
  await card.getByLabel("Greeting").fill("Welcome back");
  await card.getByRole("button", { name: "Save changes" }).click();
  await expect(card.getByText("Saved.")).toBeVisible();
  await expect(card).toContainText("“Welcome back”");
  await expect(card).toContainText("bottom left");

  // Revoked after confirming: no controls any more.
  await card.getByRole("button", { name: `Revoke ${name}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke" }).click();
  await expect(card.getByText("Revoked", { exact: true })).toBeVisible();
  await expect(card.getByRole("button", { name: `Revoke ${name}` })).toHaveCount(0);

  const listed = await page.request.get("/api/widget-keys", { headers: { Authorization: `Bearer ${userToken}` } });
  expect(listed.status()).toBe(200);
  const record = ((await listed.json()) as WidgetKeyListResponse).data.find((entry) => entry.name === name);
  expect(record).toMatchObject({
    allowed_origins: [origin, "http://localhost:3000"],
    appearance: { color: "#0f766e", position: "left", greeting: "Welcome back", branding: true },
    daily_message_cap: 300,
    identity_secret_set: true,
    identity_secret_start: rotatedSecret.slice(0, 8),
  });
  expect(record?.revoked_at).not.toBeNull();
});
