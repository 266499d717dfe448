import { expect, test, type Page } from "@playwright/test";
import { checkPage, demo, signIn } from "./support";

/**
 * Records the length of the streaming reply each time the page changes it, from the first
 * document on (the observer is installed before any page script runs).
 */
async function recordReplyGrowth(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const lengths: number[] = [];
    (window as unknown as { replyLengths: number[] }).replyLengths = lengths;
    new MutationObserver(() => {
      const replies = document.querySelectorAll('[data-testid="try-reply"]');
      const last = replies[replies.length - 1];
      if (last) lengths.push(last.textContent?.length ?? 0);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

async function signInAsAdmin(page: Page): Promise<void> {
  const { admin } = demo();
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
}

async function createAgent(page: Page, name: string): Promise<string> {
  await page.goto("/dashboard/agents");
  await page.getByRole("link", { name: "New agent" }).click();
  await expect(page.getByRole("heading", { name: "New agent" })).toBeVisible();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Instructions").fill("You answer questions about orders, briefly.");
  await page.getByLabel(/^Max steps/).fill("5");
  await checkPage(page, "agent-new");
  await page.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  const id = new URL(page.url()).pathname.split("/").at(-1)!;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

test("an admin creates an agent and chats with it: the reply streams in token by token", async ({ page }) => {
  const { apiKey } = demo();
  await recordReplyGrowth(page);
  await signInAsAdmin(page);
  const name = `Order helper ${Date.now().toString(36)}`;
  const id = await createAgent(page, name);

  await page.getByLabel("Message").fill("Where is my order A1?");
  await page.getByLabel("Message").press("Enter");
  await expect(page.getByTestId("try-status")).toContainText("Completed", { timeout: 30_000 });
  await expect(page.getByTestId("try-reply")).toContainText('You said: "Where is my order A1?"');

  // The reply grew over many renders before the run completed: it streamed, it did not arrive whole.
  const lengths = await page.evaluate(() => (window as unknown as { replyLengths: number[] }).replyLengths);
  const distinct = [...new Set(lengths.filter((length) => length > 0))];
  expect(distinct.length).toBeGreaterThanOrEqual(5);
  expect(distinct).toEqual([...distinct].sort((a, b) => a - b));
  await checkPage(page, "agent-try");

  // A second turn carries the history; the run is recorded under the dashboard door.
  await page.getByLabel("Message").fill("Thanks!");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("try-status")).toHaveCount(2, { timeout: 30_000 });
  const traces = await page.request.get(`/api/v1/agents/traces?agent_id=${id}`, { headers: { Authorization: `Bearer ${apiKey}` } });
  expect(traces.status()).toBe(200);
  const data = (await traces.json()) as Array<{ door: string; status: string }>;
  expect(data.length).toBe(2);
  expect(data.every((trace) => trace.door === "dashboard" && trace.status === "completed")).toBe(true);

  // The new agent is in the list.
  await page.getByRole("link", { name: "Agents", exact: true }).click();
  await expect(page.getByRole("link", { name })).toBeVisible();
});

test("the try-it route refuses requests from other sites", async ({ page }) => {
  const { agentId } = demo();
  await signInAsAdmin(page);
  const forged = await page.request.post(`/dashboard/agents/${agentId}/try`, {
    headers: { Origin: "https://attacker.example", "Content-Type": "application/json" },
    data: { messages: [{ role: "user", content: "Hello" }], stream: true },
  });
  expect(forged.status()).toBe(403);
});

test("settings are checked against the form's schema, saved, and an agent can be deleted", async ({ page, request }) => {
  const { apiKey } = demo();
  const toolName = `refund_${Date.now().toString(36)}`;
  const tool = await request.post("/api/v1/agents/tools", {
    headers: { Authorization: `Bearer ${apiKey}` },
    data: { name: toolName, type: "http", gated: true, description: "Refunds an order", execute: { url: "https://shop.example/refund" } },
  });
  expect(tool.status()).toBe(201);
  await signInAsAdmin(page);
  const name = `Settings agent ${Date.now().toString(36)}`;
  await createAgent(page, name);

  await page.getByRole("link", { name: "Configure" }).click();
  await expect(page.getByLabel("Instructions")).toHaveValue("You answer questions about orders, briefly.");
  await expect(page.getByLabel(/^Max steps/)).toHaveValue("5");
  await page.getByLabel(/^Temperature/).fill("5");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Temperature must be a number from 0 to 2")).toBeVisible();

  await page.getByLabel(/^Temperature/).fill("0.3");
  await page.getByLabel("Instructions").fill("You answer in one sentence.");
  // Tools of the organisation can be attached; a gated one says it needs approval.
  const toolBox = page.getByRole("checkbox", { name: new RegExp(toolName) });
  await expect(page.locator("label", { has: toolBox })).toContainText("gated: needs approval");
  await toolBox.check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved. New runs use these settings.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Instructions")).toHaveValue("You answer in one sentence.");
  await expect(page.getByLabel(/^Temperature/)).toHaveValue("0.3");
  await expect(toolBox).toBeChecked();
  await checkPage(page, "agent-settings");
  await page.getByRole("link", { name: "Try it" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: toolName })).toContainText("gated");
  await page.getByRole("link", { name: "Configure" }).click();

  await page.getByRole("button", { name: "Delete agent" }).click();
  await expect(page.getByText("Tick the box to confirm")).toBeVisible();
  await page.getByLabel(/Yes, delete this agent/).check();
  await page.getByRole("button", { name: "Delete agent" }).click();
  await expect(page).toHaveURL(/\/dashboard\/agents$/);
  await expect(page.getByRole("link", { name })).toHaveCount(0);
});

test("a connection key is shown once and runs the agent from outside the browser", async ({ page, request, baseURL }) => {
  const { agentId: demoAgent } = demo();
  await signInAsAdmin(page);
  const id = await createAgent(page, `Deployed agent ${Date.now().toString(36)}`);

  await page.getByRole("link", { name: "Deployments" }).click();
  await expect(page.getByText("You have no connection keys for this agent yet.")).toBeVisible();
  await page.getByLabel("Key name").fill("Website backend");
  await page.getByRole("button", { name: "Create connection key" }).click();
  const key = (await page.getByTestId("deployment-key").textContent())!;
  expect(key).toMatch(/^cdt_/);
  await expect(page.getByRole("cell", { name: "Website backend", exact: true })).toBeVisible();
  // Snippets name this server and this agent, ready to paste.
  await expect(page.getByText(`${baseURL}/api/agents/${id}/chat`).first()).toBeVisible();
  await expect(page.getByText(`"employee_id":"${id}"`)).toBeVisible();
  const openAiSnippet = (await page
    .locator("pre")
    .filter({ hasText: `${baseURL}/api/openai/v1/chat/completions` })
    .textContent())!;
  const model = /"model":"(agt_[A-Za-z0-9]+)"/.exec(openAiSnippet)![1]!;
  const mcpTool = /the agent is the tool (ask_[a-z0-9_]+)/.exec((await page.getByText("In ~/.cursor/mcp.json").textContent())!)![1]!;
  await expect(page.locator("pre").filter({ hasText: `"url": "${baseURL}/api/mcp"` })).toBeVisible();
  const cardUrl = `${baseURL}/api/a2a/agents/${model}/.well-known/agent-card.json`;
  await expect(page.locator("pre").filter({ hasText: cardUrl })).toBeVisible();
  await checkPage(page, "agent-deployments");

  // Never shown again: a reload lists the key by its ends only.
  await page.reload();
  await expect(page.getByRole("cell", { name: "Website backend", exact: true })).toBeVisible();
  expect(await page.content()).not.toContain(key);

  const chat = await request.post(`/api/agents/${id}/chat`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { messages: [{ role: "user", content: "Hello from a deployment" }], stream: false },
  });
  expect(chat.status()).toBe(200);
  const reply = (await chat.json()) as { status: string; agent_id: string; message: { content: string } };
  expect(reply.status).toBe("completed");
  expect(reply.agent_id).toBe(id);
  expect(reply.message.content).toContain("Hello from a deployment");

  // The same key, as the snippets show, on the OpenAI-compatible API and the MCP server.
  const bearer = { Authorization: `Bearer ${key}` };
  const models = await request.get("/api/openai/v1/models", { headers: bearer });
  expect(models.status()).toBe(200);
  expect(((await models.json()) as { data: Array<{ id: string }> }).data.map((entry) => entry.id)).toEqual([model]);
  const completion = await request.post("/api/openai/v1/chat/completions", {
    headers: bearer,
    data: { model, messages: [{ role: "user", content: "Hello over the OpenAI API" }] },
  });
  expect(completion.status()).toBe(200);
  expect(((await completion.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toContain(
    "Hello over the OpenAI API",
  );
  const tools = await request.post("/api/mcp", {
    headers: { ...bearer, Accept: "application/json, text/event-stream" },
    data: { jsonrpc: "2.0", id: 1, method: "tools/list" },
  });
  expect(tools.status()).toBe(200);
  expect(await tools.text()).toContain(`"name":"${mcpTool}"`);
  // …and over A2A: the public card names the endpoint the key then calls.
  const card = await request.get(cardUrl);
  expect(card.status()).toBe(200);
  const { url: a2aUrl } = (await card.json()) as { url: string };
  expect(a2aUrl).toBe(`${baseURL}/api/a2a/agents/${model}`);
  const sent = await request.post(a2aUrl, {
    headers: bearer,
    data: {
      jsonrpc: "2.0",
      id: 1,
      method: "message/send",
      params: { message: { kind: "message", messageId: "e2e-1", role: "user", parts: [{ kind: "text", text: "Hello over A2A" }] } },
    },
  });
  expect(sent.status()).toBe(200);
  const task = (await sent.json()) as { result: { kind: string; status: { state: string }; artifacts: unknown[] } };
  expect(task.result.kind).toBe("task");
  expect(task.result.status.state).toBe("completed");
  expect(JSON.stringify(task.result.artifacts)).toContain("Hello over A2A");

  // The key is limited to this agent.
  const other = await request.post(`/api/agents/${demoAgent}/chat`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { messages: [{ role: "user", content: "Hello" }] },
  });
  expect(other.status()).toBe(403);

  // Revoked, it stops working at once.
  await page.getByRole("button", { name: "Revoke Website backend" }).click();
  await expect(page.getByText("You have no connection keys for this agent yet.")).toBeVisible();
  const revoked = await request.post(`/api/agents/${id}/chat`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { messages: [{ role: "user", content: "Hello" }] },
  });
  expect(revoked.status()).toBe(401);
});

test("runs in the try-it pane count against the organisation's plan limits", async ({ page, request }) => {
  const { agentId, userToken } = demo();
  const organisation = (body: unknown) =>
    request.put("/api/organisation", { headers: { Authorization: `Bearer ${userToken}` }, data: body });
  await signInAsAdmin(page);
  await page.goto(`/dashboard/agents/${agentId}`);
  expect((await organisation({ monthly_message_limit: 1 })).status()).toBe(200);
  try {
    // The first message may still fit this month's plan; the second cannot.
    for (const text of ["First", "Second"]) {
      await page.getByLabel("Message").fill(text);
      await page.getByRole("button", { name: "Send" }).click();
      await expect(page.getByRole("button", { name: "Send" })).toBeVisible();
      await expect(page.getByLabel("Conversation")).toContainText(text);
    }
    await expect(page.getByRole("alert").filter({ hasText: "messages for this month" }).last()).toBeVisible();
  } finally {
    expect((await organisation({ monthly_message_limit: null })).status()).toBe(200);
  }
});
