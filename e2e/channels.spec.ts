import { createHmac } from "node:crypto";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from "../test/support/webhook-receiver";
import { checkPage, demo, signIn } from "./support";

/*
 * A WhatsApp channel end to end: connected on the Deployments page, verified and written to the
 * way Meta does it, answered by the demo agent through a loopback stand-in for the Graph API
 * (META_GRAPH_URL points at it, see playwright.config.ts), then taken over by a member.
 */

const APP_SECRET = "e2e-app-secret-7f3a";
const VERIFY_TOKEN = "e2e-verify-token-19c2";
const NEW_VERIFY_TOKEN = "e2e-verify-token-renewed-55d0";
const ACCESS_TOKEN = "EAAG-e2e-access-token-b81e";
const PHONE_NUMBER_ID = "106540352242922";
const CONTACT = { waId: "15551234567", name: "Ada Lovelace" };

let graph: WebhookReceiver;

test.beforeAll(async () => {
  graph = await startWebhookReceiver(Number(process.env.CONDUIT_E2E_GRAPH_PORT));
});

/** What the WhatsApp Cloud API answers to a sent message: its own id of the message, a new one each time. */
function graphAccepts(...messageIds: string[]): void {
  graph.script(
    ...messageIds.map((id) => ({
      body: { messaging_product: "whatsapp", contacts: [{ input: CONTACT.waId, wa_id: CONTACT.waId }], messages: [{ id }] },
    })),
  );
}

test.afterAll(async () => {
  await graph.close();
});

/** A WhatsApp Cloud API delivery of one text message, as Meta posts it. */
function whatsappDelivery(messageId: string, text: string): string {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550783881", phone_number_id: PHONE_NUMBER_ID },
              contacts: [{ profile: { name: CONTACT.name }, wa_id: CONTACT.waId }],
              messages: [
                { from: CONTACT.waId, id: messageId, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } },
              ],
            },
          },
        ],
      },
    ],
  });
}

/** Posts a delivery signed as Meta signs it: the hex HMAC-SHA256 of the raw body, keyed with the app secret. */
async function deliver(callbackUrl: string, body: string, appSecret = APP_SECRET): Promise<Response> {
  const signature = createHmac("sha256", appSecret).update(body).digest("hex");
  return fetch(callbackUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Hub-Signature-256": `sha256=${signature}` },
    body,
  });
}

/** Meta's subscription check. */
function handshake(callbackUrl: string, verifyToken: string): Promise<Response> {
  const query = new URLSearchParams({ "hub.mode": "subscribe", "hub.verify_token": verifyToken, "hub.challenge": "1158201444" });
  return fetch(`${callbackUrl}?${query}`);
}

function sentText(request: ReceivedWebhook): { to: string; text: string } {
  const body = JSON.parse(request.rawBody.toString("utf8")) as {
    messaging_product: string;
    type: string;
    to: string;
    text: { body: string };
  };
  expect(body.messaging_product).toBe("whatsapp");
  expect(body.type).toBe("text");
  return { to: body.to, text: body.text.body };
}

/** The page is rendered on the server: reload until the worker's outcome shows. */
async function reloadUntil(page: Page, check: () => Promise<void>): Promise<void> {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 30_000 });
}

/** The channel log's entry of a message from the contact (`from`) or to them (`to`) that says `text`. */
const logEntry = (page: Page, direction: "from" | "to", text: string): Locator =>
  page
    .getByTestId("channel-log")
    .getByRole("listitem")
    .filter({ hasText: `${direction === "from" ? "From" : "To"} ${CONTACT.name}` })
    .filter({ hasText: text });

test("a WhatsApp channel: connected in the dashboard, verified and written to by Meta, answered by the agent, taken over by a member", async ({
  page,
}) => {
  const { admin, agentId } = demo();
  const run = Date.now().toString(36);
  const name = `Support WhatsApp ${run}`;
  const question = `Where is my order ${run}?`;

  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto(`/dashboard/agents/${agentId}/deployments/channels`);
  const connectForm = page.getByRole("form", { name: "Connect a channel" });

  // Fields follow the type, and are checked with the API's schema before anything is posted.
  await connectForm.getByLabel("Channel").selectOption({ label: "Twilio SMS/WhatsApp" });
  await expect(connectForm.getByLabel("Account SID")).toBeVisible();
  await expect(connectForm.getByLabel("App secret")).toHaveCount(0);
  await connectForm.getByLabel("Channel").selectOption({ label: "WhatsApp" });
  await connectForm.getByRole("button", { name: "Connect channel" }).click();
  await expect(connectForm.getByText("app_secret must not be empty")).toBeVisible();

  await connectForm.getByLabel("Name (optional)").fill(name);
  await connectForm.getByLabel("App secret").fill(APP_SECRET);
  await connectForm.getByLabel("Verify token").fill(VERIFY_TOKEN);
  await connectForm.getByLabel("Access token").fill(ACCESS_TOKEN);
  await connectForm.getByRole("button", { name: "Connect channel" }).click();
  await expect(page.getByText(`Connected “${name}”`)).toBeVisible();

  const card = page.getByRole("region", { name });
  await expect(card.getByText("Enabled", { exact: true })).toBeVisible();
  await expect(card).toContainText("Access token, App secret, Verify token");
  await expect(card).toContainText("subscribe to messages");
  const callbackUrl = (await card.getByTestId("callback-url").textContent())!.trim();
  expect(callbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/webhooks\/meta\/chn_[0-9A-Za-z]{16}$/);
  // Credentials are write-only: none of them is on the page.
  const html = await page.content();
  for (const secret of [APP_SECRET, VERIFY_TOKEN, ACCESS_TOKEN]) expect(html).not.toContain(secret);
  await checkPage(page, "channels-deployments");

  // Meta's subscription check: the raw challenge for the right verify token only.
  const verified = await handshake(callbackUrl, VERIFY_TOKEN);
  expect(verified.status).toBe(200);
  expect(await verified.text()).toBe("1158201444");
  expect((await handshake(callbackUrl, "wrong-token")).status).toBe(403);

  // A delivery signed with another secret is refused; Meta's own is taken, and answered through the Graph API.
  expect((await deliver(callbackUrl, whatsappDelivery(`wamid.${run}.forged`, "Forged"), "another-secret")).status).toBe(401);
  graphAccepts(`wamid.${run}.answer`, `wamid.${run}.member`);
  const delivered = await deliver(callbackUrl, whatsappDelivery(`wamid.${run}.1`, question));
  expect(delivered.status).toBe(200);
  const [answer] = await graph.waitFor(1, 30_000);
  expect(answer!.method).toBe("POST");
  expect(answer!.path).toBe(`/v21.0/${PHONE_NUMBER_ID}/messages`);
  expect(answer!.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  const agentReply = sentText(answer!);
  expect(agentReply.to).toBe(CONTACT.waId);
  expect(agentReply.text).toContain(`You said: "${question}"`);

  // The conversation is listed under its channel's door.
  await page.goto("/dashboard/conversations");
  await page.getByLabel("Door").selectOption({ label: "WhatsApp" });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/door=whatsapp/);
  const row = page.getByRole("row").filter({ hasText: question });
  await expect(row.getByText("WhatsApp", { exact: true })).toBeVisible();
  await row.getByRole("link", { name: question }).click();

  // The contact, their message and the agent's answer, in the record and in the channel log.
  const contactPanel = page.getByRole("region", { name: "WhatsApp contact" });
  await expect(contactPanel).toContainText(`${CONTACT.name} · ${CONTACT.waId}`);
  await expect(contactPanel.getByRole("link", { name })).toBeVisible();
  await expect(page.getByTestId("who-answers")).toContainText("The agent answers");
  const record = page.getByTestId("record");
  await expect(record.getByRole("listitem").filter({ hasText: question }).first()).toContainText(CONTACT.name);
  await expect(record.getByRole("listitem").filter({ hasText: "You said:" })).toContainText("Agent");
  await reloadUntil(page, async () => {
    await expect(logEntry(page, "from", question)).toContainText("answered");
    await expect(logEntry(page, "to", "You said:")).toContainText("sent");
  });

  // A member takes over and writes in person: sent through the Graph API, recorded under their name.
  await page.getByRole("button", { name: "Take over" }).click();
  await expect(page.getByTestId("who-answers")).toContainText("A member has taken over");
  const personal = `Hello ${CONTACT.name}, a person here: your order ${run} ships today.`;
  await page.getByLabel(`Write to ${CONTACT.name}`).fill(personal);
  await page.getByRole("button", { name: "Send reply" }).click();
  await expect(page.getByText("Queued for sending")).toBeVisible();
  const [, memberMessage] = await graph.waitFor(2, 30_000);
  expect(memberMessage!.path).toBe(`/v21.0/${PHONE_NUMBER_ID}/messages`);
  expect(sentText(memberMessage!)).toEqual({ to: CONTACT.waId, text: personal });
  await reloadUntil(page, async () => {
    await expect(logEntry(page, "to", personal)).toContainText("sent");
  });
  await expect(record.getByRole("listitem").filter({ hasText: personal })).toContainText(`by ${admin.email}`);

  // While a member has it, the agent does not answer.
  expect((await deliver(callbackUrl, whatsappDelivery(`wamid.${run}.2`, "Thank you!"))).status).toBe(200);
  await reloadUntil(page, async () => {
    await expect(logEntry(page, "from", "Thank you!")).toContainText("skipped");
  });
  await expect(logEntry(page, "from", "Thank you!")).toContainText("A member has taken this conversation over");
  expect(graph.received).toHaveLength(2);
  await checkPage(page, "channels-conversation");

  await page.getByRole("button", { name: "Hand back to the agent" }).click();
  await expect(page.getByTestId("who-answers")).toContainText("The agent answers");

  // Back on the Deployments page: a replaced verify token takes effect, the others are kept.
  await page.goto(`/dashboard/agents/${agentId}/deployments/channels`);
  await card.getByText(`Replace credentials of ${name}`).click();
  await card.getByRole("button", { name: "Save credentials" }).click();
  await expect(card.getByText("Fill in at least one field")).toBeVisible();
  await card.getByLabel("Verify token").fill(NEW_VERIFY_TOKEN);
  await card.getByRole("button", { name: "Save credentials" }).click();
  await expect(card.getByText("Saved.")).toBeVisible();
  expect((await handshake(callbackUrl, VERIFY_TOKEN)).status).toBe(403);
  expect(await (await handshake(callbackUrl, NEW_VERIFY_TOKEN)).text()).toBe("1158201444");

  // Disabled, the callback URL answers 404; deleted, the connection is gone.
  await card.getByRole("button", { name: `Disable ${name}` }).click();
  await expect(card.getByText("Disabled", { exact: true })).toBeVisible();
  expect((await handshake(callbackUrl, NEW_VERIFY_TOKEN)).status).toBe(404);
  await card.getByRole("button", { name: `Delete ${name}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await expect(card).toHaveCount(0);
  expect((await handshake(callbackUrl, NEW_VERIFY_TOKEN)).status).toBe(404);
});
