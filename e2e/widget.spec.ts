import { expect, test, type APIRequestContext, type BrowserContext, type Frame, type Page, type Response } from "@playwright/test";
import { SignJWT } from "jose";
import { checkPage, demo, signIn } from "./support";
import { startWidgetSite, type WidgetSite } from "./widget-site";

/*
 * The embeddable widget end to end: a customer's site on its own loopback origin embeds the
 * script tag, and a visitor chats with the demo agent through it. The launcher lives in a closed
 * shadow root, out of reach of selectors (and of the page's scripts), so the tests use it the way
 * a visitor does: the keyboard, or a click where it is drawn.
 */

const APP_ORIGIN = `http://127.0.0.1:${process.env.CONDUIT_E2E_PORT}`;
const DEMO_REPLY_END = "to talk to a real model.";
// Where the launcher is drawn on the right-hand side: 20 px from the corner, 56 px across.
const LAUNCHER_OFFSET = 20 + 28;
// The limits playwright.config.ts starts the server with.
const MESSAGES_PER_VISITOR = 3;
const MESSAGES_PER_ADDRESS = 12;
const LIMITED = /^Too many messages — try again in \d+ s\.$/;

let site: WidgetSite;
let otherSite: WidgetSite;

test.beforeAll(async () => {
  site = await startWidgetSite(APP_ORIGIN);
  // Same pages, another origin, never listed on any key.
  otherSite = await startWidgetSite(APP_ORIGIN);
});

test.afterAll(async () => {
  await Promise.all([site.close(), otherSite.close()]);
});

interface WidgetKey {
  id: string;
  key: string;
  identity_secret: string;
}

async function createWidgetKey(request: APIRequestContext, settings: Record<string, unknown> = {}): Promise<WidgetKey> {
  const response = await request.post("/api/widget-keys", {
    headers: { Authorization: `Bearer ${demo().userToken}` },
    data: { agent_id: demo().agentId, allowed_origins: [site.origin], name: `Widget ${Date.now().toString(36)}`, ...settings },
  });
  expect(response.status()).toBe(201);
  const created = (await response.json()) as WidgetKey;
  expect(created.key).toMatch(/^pk_/);
  return created;
}

async function revokeWidgetKey(request: APIRequestContext, id: string): Promise<void> {
  const response = await request.delete(`/api/widget-keys/${id}`, { headers: { Authorization: `Bearer ${demo().userToken}` } });
  expect(response.ok()).toBe(true);
}

function widgetHost(page: Page) {
  return page.locator("conduit-chat-widget");
}

async function embedFrame(page: Page): Promise<Frame> {
  let frame: Frame | undefined;
  await expect.poll(() => (frame = page.frames().find((candidate) => candidate.url().startsWith(`${APP_ORIGIN}/embed/`)))).toBeTruthy();
  return frame as Frame;
}

/** Whether the widget draws something clickable where the launcher belongs (a closed shadow root retargets to its host). */
async function launcherDrawn(page: Page): Promise<boolean> {
  return page.evaluate((offset) => {
    const hit = document.elementFromPoint(window.innerWidth - offset, window.innerHeight - offset);
    return hit?.localName === "conduit-chat-widget";
  }, LAUNCHER_OFFSET);
}

async function clickLauncher(page: Page): Promise<void> {
  const viewport = page.viewportSize();
  if (!viewport) throw new Error("the page has no viewport");
  await page.mouse.click(viewport.width - LAUNCHER_OFFSET, viewport.height - LAUNCHER_OFFSET);
}

/** Sends a message from the open widget and returns every text the reply showed on its way to completion. */
async function sendAndWatchReply(frame: Frame, message: string): Promise<string[]> {
  const shown = frame.evaluate(
    (end) =>
      new Promise<string[]>((resolve) => {
        const texts: string[] = [];
        const list = document.querySelector("ol")!;
        const observer = new MutationObserver(() => {
          const last = list.lastElementChild;
          if (!last?.classList.contains("assistant")) return;
          const text = last.textContent ?? "";
          if (texts[texts.length - 1] !== text) texts.push(text);
          if (text.endsWith(end)) {
            observer.disconnect();
            resolve(texts);
          }
        });
        observer.observe(list, { childList: true, subtree: true, characterData: true });
      }),
    DEMO_REPLY_END,
  );
  const input = frame.getByLabel("Message");
  await input.fill(message);
  await input.press("Enter");
  return shown;
}

test("a visitor opens the widget, sees the reply streamed, and finds the conversation after a reload", async ({ page, request }) => {
  const widgetKey = await createWidgetKey(request, {
    appearance: { color: "#0f766e", greeting: "Hi! Ask me anything about our shop.", placeholder: "Your question" },
  });
  await page.goto(`${site.origin}/plain?key=${widgetKey.key}`);
  await expect(widgetHost(page)).toHaveAttribute("data-state", "ready");
  // Loading the widget takes nothing from the visitor: no focus moved, nothing opened.
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
  expect(await launcherDrawn(page)).toBe(true);

  // Keyboard first: Tab passes the page's link and reaches the launcher, Enter opens the panel with the input focused.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.localName)).toBe("a");
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.localName)).toBe("conduit-chat-widget");
  await page.keyboard.press("Enter");
  await expect(widgetHost(page)).toHaveAttribute("data-state", "open");
  const frame = await embedFrame(page);
  const input = frame.getByLabel("Message");
  await expect(input).toBeFocused();
  await expect(input).toHaveAttribute("placeholder", "Your question");
  await expect(frame.getByRole("list", { name: "Conversation" })).toContainText("Hi! Ask me anything about our shop.");

  // The open panel keeps the focus: Tab and Shift+Tab cycle through the chat and the close button, never the page.
  for (const key of ["Tab", "Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]) {
    await page.keyboard.press(key);
    expect(await page.evaluate(() => document.activeElement?.localName)).toBe("conduit-chat-widget");
  }
  await input.focus();

  // Escape, pressed inside the chat, closes the panel and gives the focus back to the launcher.
  await page.keyboard.press("Escape");
  await expect(widgetHost(page)).toHaveAttribute("data-state", "ready");
  expect(await page.evaluate(() => document.activeElement?.localName)).toBe("conduit-chat-widget");

  await clickLauncher(page);
  await expect(widgetHost(page)).toHaveAttribute("data-state", "open");
  const shown = await sendAndWatchReply(frame, "Hello from the widget test");
  const conversation = frame.getByRole("list", { name: "Conversation" });
  await expect(conversation).toContainText("Hello from the widget test");
  // Streamed: the reply grew in several steps rather than arriving whole.
  expect(shown.length).toBeGreaterThan(5);
  expect(shown[0]!.length).toBeLessThan(shown[shown.length - 1]!.length);
  await expect(conversation).toContainText(`You said: "Hello from the widget test"`);

  await page.setViewportSize({ width: 1280, height: 800 });
  await checkPage(page, "widget-open-desktop");
  await page.setViewportSize({ width: 390, height: 844 });
  // Full screen on a phone: the chat's frame covers the whole viewport.
  const box = await (await frame.frameElement()).boundingBox();
  expect(box?.width).toBe(390);
  expect((box?.y ?? 0) + (box?.height ?? 0)).toBe(844);
  await checkPage(page, "widget-open-mobile");
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.reload();
  await expect(widgetHost(page)).toHaveAttribute("data-state", "ready");
  await clickLauncher(page);
  const reloaded = await embedFrame(page);
  const history = reloaded.getByRole("list", { name: "Conversation" });
  await expect(history).toContainText("Hello from the widget test");
  await expect(history).toContainText(DEMO_REPLY_END);
});

test("a site not on the key's list gets no chat: the frame is refused and so is the session", async ({ page, request }) => {
  const widgetKey = await createWidgetKey(request);
  const refusedFrame = page.waitForEvent("console", (message) => message.text().includes("frame-ancestors"));
  await page.goto(`${otherSite.origin}/plain?key=${widgetKey.key}`);
  await refusedFrame;
  await expect(widgetHost(page)).toHaveAttribute("data-state", "loading");
  expect(await launcherDrawn(page)).toBe(false);

  const session = await request.post("/api/embed/session", { data: { key: widgetKey.key, origin: otherSite.origin } });
  expect(session.status()).toBe(403);
  expect(((await session.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
});

test("revoking the key stops the widget, open or not", async ({ page, request }) => {
  const widgetKey = await createWidgetKey(request);
  await page.goto(`${site.origin}/plain?key=${widgetKey.key}`);
  await expect(widgetHost(page)).toHaveAttribute("data-state", "ready");
  await clickLauncher(page);
  const frame = await embedFrame(page);
  await expect(frame.getByLabel("Message")).toBeFocused();

  await revokeWidgetKey(request, widgetKey.id);
  const input = frame.getByLabel("Message");
  await input.fill("Still there?");
  await input.press("Enter");
  // The visitor's token outlives nothing: the chat is refused, a new session too, and the widget goes away.
  await expect(widgetHost(page)).toHaveAttribute("data-state", "unavailable");
  expect(await launcherDrawn(page)).toBe(false);

  const iframePage = page.waitForResponse((response) => response.url().startsWith(`${APP_ORIGIN}/embed/`));
  await page.reload();
  expect((await iframePage).status()).toBe(404);
  await expect(widgetHost(page)).not.toHaveAttribute("data-state", "ready");
  expect(await launcherDrawn(page)).toBe(false);
  const session = await request.post("/api/embed/session", { data: { key: widgetKey.key, origin: site.origin } });
  expect(session.status()).toBe(401);
});

test("the documented snippet works on a page with a strict CSP, queued open included", async ({ page, request }) => {
  const widgetKey = await createWidgetKey(request);
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  await page.goto(`${site.origin}/strict?key=${widgetKey.key}`);
  // The page queued Conduit("open") before the loader arrived; the widget opens once its session is up.
  await expect(widgetHost(page)).toHaveAttribute("data-state", "open");
  const frame = await embedFrame(page);
  const shown = await sendAndWatchReply(frame, "Hello under a strict policy");
  expect(shown.length).toBeGreaterThan(5);
  await expect(frame.getByRole("list", { name: "Conversation" })).toContainText(`You said: "Hello under a strict policy"`);
  await checkPage(page, "widget-strict-csp");
  expect(violations).toEqual([]);
});

test("a key's daily cap, once reached, is explained to the visitor and the message is kept", async ({ page, request }) => {
  const widgetKey = await createWidgetKey(request, { daily_message_cap: 1 });
  await page.goto(`${site.origin}/plain?key=${widgetKey.key}`);
  await expect(widgetHost(page)).toHaveAttribute("data-state", "ready");
  await clickLauncher(page);
  const frame = await embedFrame(page);
  await sendAndWatchReply(frame, "The one message for today");

  const input = frame.getByLabel("Message");
  await input.fill("One more, please");
  await input.press("Enter");
  await expect(frame.getByRole("status")).toHaveText(/^Too many messages — try again in \d+ (s|min|h)\.$/);
  // Not lost: the refused message is back in the input, and not shown as sent.
  await expect(input).toHaveValue("One more, please");
  await expect(frame.getByRole("list", { name: "Conversation" })).not.toContainText("One more, please");
});

/** An identity token as the site's backend signs it for its signed-in user (Node, jose), as the README shows. */
function signIdentity(secret: string, person: { sub: string; name: string; email: string }): Promise<string> {
  return new SignJWT({ name: person.name, email: person.email })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(person.sub)
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
}

test("a visitor the site identifies has one conversation on every browser, under their name in the dashboard", async ({
  page,
  browser,
  request,
}) => {
  const widgetKey = await createWidgetKey(request);
  const run = Date.now().toString(36);
  const person = { sub: `customer-${run}`, name: `Ada Lovelace ${run}`, email: `ada-${run}@example.com` };
  const token = await signIdentity(widgetKey.identity_secret, person);
  const signedInPage = `${site.origin}/identified?key=${widgetKey.key}&token=${encodeURIComponent(token)}`;

  const sessionBodies: Array<Record<string, unknown>> = [];
  page.on("request", (sent) => {
    if (sent.url() === `${APP_ORIGIN}/api/embed/session`) sessionBodies.push(sent.postDataJSON() as Record<string, unknown>);
  });
  await page.goto(signedInPage);
  await expect(widgetHost(page)).toHaveAttribute("data-state", "ready");
  // Identified before the chat loaded: its first session is already that person's, never an anonymous one first.
  expect(sessionBodies).toHaveLength(1);
  expect(sessionBodies[0]).toMatchObject({ identity: token });
  await clickLauncher(page);
  const frame = await embedFrame(page);
  const message = `Where is my order ${run}?`;
  await sendAndWatchReply(frame, message);

  // Another browser, with storage of its own: the same person, the same conversation.
  const otherBrowser = await browser.newContext();
  try {
    const other = await otherBrowser.newPage();
    await other.goto(signedInPage);
    await expect(widgetHost(other)).toHaveAttribute("data-state", "ready");
    await clickLauncher(other);
    const history = (await embedFrame(other)).getByRole("list", { name: "Conversation" });
    await expect(history).toContainText(message);
    await expect(history).toContainText(DEMO_REPLY_END);
  } finally {
    await otherBrowser.close();
  }

  // Identified once the chat is open (the visitor signed in meanwhile): the chat becomes theirs, history and all.
  const lateBrowser = await browser.newContext();
  try {
    const late = await lateBrowser.newPage();
    await late.goto(`${site.origin}/plain?key=${widgetKey.key}`);
    await expect(widgetHost(late)).toHaveAttribute("data-state", "ready");
    await clickLauncher(late);
    const history = (await embedFrame(late)).getByRole("list", { name: "Conversation" });
    await expect(history).toContainText("Hi! How can I help?");
    await expect(history).not.toContainText(message);
    await late.evaluate(
      (signed) => (window as unknown as { Conduit: (command: string, options: unknown) => void }).Conduit("identify", { token: signed }),
      token,
    );
    await expect(history).toContainText(message);
  } finally {
    await lateBrowser.close();
  }

  // The organisation sees who it was.
  const { admin } = demo();
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto(`/dashboard/conversations?q=${encodeURIComponent(message)}`);
  await page.getByRole("link", { name: message }).click();
  const visitor = page.getByTestId("widget-visitor");
  await expect(visitor).toContainText(person.name);
  await expect(visitor).toContainText(person.email);
  await expect(visitor).toContainText(person.sub);
  await checkPage(page, "widget-identified-conversation");
});

test("an identity the key's secret did not sign is refused, not turned into an anonymous chat", async ({ page, request }) => {
  const widgetKey = await createWidgetKey(request);
  const forged = await signIdentity(`wis_${"1".repeat(32)}`, { sub: "someone-else", name: "Mallory", email: "mallory@example.com" });
  const warning = page.waitForEvent("console", (message) => message.text().includes("Identity token refused"));
  await page.goto(`${site.origin}/identified?key=${widgetKey.key}&token=${encodeURIComponent(forged)}`);
  expect((await warning).text()).toContain("signature does not match");
  await expect(widgetHost(page)).toHaveAttribute("data-state", "unavailable");
  expect(await launcherDrawn(page)).toBe(false);
});

/** Sends a message from the open widget; resolves once the server answered and, if it accepted it, the reply is complete. */
async function send(page: Page, frame: Frame, message: string): Promise<Response> {
  const answered = page.waitForResponse((response) => response.url() === `${APP_ORIGIN}/api/embed/chat`);
  const input = frame.getByLabel("Message");
  await input.fill(message);
  await input.press("Enter");
  const response = await answered;
  if (response.ok()) await expect(frame.getByRole("list", { name: "Conversation" })).toContainText(`You said: "${message}"`);
  await expect(frame.getByRole("button", { name: "Send" })).toBeEnabled();
  return response;
}

/**
 * The limit counts in minute windows aligned to the clock, weighing the previous minute by how
 * much of it is still inside the last 60 s: messages sent on both sides of a boundary are
 * estimated below their true count. Starting with at least this much of the minute left keeps
 * a burst inside one window, so the message over the limit is refused every time.
 */
const ROOM_NEEDED_MS = 25_000;
function waitForRoomInLimitWindow(): number {
  const left = 60_000 - (Date.now() % 60_000);
  return left >= ROOM_NEEDED_MS ? 0 : left + 100;
}

/** After a refusal: the polite wait is shown, the message is back in the input, and sending it once the wait is over works. */
async function expectRecovery(page: Page, frame: Frame, refused: Response, message: string): Promise<void> {
  expect(refused.status()).toBe(429);
  const wait = Number(refused.headers()["retry-after"]);
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(60);
  await expect(frame.getByRole("status")).toHaveText(LIMITED);
  const input = frame.getByLabel("Message");
  await expect(input).toHaveValue(message);
  await expect(input).toBeEnabled();
  await expect(frame.getByRole("list", { name: "Conversation" })).not.toContainText(message);

  await page.waitForTimeout(wait * 1000 + 500);
  const answered = page.waitForResponse((response) => response.url() === `${APP_ORIGIN}/api/embed/chat`);
  await input.press("Enter");
  expect((await answered).status()).toBe(200);
  await expect(frame.getByRole("list", { name: "Conversation" })).toContainText(`You said: "${message}"`);
  // The whole reply, not only its start: the Send button is back once it is complete.
  await expect(frame.getByRole("button", { name: "Send" })).toBeEnabled();
  await expect(frame.getByRole("status")).toHaveText("");
}

test("a visitor sending faster than their limit is asked to wait, keeps the message, and sends it once the wait is over", async ({
  page,
  request,
}) => {
  test.setTimeout(150_000);
  const widgetKey = await createWidgetKey(request);
  await page.goto(`${site.origin}/plain?key=${widgetKey.key}`);
  await expect(widgetHost(page)).toHaveAttribute("data-state", "ready");
  await clickLauncher(page);
  const frame = await embedFrame(page);

  await page.waitForTimeout(waitForRoomInLimitWindow());
  for (let sent = 1; sent <= MESSAGES_PER_VISITOR; sent++) {
    expect((await send(page, frame, `Quick message ${sent}`)).status()).toBe(200);
  }
  const refused = await send(page, frame, "One too many");
  await expectRecovery(page, frame, refused, "One too many");
});

test("an address sending faster than its limit is asked to wait, whichever of its visitors sends", async ({ browser, request }) => {
  test.setTimeout(180_000);
  const widgetKey = await createWidgetKey(request);
  const contexts: BrowserContext[] = [];
  try {
    // Each browser context is a new visitor from the same address, each staying under their own limit.
    for (let visitor = 1; visitor <= MESSAGES_PER_ADDRESS; visitor++) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${site.origin}/plain?key=${widgetKey.key}`);
      await expect(widgetHost(page)).toHaveAttribute("data-state", "ready");
      await clickLauncher(page);
      const frame = await embedFrame(page);
      for (let sent = 1; sent < MESSAGES_PER_VISITOR; sent++) {
        const message = `Visitor ${visitor}, message ${sent}`;
        const response = await send(page, frame, message);
        if (response.status() === 429) {
          await expectRecovery(page, frame, response, message);
          return;
        }
        expect(response.status()).toBe(200);
      }
    }
    throw new Error(`${MESSAGES_PER_ADDRESS} visitors sent without reaching the address's limit`);
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
});
