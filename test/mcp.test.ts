/**
 * The MCP server at /api/mcp, through the MCP SDK's own client over real HTTP against the
 * production build, with the scripted model upstream.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "@/lib/agents";
import type { Db } from "@/lib/db";
import { createGateAgent } from "@/lib/gate/agents";
import { createGateTool } from "@/lib/gate/tools";
import { startWorld, type World } from "./support/app";
import { createKey, createMember, createTenant } from "./support/fixtures";
import { uniqueIp } from "./support/http";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";
import { startToolServer, type ToolServer } from "./support/tool-server";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

let upstream: ScriptedUpstream;
let toolServer: ToolServer;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme", { agent: { name: "Support Desk" } });
  const billing = await createAgent(db, { orgId: acme.org.id, name: "Billing & Refunds!" });
  const namesake = await createAgent(db, { orgId: acme.org.id, name: "support-desk" });
  const scoped = await createKey(db, { orgId: acme.org.id, name: "billing only", agentIds: [billing.id] });
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  const owned = await createKey(db, { orgId: acme.org.id, name: "alice's", createdByUserId: alice.userId });
  const globex = await createTenant(db, "Globex");
  const gate = await createGateAgent(db, acme.org.id, { name: "Refund bot" });
  await createGateTool(db, acme.org.id, { name: "refund", default_action: "review" });
  // An organisation of its own for the agent with a gated tool, so Acme's tool list stays as it is.
  const initech = await createTenant(db, "Initech");
  const rita = await createMember(db, initech.org.id, "rita@initech.test");
  return {
    acme,
    billing,
    namesake,
    scopedKey: scoped.secret,
    ownedKey: owned.secret,
    aliceToken: alice.token,
    globex,
    gateKey: gate.key,
    initech,
    reviewerToken: rita.token,
  };
}

const mcpUrl = () => new URL(`${world.app.url}/api/mcp`);

/** A connected SDK client for a key; closed by the test. */
async function connect(key: string): Promise<Client> {
  const client = new Client({ name: "conduit-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  return client;
}

async function withClient<T>(key: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(key);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

const textOf = (result: CallToolResult) => result.content.map((part) => (part.type === "text" ? part.text : "")).join("");

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  toolServer = await startToolServer({ refunded: true });
  world = await startWorld({
    seed,
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_MODEL: "scripted-model",
      MODEL_MAX_RETRIES: "0",
      RUN_TIMEOUT_MS: "5000",
      TRUST_PROXY_HOPS: "1",
      TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
  await toolServer?.close();
});

beforeEach(() => {
  upstream.reset();
  toolServer.bodies.length = 0;
});

describe("tools/list", () => {
  it("offers one ask_ tool per agent, with unique slugs, plus the task tools", async () => {
    const names = await withClient(world.seeded.acme.key, async (client) => (await client.listTools()).tools.map((tool) => tool.name));
    expect(names.sort()).toEqual(["ask_billing_refunds", "ask_support_desk", "ask_support_desk_2", "create_task", "get_task"]);
  });

  it("a key limited to one agent lists only that agent's tool, and cannot reach the others", async () => {
    await withClient(world.seeded.scopedKey, async (client) => {
      const tools = (await client.listTools()).tools;
      expect(tools.map((tool) => tool.name).filter((name) => name.startsWith("ask_"))).toEqual(["ask_billing_refunds"]);
      expect(tools[0]!.description).toContain(world.seeded.billing.publicId);
      const refused = (await client.callTool({ name: "ask_support_desk", arguments: { prompt: "hi" } })) as CallToolResult;
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain("not found");
    });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("ask_<agent>", () => {
  it("runs the agent through the pipeline and answers with the reply, ids and conversation", async () => {
    upstream.script({ content: "Your invoice is paid." });
    const { acme } = world.seeded;
    const result = await withClient(
      acme.key,
      async (client) =>
        (await client.callTool({ name: "ask_support_desk", arguments: { prompt: "Is my invoice paid?" } })) as CallToolResult,
    );
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe("Your invoice is paid.");
    expect(result.structuredContent).toMatchObject({
      status: "completed",
      agent_id: acme.agent.publicId,
      generation_id: expect.stringMatching(/^agt_gen_/),
      trace_id: expect.any(String),
      conversation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      model: "scripted-model",
    });
    expect((upstream.requests[0]!.body as { messages: unknown[] }).messages).toEqual([{ role: "user", content: "Is my invoice paid?" }]);

    // Recorded as an MCP run.
    const trace = await fetch(`${world.app.url}/api/v1/agents/traces/${String(result.structuredContent!.trace_id)}`, {
      headers: { Authorization: `Bearer ${acme.key}` },
    });
    expect(trace.status).toBe(200);
    const body = (await trace.json()) as { generations: Array<{ id: string; door: string }> };
    expect(body.generations).toEqual([expect.objectContaining({ id: result.structuredContent!.generation_id, door: "mcp" })]);
  });

  it("continues a conversation by its id, with the earlier turns as history; another key cannot", async () => {
    const { acme, ownedKey } = world.seeded;
    upstream.script({ content: "Noted: blue." }, { content: "You said blue." });
    await withClient(acme.key, async (client) => {
      const first = (await client.callTool({ name: "ask_support_desk", arguments: { prompt: "My colour is blue." } })) as CallToolResult;
      const conversationId = first.structuredContent!.conversation_id as string;
      const second = (await client.callTool({
        name: "ask_support_desk",
        arguments: { prompt: "What is my colour?", conversation_id: conversationId },
      })) as CallToolResult;
      expect(second.isError).toBeFalsy();
      expect(textOf(second)).toBe("You said blue.");
      expect(second.structuredContent).toMatchObject({ conversation_id: conversationId });
      expect((upstream.requests[1]!.body as { messages: unknown[] }).messages).toEqual([
        { role: "user", content: "My colour is blue." },
        { role: "assistant", content: "Noted: blue." },
        { role: "user", content: "What is my colour?" },
      ]);
      const foreign = await withClient(
        ownedKey,
        async (other) =>
          (await other.callTool({
            name: "ask_support_desk",
            arguments: { prompt: "peek", conversation_id: conversationId },
          })) as CallToolResult,
      );
      expect(foreign.isError).toBe(true);
      expect(textOf(foreign)).toMatch(/^NOT_FOUND: Conversation not found/);
    });
    expect(upstream.requests).toHaveLength(2);
  });

  it("sends progress notifications while the agent runs, when the client asks for them", async () => {
    upstream.script({ chunks: ["One ", "two ", "three"] });
    const progress: Progress[] = [];
    const result = await withClient(
      world.seeded.acme.key,
      async (client) =>
        (await client.callTool({ name: "ask_support_desk", arguments: { prompt: "Count" } }, undefined, {
          onprogress: (update) => progress.push(update),
        })) as CallToolResult,
    );
    expect(textOf(result)).toBe("One two three");
    expect(progress.map((update) => update.message).join("")).toBe("One two three");
    expect(progress.map((update) => update.progress)).toEqual([1, 2, 3]);
  });

  it("a key over its budget gets an isError result saying so, and the model is never called", async () => {
    const broke = await createKeyWithBudget();
    const result = await withClient(
      broke,
      async (client) => (await client.callTool({ name: "ask_support_desk", arguments: { prompt: "hi" } })) as CallToolResult,
    );
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^BUDGET_EXCEEDED: .*budget/);
    expect(result.structuredContent).toMatchObject({ error: { code: "BUDGET_EXCEEDED", status: 429 } });
    expect(upstream.requests).toHaveLength(0);
  });
});

/** A key with a spent budget, made through the key management API as a member would. */
async function createKeyWithBudget(): Promise<string> {
  const reply = await fetch(`${world.app.url}/api/api-keys`, {
    method: "POST",
    headers: { Authorization: `Bearer ${world.seeded.aliceToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ label: "broke", budget_usd_cents: 0, budget_period: "total" }),
  });
  expect(reply.status).toBe(201);
  return ((await reply.json()) as { key: string }).key;
}

describe("refusals before the MCP layer", () => {
  it("a missing or invalid key is a 401 JSON-RPC error with WWW-Authenticate", async () => {
    for (const authorization of [undefined, "Bearer cdt_not-a-real-key"]) {
      const response = await fetch(mcpUrl(), {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
          ...uniqueIp(),
          ...(authorization ? { Authorization: authorization } : {}),
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await response.json()).toEqual({
        jsonrpc: "2.0",
        error: {
          code: -32000,
          message: expect.any(String),
          data: { code: expect.stringMatching(/UNAUTHENTICATED|INVALID_API_KEY/), status: 401, request_id: expect.any(String) },
        },
        id: null,
      });
    }
  });

  it("the SDK client sees the 401 when connecting with a bad key", async () => {
    const client = new Client({ name: "conduit-test", version: "1.0.0" });
    const headers = { Authorization: "Bearer cdt_not-a-real-key", ...uniqueIp() };
    const refused = client.connect(new StreamableHTTPClientTransport(mcpUrl(), { requestInit: { headers } }));
    await expect(refused).rejects.toMatchObject({ code: 401, message: expect.stringContaining("Invalid or revoked API key") });
  });

  it("GET and DELETE are 405: stateless, no event stream or session", async () => {
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(mcpUrl(), { method, headers: { Authorization: `Bearer ${world.seeded.acme.key}` } });
      expect(response.status).toBe(405);
      expect(((await response.json()) as { error: { data: { code: string } } }).error.data.code).toBe("METHOD_NOT_ALLOWED");
    }
  });
});

describe("create_task and get_task", () => {
  it("queue a task for the key's member and read its answer", async () => {
    upstream.script({ content: "Task done." });
    await withClient(world.seeded.ownedKey, async (client) => {
      const created = (await client.callTool({ name: "create_task", arguments: { message: "Summarise the week" } })) as CallToolResult;
      expect(created.isError).toBeFalsy();
      expect(created.structuredContent).toMatchObject({ status: "accepted", conversation_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      const id = created.structuredContent!.conversation_uuid as string;
      let task: CallToolResult | undefined;
      for (let i = 0; i < 100; i++) {
        task = (await client.callTool({ name: "get_task", arguments: { conversation_uuid: id } })) as CallToolResult;
        if (task.structuredContent?.status === "resolved") break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(task!.structuredContent).toMatchObject({ conversation_uuid: id, status: "resolved" });
      expect(textOf(task!)).toContain("Task done.");
    });
  });

  it("a key without a member cannot hold tasks; invalid input is refused before anything is queued", async () => {
    await withClient(world.seeded.acme.key, async (client) => {
      const ownerless = (await client.callTool({ name: "create_task", arguments: { message: "hi" } })) as CallToolResult;
      expect(ownerless.isError).toBe(true);
      expect(textOf(ownerless)).toMatch(/^FORBIDDEN:/);
    });
    await withClient(world.seeded.ownedKey, async (client) => {
      const empty = (await client.callTool({ name: "create_task", arguments: { message: "   " } })) as CallToolResult;
      expect(empty.isError).toBe(true);
      const missing = (await client.callTool({
        name: "get_task",
        arguments: { conversation_uuid: "00000000-0000-4000-8000-000000000000" },
      })) as CallToolResult;
      expect(missing.isError).toBe(true);
      expect(textOf(missing)).toMatch(/^NOT_FOUND:/);
    });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("request_approval, with a gate agent's key", () => {
  it("lists only request_approval and opens a review thread", async () => {
    await withClient(world.seeded.gateKey, async (client) => {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["request_approval"]);
      const result = (await client.callTool({
        name: "request_approval",
        arguments: {
          task_id: "order-42",
          workflow_name: "Refunds",
          task_label: "Refund order 42",
          tool_name: "refund",
          subject: "Refund $20",
        },
      })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        status: "pending_review",
        task_id: "order-42",
        thread_id: expect.stringMatching(/^THR-/),
      });
      const unknown = (await client.callTool({
        name: "request_approval",
        arguments: { task_id: "order-43", workflow_name: "Refunds", task_label: "x", tool_name: "wire", subject: "x" },
      })) as CallToolResult;
      expect(unknown.isError).toBe(true);
      expect(textOf(unknown)).toMatch(/^BAD_REQUEST: Unknown tool_name/);
    });
  });
});

/** A JSON call to the REST API with a key or a member's token. */
async function api(method: string, path: string, bearer: string, body?: unknown) {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown>, text };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done()` holds or `timeoutMs` passes; the caller asserts what it waited for. */
async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done()) && Date.now() < deadline) await pause(50);
}

describe("ask_<agent> whose run pauses for review", () => {
  let agentId: string;

  beforeAll(async () => {
    const { initech, reviewerToken } = world.seeded;
    const provider = await api("POST", "/api/v1/ai-providers", initech.key, {
      name: "scripted",
      type: "openai_compatible",
      base_url: upstream.baseUrl,
      api_key: "sk-x",
      default_model: "scripted-model",
    });
    const tool = await api("POST", "/api/v1/agents/tools", initech.key, {
      name: "issue_refund",
      type: "http",
      gated: true,
      parameters: { type: "object", properties: { amount: { type: "number" } } },
      execute: { url: `${toolServer.url}/refunds` },
    });
    const agent = await api("POST", "/api/v1/agents", initech.key, {
      ai_provider_id: provider.json.id,
      name: "Refunds",
      tool_ids: [tool.json.id],
    });
    expect(agent.status, agent.text).toBe(201);
    agentId = agent.json.id as string;
    const gateAgent = await api("POST", "/api/gate/agents", reviewerToken, { name: "Refunds reviewer", agent_id: agentId });
    expect(gateAgent.status, gateAgent.text).toBe(201);
    const gateTool = await api("POST", "/api/gate/tools", reviewerToken, { name: "issue_refund", default_action: "review" });
    expect(gateTool.status, gateTool.text).toBe(201);
  });

  it("answers requires_action with the review thread and generation; once approved, the run completes", async () => {
    upstream.script(
      { toolCalls: [{ id: "call_refund", name: "issue_refund", arguments: JSON.stringify({ amount: 500 }) }] },
      { content: "Refund of $500 issued." },
    );
    const { initech, reviewerToken } = world.seeded;
    const result = await withClient(
      initech.key,
      async (client) => (await client.callTool({ name: "ask_refunds", arguments: { prompt: "Refund my order" } })) as CallToolResult,
    );
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      status: "requires_action",
      waiting_on: "review",
      agent_id: agentId,
      generation_id: expect.stringMatching(/^agt_gen_/),
      trace_id: expect.any(String),
      review_thread_ids: [expect.stringMatching(/^THR-/)],
      tool_calls: [expect.objectContaining({ tool_call_id: "call_refund", tool_name: "issue_refund", args: { amount: 500 } })],
    });
    const generationId = result.structuredContent!.generation_id as string;
    const [threadId] = result.structuredContent!.review_thread_ids as string[];
    const generationPath = `/api/v1/agents/${agentId}/generate/${generationId}`;
    expect(textOf(result)).toContain(`review thread ${threadId!}`);
    expect(textOf(result)).toContain(`GET ${generationPath}`);
    expect(toolServer.bodies).toHaveLength(0);

    const paused = await api("GET", generationPath, initech.key);
    expect(paused.json).toMatchObject({ status: "requires_action" });
    const listed = await api("GET", "/api/gate/threads?status=needs_review", reviewerToken);
    expect((listed.json.data as Array<{ thread_id: string }>).map((thread) => thread.thread_id)).toContain(threadId);
    const decided = await api("POST", `/api/gate/threads/${threadId!}/decision`, reviewerToken, {
      action: "approve",
      message: "Verified.",
    });
    expect(decided.status, decided.text).toBe(200);

    let done = paused;
    await waitUntil(async () => {
      done = await api("GET", generationPath, initech.key);
      return done.json.status === "completed";
    }, 15_000);
    expect(done.json).toMatchObject({ status: "completed", text: "Refund of $500 issued." });
    expect(toolServer.bodies).toHaveLength(1);
    expect(upstream.requests).toHaveLength(2);
  });
});

describe("cancelling an ask_<agent> call", () => {
  /** A streamed reply (a call with a progress token) that takes 5 s, as long as the run may take (RUN_TIMEOUT_MS). */
  const scriptSlowStream = () => upstream.script({ chunks: Array.from({ length: 50 }, (_, i) => `t${i} `), chunkDelayMs: 100 });
  /** A whole reply (a call without a progress token) that stalls 4.5 s before answering. */
  const scriptStall = () => upstream.script({ content: "Too late.", delayMs: 4500 });

  /** Receives Acme's message.created events, where a reply's status is told. */
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    const endpoint = await api("POST", "/api/webhook-endpoints", world.seeded.aliceToken, {
      url: receiver.url,
      event_types: ["message.created"],
    });
    expect(endpoint.status, endpoint.text).toBe(201);
  });

  afterAll(() => receiver?.close());

  /** The recorded reply to `prompt`, as its message.created event tells it. */
  async function replyTo(prompt: string) {
    type MessageEvent = { type: string; data: { conversation_id: string; role: string; content: string; status: string } };
    const messages = () =>
      receiver.received.map((request) => JSON.parse(request.rawBody.toString("utf8")) as MessageEvent).map((event) => event.data);
    const reply = () => {
      const asked = messages().find((message) => message.role === "user" && message.content === prompt);
      return messages().find((message) => message.role === "assistant" && message.conversation_id === asked?.conversation_id);
    };
    await waitUntil(() => reply() !== undefined, 5000);
    return reply();
  }

  /** The newest run of Acme's agent, as the traces API lists it. */
  async function newestRun() {
    const { acme } = world.seeded;
    const listed = await api("GET", `/api/v1/agents/traces?agent_id=${acme.agent.publicId}&limit=1`, acme.key);
    expect(listed.status, listed.text).toBe(200);
    return (listed.json as unknown as Array<{ door: string; status: string }>)[0]!;
  }

  it("the SDK client's cancel alone cannot reach a stateless server; closing its transport stops the run", async () => {
    scriptSlowStream();
    const client = await connect(world.seeded.acme.key);
    const cancel = new AbortController();
    const call = client.callTool({ name: "ask_support_desk", arguments: { prompt: "Count slowly, with progress" } }, undefined, {
      signal: cancel.signal,
      onprogress: () => cancel.abort(new Error("Enough")),
    });
    await expect(call).rejects.toThrow("Enough");
    // The client's notifications/cancelled is a POST of its own, answered by a server that holds no
    // such call, and the call's event stream stays open: the run goes on.
    await pause(500);
    expect(upstream.abortedRequests()).toBe(0);

    // Closing the transport aborts its requests, the call's event stream with them.
    const closedAt = Date.now();
    await client.close();
    await waitUntil(() => upstream.abortedRequests() > 0, 3000);
    expect(upstream.abortedRequests()).toBe(1);
    // Stopped by the client going away, well before the stream's end or the run timeout.
    expect(Date.now() - closedAt).toBeLessThan(2000);
    await waitUntil(async () => (await newestRun()).status !== "running", 3000);
    expect(await newestRun()).toMatchObject({ door: "mcp", status: "failed" });
    expect(await replyTo("Count slowly, with progress")).toMatchObject({ status: "aborted" });
  });

  it("a caller that goes away mid-call, closing the call's event stream, stops the run", async () => {
    scriptStall();
    const gone = new AbortController();
    // Nothing is written before the result (no progress token), so the answer's headers wait for it too.
    const call = fetch(mcpUrl(), {
      method: "POST",
      headers: {
        Authorization: `Bearer ${world.seeded.acme.key}`,
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "ask_support_desk", arguments: { prompt: "Stall" } },
      }),
      signal: gone.signal,
    });
    await waitUntil(() => upstream.requests.length > 0, 3000);
    expect(upstream.requests).toHaveLength(1);

    const goneAt = Date.now();
    gone.abort();
    await expect(call).rejects.toThrow(/aborted/);
    await waitUntil(() => upstream.abortedRequests() > 0, 3000);
    expect(upstream.abortedRequests()).toBe(1);
    expect(Date.now() - goneAt).toBeLessThan(2000);
    await waitUntil(async () => (await newestRun()).status !== "running", 3000);
    expect(await newestRun()).toMatchObject({ door: "mcp", status: "failed" });
  });
});
