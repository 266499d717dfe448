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

let upstream: ScriptedUpstream;
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
  return { acme, billing, namesake, scopedKey: scoped.secret, ownedKey: owned.secret, aliceToken: alice.token, globex, gateKey: gate.key };
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
  world = await startWorld({
    seed,
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_MODEL: "scripted-model",
      MODEL_MAX_RETRIES: "0",
      RUN_TIMEOUT_MS: "5000",
      TRUST_PROXY_HOPS: "1",
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

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
