import { expect, test, type Frame, type Page } from "@playwright/test";
import type { WidgetKeyListResponse } from "@/lib/contracts";
import { checkPage, demo, signIn } from "./support";
import { drawnLaunchers, type DrawnLauncher } from "./widget-launcher";
import { startWidgetSite, type WidgetSite } from "./widget-site";

/*
 * The widget's look in the dashboard: the create form's live preview follows the colour,
 * greeting, placeholder, launcher icon and text as they are typed, before anything is saved; once
 * saved, the real widget on a customer's site draws the very launcher the preview showed.
 */

const APP_ORIGIN = `http://127.0.0.1:${process.env.CONDUIT_E2E_PORT}`;

let site: WidgetSite;

test.beforeAll(async () => {
  site = await startWidgetSite(APP_ORIGIN);
});

test.afterAll(async () => {
  await site.close();
});

/** The launcher drawn in the create form's preview (the only preview on a page whose keys' forms are closed). */
async function previewLauncher(page: Page): Promise<DrawnLauncher | undefined> {
  return (await drawnLaunchers(page)).find((launcher) => launcher.documentUrl.endsWith("/embed/preview?state=closed"));
}

/** The chat inside the preview's open panel. */
async function previewChat(page: Page): Promise<Frame> {
  let chat: Frame | undefined;
  await expect
    .poll(
      () =>
        (chat = page
          .frames()
          .find(
            (frame) => frame.url().endsWith("/embed/preview/chat") && frame.parentFrame()?.url().endsWith("/embed/preview?state=open"),
          )),
    )
    .toBeTruthy();
  return chat as Frame;
}

test("the preview follows the look as it is typed, and the saved widget draws what it showed", async ({ page }) => {
  const { admin, agentId, userToken } = demo();
  const run = Date.now().toString(36);
  const name = `Look widget ${run}`;

  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto(`/dashboard/agents/${agentId}/deployments/widget`);
  const form = page.getByRole("form", { name: "Create a widget key" });
  await expect(form.getByTestId("widget-preview")).toBeVisible();

  // The defaults first: the round chat launcher in the default colour, the open chat with the default greeting.
  await expect.poll(async () => (await previewLauncher(page))?.background).toBe("rgb(79, 70, 229)");
  const defaultLauncher = (await previewLauncher(page))!;
  expect(defaultLauncher.open).toBe(false);
  const chat = await previewChat(page);
  const conversation = chat.getByRole("list", { name: "Conversation" });
  await expect(conversation).toContainText("Hi! How can I help?");
  const openPanel = (await drawnLaunchers(page)).find((launcher) => launcher.documentUrl.endsWith("/embed/preview?state=open"));
  expect(openPanel?.open).toBe(true);
  // A picture, not a second chat: nothing in it takes the focus.
  await expect(form.getByTestId("widget-preview").locator("[inert]")).toHaveAttribute("aria-hidden", "true");

  await form.getByLabel("Greeting").fill("Welcome to the shop!");
  await expect(conversation).toContainText("Welcome to the shop!");
  await expect(conversation).not.toContainText("Hi! How can I help?");

  await form.getByLabel("Input placeholder").fill("Ask about an order");
  await expect(chat.getByLabel("Message")).toHaveAttribute("placeholder", "Ask about an order");

  await form.getByLabel("Colour").fill("#0f766e");
  await expect.poll(async () => (await previewLauncher(page))?.background).toBe("rgb(15, 118, 110)");
  await expect.poll(() => chat.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--accent"))).toBe("#0f766e");

  await form.getByLabel("Question mark").check();
  await expect.poll(async () => (await previewLauncher(page))?.markup).not.toBe(defaultLauncher.markup);
  const helpIcon = (await previewLauncher(page))!.markup;
  await form.getByLabel("Launcher text (optional)").fill("Questions?");
  await expect.poll(async () => (await previewLauncher(page))?.markup).toContain(">Questions?</span>");
  const previewed = (await previewLauncher(page))!;
  // The same icon, now with its text beside it.
  expect(previewed.markup.match(/<svg.*<\/svg>/)?.[0]).toBe(helpIcon.match(/<svg.*<\/svg>/)?.[0]);
  await checkPage(page, "widget-preview");

  // Nothing was saved while the preview changed.
  const headers = { Authorization: `Bearer ${userToken}` };
  const before = (await (await page.request.get("/api/widget-keys", { headers })).json()) as WidgetKeyListResponse;
  expect(before.data.find((entry) => entry.name === name)).toBeUndefined();

  await form.getByLabel("Name (optional)").fill(name);
  await form.getByLabel("Allowed origins").fill(site.origin);
  await form.getByRole("button", { name: "Create widget key" }).click();
  const key = (await page.getByTestId("widget-key").textContent())!.trim();
  expect(key).toMatch(/^pk_/);
  const saved = (await (await page.request.get("/api/widget-keys", { headers })).json()) as WidgetKeyListResponse;
  expect(saved.data.find((entry) => entry.name === name)?.appearance).toMatchObject({
    color: "#0f766e",
    greeting: "Welcome to the shop!",
    placeholder: "Ask about an order",
    launcher_icon: "help",
    launcher_label: "Questions?",
  });

  // The key's own form, once opened, previews the saved look; the create form, emptied after saving, the defaults again.
  const closedPreviews = async () =>
    (await drawnLaunchers(page))
      .filter((launcher) => launcher.documentUrl.endsWith("/embed/preview?state=closed"))
      .map((launcher) => launcher.markup);
  await page.getByRole("region", { name }).getByText(`Change ${name}`).click();
  await expect.poll(closedPreviews).toEqual([previewed.markup, defaultLauncher.markup]);

  // On the customer's site, the real widget draws the launcher the preview showed, icon, text and colour.
  const visitor = await page.context().newPage();
  await visitor.goto(`${site.origin}/plain?key=${key}`);
  await expect(visitor.locator("conduit-chat-widget")).toHaveAttribute("data-state", "ready");
  const [drawn] = await drawnLaunchers(visitor);
  expect(drawn?.markup).toBe(previewed.markup);
  expect(drawn?.background).toBe("rgb(15, 118, 110)");
  await visitor.close();
});
