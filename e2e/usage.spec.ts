import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { checkPage, demo, signIn } from "./support";

interface ChatReply {
  status: string;
  trace_id: string;
  generation_id: string;
}

test("after traffic: the usage charts and numbers, the CSV export, a conversation found by a word and its trace", async ({
  page,
  request,
  baseURL,
}) => {
  const { apiKey, agentId, admin } = demo();
  const word = `zebra${Date.now().toString(36)}`;
  const replies: ChatReply[] = [];
  for (const n of [1, 2, 3]) {
    const response = await fetch(`${baseURL}/api/agents/${agentId}/chat`, {
      method: "POST",
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: `Hello ${word}, this is message ${n}` }] }),
    });
    expect(response.status).toBe(200);
    replies.push((await response.json()) as ChatReply);
  }
  expect(replies.every((reply) => reply.status === "completed")).toBe(true);

  // The export is for signed-in members only.
  const anonymous = await request.get("/dashboard/usage/export", { maxRedirects: 0 });
  expect(anonymous.status()).toBeGreaterThanOrEqual(300);
  expect(anonymous.status()).toBeLessThan(400);
  expect(anonymous.headers().location).toContain("/sign-in");

  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Usage" }).click();
  await expect(page.getByRole("heading", { name: "Usage", level: 1 })).toBeVisible();

  // Charts are drawn with data: bars for today's messages and tokens.
  const messagesChart = page.getByTestId("chart-messages");
  await expect(messagesChart.locator("svg.recharts-surface").first()).toBeVisible();
  await expect(messagesChart.locator(".recharts-bar-rectangle path").first()).toBeVisible();
  await expect(page.getByTestId("chart-tokens").locator(".recharts-bar-rectangle path").first()).toBeVisible();
  const messages = Number((await page.getByTestId("stat-messages").textContent())?.replaceAll(",", ""));
  expect(messages).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId("stat-spend")).toHaveText(/^\$\d/);
  await expect(page.getByRole("table", { name: "Usage per agent" }).getByRole("cell", { name: "Demo agent" })).toBeVisible();
  await expect(page.getByRole("progressbar").or(page.getByText("Messages this month"))).not.toHaveCount(0);
  await checkPage(page, "usage");

  // Another period keeps the same runs (they are from today).
  await page.getByLabel("Period").selectOption("7");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/days=7/);
  await expect(page.getByTestId("stat-messages")).toHaveText(String(messages));

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^conduit-usage-\d{4}-\d{2}-\d{2}-7d\.csv$/);
  const csv = readFileSync(await download.path(), "utf8")
    .trim()
    .split("\r\n");
  expect(csv[0]).toBe(
    "created_at,generation_id,trace_id,agent_id,agent_name,api_key,door,model,status,input_tokens,output_tokens,cost_usd",
  );
  expect(csv.length - 1).toBe(messages);
  for (const reply of replies) {
    const row = csv.find((line) => line.includes(reply.generation_id));
    expect(row, `a row for ${reply.generation_id}`).toBeDefined();
    expect(row).toContain(`,${reply.trace_id},`);
    expect(row).toContain(",Demo agent,");
    expect(row).toMatch(/,chat,conduit-demo,completed,\d+,\d+,0\.\d{8}$/);
  }

  // Conversations: a word the test sent finds exactly its three exchanges.
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Conversations" }).click();
  await expect(page.getByRole("heading", { name: "Conversations", level: 1 })).toBeVisible();
  await checkPage(page, "conversations");
  await page.getByLabel("Text").fill(word);
  await page.getByLabel("Door").selectOption("chat");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`q=${word}`));
  const rows = page.getByRole("table", { name: "Conversations" }).locator("tbody tr");
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText(`Hello ${word}, this is message 3`);

  await page.getByLabel("Text").fill(`${word}-nothing-like-it`);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No conversation matches")).toBeVisible();
  await page.goBack();

  await page.getByRole("link", { name: `Hello ${word}, this is message 2` }).click();
  await expect(page.getByRole("heading", { name: "Conversation with Demo agent" })).toBeVisible();
  const turns = page.getByTestId("turns").locator("li");
  await expect(turns.first()).toContainText(`Hello ${word}, this is message 2`);
  await expect(turns.filter({ hasText: "assistant" })).not.toHaveCount(0);
  await checkPage(page, "conversation");

  await page.getByRole("link", { name: "Open the trace" }).click();
  await expect(page.getByRole("heading", { name: "Trace", level: 1 })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(replies[1]!.trace_id));
  await expect(page.getByTestId("trace-step").first()).toContainText("Model call · conduit-demo");
  await checkPage(page, "trace");

  // A trace or conversation the organisation does not have is "not found", not an error page.
  await page.goto("/dashboard/traces/trc_does_not_exist");
  await expect(page.getByText("No such trace in this organisation")).toBeVisible();
  await page.goto("/dashboard/conversations/00000000-0000-4000-8000-000000000000");
  await expect(page.getByText("No such conversation in this organisation")).toBeVisible();
});
