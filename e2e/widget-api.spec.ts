import { expect, test, type Page } from "@playwright/test";
import { demo } from "./support";
import { startWidgetSite, type WidgetSite } from "./widget-site";

/*
 * A customer who builds their own chat UI calls the widget's endpoints straight from their page
 * with a publishable key: the browser lets the key's allowed origins read the answers (CORS) and
 * no other site; and a secret API key never gets through from a page.
 */

const APP_ORIGIN = `http://127.0.0.1:${process.env.CONDUIT_E2E_PORT}`;
const DEMO_REPLY_END = "to talk to a real model.";

let site: WidgetSite;
let otherSite: WidgetSite;
let publishableKey: string;

test.beforeAll(async ({ request }) => {
  site = await startWidgetSite(APP_ORIGIN);
  otherSite = await startWidgetSite(APP_ORIGIN);
  const response = await request.post("/api/widget-keys", {
    headers: { Authorization: `Bearer ${demo().userToken}` },
    data: { agent_id: demo().agentId, allowed_origins: [site.origin], name: "Own chat UI" },
  });
  expect(response.status()).toBe(201);
  publishableKey = ((await response.json()) as { key: string }).key;
});

test.afterAll(async () => {
  await Promise.all([site.close(), otherSite.close()]);
});

/** What a page's own script gets from a session and one streamed message: the chunks as they arrived, or the browser's refusal. */
function chatFromPage(page: Page, key: string) {
  return page.evaluate(
    async ({ app, key }) => {
      try {
        const session = await fetch(`${app}/api/embed/session`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ key }),
        });
        const { token } = (await session.json()) as { token: string };
        const chat = await fetch(`${app}/api/embed/chat`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
          body: JSON.stringify({ message: "Hello from my own chat window" }),
        });
        const reader = chat.body!.pipeThrough(new TextDecoderStream()).getReader();
        const chunks: string[] = [];
        for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
        return { status: chat.status, chunks };
      } catch (error) {
        return { refused: String(error) };
      }
    },
    { app: APP_ORIGIN, key },
  );
}

test("a page on an allowed origin chats through the API with a publishable key, streamed", async ({ page }) => {
  await page.goto(`${site.origin}/blank`);
  const result = await chatFromPage(page, publishableKey);
  expect(result).toMatchObject({ status: 200 });
  const { chunks = [] } = result as { chunks?: string[] };
  const lines = chunks.join("").trim().split("\n");
  const replies = lines.map((line) => JSON.parse(line) as { type: string; content?: string });
  expect(replies.filter((line) => line.type === "delta").length).toBeGreaterThan(1);
  expect(replies.at(-1)?.type).toBe("done");
  expect(
    replies
      .filter((line) => line.type === "delta")
      .map((line) => line.content)
      .join(""),
  ).toContain(DEMO_REPLY_END);
});

test("the browser keeps another site's page from reading the widget's answers", async ({ page }) => {
  await page.goto(`${otherSite.origin}/blank`);
  const result = await chatFromPage(page, publishableKey);
  expect(result).toMatchObject({ refused: expect.stringContaining("Failed to fetch") });
});

test("a secret API key cannot be used from a web page", async ({ page }) => {
  await page.goto(`${site.origin}/blank`);
  const outcome = await page.evaluate(
    async ({ app, agentId, apiKey }) => {
      try {
        const response = await fetch(`${app}/api/agents/${agentId}/chat`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ messages: [{ role: "user", content: "Hello" }], stream: false }),
        });
        return `answered ${response.status}`;
      } catch (error) {
        return `refused: ${String(error)}`;
      }
    },
    { app: APP_ORIGIN, agentId: demo().agentId, apiKey: demo().apiKey },
  );
  expect(outcome).toContain("refused");
});
