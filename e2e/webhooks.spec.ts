import { expect, test, type Page } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from "../test/support/webhook-receiver";
import { checkPage, demo, signIn } from "./support";

/*
 * An event endpoint end to end in the dashboard: added against a loopback receiver (reached as
 * `localhost`, which playwright.config.ts allows), sent a test event that the receiver verifies
 * with the standardwebhooks package, seen delivered with its attempt, and resent.
 */

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

let receiver: WebhookReceiver;

test.beforeAll(async () => {
  receiver = await startWebhookReceiver(0, { host: "localhost" });
  receiver.setFallback({ status: 200, body: { ok: "e2e receiver" } });
});

test.afterAll(async () => {
  await receiver.close();
});

function verify(request: ReceivedWebhook, secret: string): { type: string } {
  return new Webhook(secret).verify(request.rawBody.toString("utf8"), {
    "webhook-id": String(request.headers["webhook-id"]),
    "webhook-timestamp": String(request.headers["webhook-timestamp"]),
    "webhook-signature": String(request.headers["webhook-signature"]),
  }) as { type: string };
}

/** The delivery rows once the newest has settled (the page is rendered on the server: reload until it shows). */
async function waitForDelivered(page: Page, count: number): Promise<void> {
  await expect(async () => {
    await page.reload();
    const rows = page.getByTestId("delivery");
    await expect(rows).toHaveCount(count, { timeout: 1_000 });
    await expect(rows.first().getByText("Delivered")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
}

test("an admin adds an endpoint, sends a test event, sees it delivered and resends it", async ({ page }) => {
  const { admin } = demo();
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
  await checkPage(page, "webhooks");

  // Plain http to a public host is refused, with the reason next to the form.
  await page.getByLabel("URL").fill("http://example.com/hook");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  await expect(page.getByText(/url must use https/)).toBeVisible();

  await page.getByLabel("URL").fill(receiver.url);
  await page.getByLabel("Description (optional)").fill("E2E receiver");
  await page.getByRole("checkbox", { name: "webhook.test" }).check();
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const secret = (await page.getByTestId("new-endpoint-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^whsec_/);
  await page.getByRole("button", { name: "Copy secret" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

  await page.getByRole("link", { name: receiver.url }).click();
  await expect(page.getByRole("heading", { name: "E2E receiver" })).toBeVisible();
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByText(/Test event msg_\w+ queued/)).toBeVisible();
  const [first] = await receiver.waitFor(1);
  expect(verify(first!, secret).type).toBe("webhook.test");

  await waitForDelivered(page, 1);
  const row = page.getByTestId("delivery").first();
  await expect(row).toContainText(String(first!.headers["webhook-id"]));
  await expect(row).toContainText("200");
  await expect(row).toContainText('{"ok":"e2e receiver"}');
  await checkPage(page, "webhook-endpoint");

  await row.getByRole("button", { name: /^Resend msg_/ }).click();
  const [, second] = await receiver.waitFor(2);
  expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
  expect(second!.rawBody.equals(first!.rawBody)).toBe(true);
  verify(second!, secret);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("delivery").first().getByRole("listitem")).toHaveCount(2, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  // Deleting asks first, then returns to the list without the endpoint.
  await page.getByRole("button", { name: "Delete endpoint" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete endpoint" }).click();
  await expect(page).toHaveURL(/\/dashboard\/webhooks$/);
  await expect(page.getByRole("link", { name: receiver.url })).toHaveCount(0);
});
