/**
 * The A2A server at /api/a2a/agents/{agentId}, through the A2A SDK's own v0.3 client
 * (LegacyJsonRpcTransport) over real HTTP against the production build, with the scripted model
 * upstream; raw fetch where the wire itself is the point.
 */
import { Role, TaskState, type SendMessageRequest, type StreamResponse, type Task } from "@a2a-js/sdk";
import { LegacyJsonRpcTransport, parseLegacyAgentCard } from "@a2a-js/sdk/compat/v0_3/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "@/lib/agents";
import type { Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createKey, createMember, createTenant } from "./support/fixtures";
import { uniqueIp } from "./support/http";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";
import { startToolServer, type ToolServer } from "./support/tool-server";

let upstream: ScriptedUpstream;
let toolServer: ToolServer;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme", { agent: { name: "Support Desk", instructions: "Never mention the secret discount." } });
  const billing = await createAgent(db, { orgId: acme.org.id, name: "Billing" });
  const scoped = await createKey(db, { orgId: acme.org.id, name: "billing only", agentIds: [billing.id] });
  const other = await createKey(db, { orgId: acme.org.id, name: "another key" });
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  const globex = await createTenant(db, "Globex");
  return { acme, billing, scopedKey: scoped.secret, otherKey: other.secret, aliceToken: alice.token, globex };
}

const endpoint = (agentPublicId = world.seeded.acme.agent.publicId) => `${world.app.url}/api/a2a/agents/${agentPublicId}`;

/** The SDK's v0.3 JSON-RPC client for an agent, sending this key as the Bearer token. */
function clientFor(key: string, agentPublicId?: string): LegacyJsonRpcTransport {
  return new LegacyJsonRpcTransport({
    endpoint: endpoint(agentPublicId),
    fetchImpl: (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set("Authorization", `Bearer ${key}`);
      return fetch(input, { ...init, headers });
    },
  });
}

function userMessage(
  text: string,
  extra: { contextId?: string; taskId?: string; metadata?: Record<string, unknown> } = {},
): SendMessageRequest {
  return {
    tenant: "",
    message: {
      messageId: crypto.randomUUID(),
      contextId: extra.contextId ?? "",
      taskId: extra.taskId ?? "",
      role: Role.ROLE_USER,
      parts: [{ content: { $case: "text", value: text }, metadata: undefined, filename: "", mediaType: "" }],
      metadata: extra.metadata,
      extensions: [],
      referenceTaskIds: [],
    },
    configuration: undefined,
    metadata: undefined,
  };
}

async function send(client: LegacyJsonRpcTransport, request: SendMessageRequest): Promise<Task> {
  const result = await client.sendMessage(request);
  if (!("status" in result)) throw new Error("expected a task, got a message");
  return result;
}

const textOfParts = (parts: Array<{ content?: { $case: string; value: unknown } }>) =>
  parts.map((part) => (part.content?.$case === "text" ? String(part.content.value) : "")).join("");

/** A raw JSON-RPC call, for the wire's own shape. */
async function rpc(body: unknown, key: string | null = world.seeded.acme.key, agentPublicId?: string) {
  const response = await fetch(endpoint(agentPublicId), {
    method: "POST",
    headers: { "Content-Type": "application/json", ...uniqueIp(), ...(key ? { Authorization: `Bearer ${key}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

const sendParams = (text: string) => ({
  message: { kind: "message", messageId: crypto.randomUUID(), role: "user", parts: [{ kind: "text", text }] },
});

/** A key with a spent budget, made through the key management API as a member would. */
async function createKeyWithSpentBudget(): Promise<string> {
  const reply = await fetch(`${world.app.url}/api/api-keys`, {
    method: "POST",
    headers: { Authorization: `Bearer ${world.seeded.aliceToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ label: "broke", budget_usd_cents: 0, budget_period: "total" }),
  });
  expect(reply.status).toBe(201);
  return ((await reply.json()) as { key: string }).key;
}

async function traceOf(traceId: string) {
  const response = await fetch(`${world.app.url}/api/v1/agents/traces/${traceId}`, {
    headers: { Authorization: `Bearer ${world.seeded.acme.key}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    parent_trace_id: string | null;
    root_trace_id: string;
    generations: Array<{ id: string; door: string; text: string | null }>;
  };
}

const traceIdOf = (task: Task) => (task.metadata?.["conduit/trace"] as { trace_id: string }).trace_id;

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  toolServer = await startToolServer({ refunded: true });
  world = await startWorld({
    seed,
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_MODEL: "scripted-model",
      MODEL_MAX_RETRIES: "0",
      RUN_TIMEOUT_MS: "20000",
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

beforeEach(() => upstream.reset());

describe("agent card", () => {
  it("is public at both well-known paths, names the endpoint, Bearer scheme and streaming, and reveals nothing private", async () => {
    const { acme } = world.seeded;
    for (const path of ["agent-card.json", "agent.json"]) {
      const response = await fetch(`${endpoint()}/.well-known/${path}`);
      expect(response.status).toBe(200);
      const raw = (await response.json()) as Record<string, unknown>;
      expect(raw).toMatchObject({
        protocolVersion: "0.3.0",
        name: "Support Desk",
        url: endpoint(),
        preferredTransport: "JSONRPC",
        capabilities: { streaming: true, pushNotifications: false },
        defaultInputModes: ["text/plain"],
        defaultOutputModes: ["text/plain"],
        securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
        security: [{ bearer: [] }],
      });
      expect(raw.skills).toHaveLength(1);
      const text = JSON.stringify(raw);
      expect(text).not.toContain("secret discount");
      expect(text).not.toContain("scripted-model");
      expect(text).not.toContain(acme.org.id);
      const card = parseLegacyAgentCard(raw);
      expect(card.name).toBe("Support Desk");
      expect(card.capabilities?.streaming).toBe(true);
      expect(card.supportedInterfaces[0]).toMatchObject({ url: endpoint(), protocolBinding: "JSONRPC" });
    }
  });

  it("is 404 for an unknown agent", async () => {
    const response = await fetch(`${world.app.url}/api/a2a/agents/agt_unknown000000000000/.well-known/agent-card.json`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { data: { code: string } } }).error.data.code).toBe("NOT_FOUND");
  });
});

describe("message/send", () => {
  it("runs the agent through the pipeline and answers the completed task, recorded with door a2a", async () => {
    upstream.script({ content: "Your invoice is paid." });
    const task = await send(clientFor(world.seeded.acme.key), userMessage("Is my invoice paid?"));
    expect(task.id).toMatch(/^agt_gen_/);
    expect(task.contextId).toMatch(/^[0-9a-f-]{36}$/);
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(textOfParts(task.status?.message?.parts ?? [])).toBe("Your invoice is paid.");
    expect(textOfParts(task.artifacts[0]!.parts)).toBe("Your invoice is paid.");
    expect(task.history.map((message) => [message.role, textOfParts(message.parts)])).toEqual([
      [Role.ROLE_USER, "Is my invoice paid?"],
      [Role.ROLE_AGENT, "Your invoice is paid."],
    ]);
    expect((upstream.requests[0]!.body as { messages: unknown[] }).messages).toEqual([
      { role: "system", content: "Never mention the secret discount." },
      { role: "user", content: "Is my invoice paid?" },
    ]);

    const trace = await traceOf(traceIdOf(task));
    expect(trace.parent_trace_id).toBeNull();
    expect(trace.generations).toEqual([expect.objectContaining({ id: task.id, door: "a2a" })]);
  });

  it("continues the conversation of a contextId; another key's contextId is refused", async () => {
    upstream.script({ content: "Noted: blue." }, { content: "You said blue." });
    const client = clientFor(world.seeded.acme.key);
    const first = await send(client, userMessage("My colour is blue."));
    const second = await send(client, userMessage("What is my colour?", { contextId: first.contextId }));
    expect(second.contextId).toBe(first.contextId);
    expect(second.id).not.toBe(first.id);
    expect(textOfParts(second.artifacts[0]!.parts)).toBe("You said blue.");
    expect((upstream.requests[1]!.body as { messages: unknown[] }).messages).toEqual([
      { role: "system", content: "Never mention the secret discount." },
      { role: "user", content: "My colour is blue." },
      { role: "assistant", content: "Noted: blue." },
      { role: "user", content: "What is my colour?" },
    ]);

    await expect(send(clientFor(world.seeded.otherKey), userMessage("peek", { contextId: first.contextId }))).rejects.toMatchObject({
      envelopeCode: -32602,
      data: { code: "VALIDATION_FAILED" },
    });
    // A message to a task that ended is refused too: a task takes one message.
    await expect(send(client, userMessage("again", { taskId: first.id }))).rejects.toMatchObject({ envelopeCode: -32602 });
    expect(upstream.requests).toHaveLength(2);
  });

  it("honours a calling agent's trace metadata, never loosening the depth limit, and ignores malformed metadata", async () => {
    upstream.script({ content: "Child answer." }, { content: "Plain answer." });
    const client = clientFor(world.seeded.acme.key);
    const child = await send(
      client,
      userMessage("From another agent", {
        metadata: { "conduit/trace": { parent_trace_id: "trace_parent_1", root_trace_id: "trace_root_1", call_depth: 2 } },
      }),
    );
    const trace = await traceOf(traceIdOf(child));
    expect(trace).toMatchObject({ parent_trace_id: "trace_parent_1", root_trace_id: "trace_root_1" });
    expect(trace.generations[0]).toMatchObject({ id: child.id, door: "a2a" });

    const plain = await send(client, userMessage("Hello", { metadata: { "conduit/trace": { parent_trace_id: 42 } } }));
    expect((await traceOf(traceIdOf(plain))).parent_trace_id).toBeNull();

    // A chain already at the depth limit does not run: the model is never called.
    const deep = await send(
      client,
      userMessage("Too deep", { metadata: { "conduit/trace": { parent_trace_id: "trace_p", root_trace_id: "trace_r", call_depth: 10 } } }),
    );
    expect(textOfParts(deep.artifacts[0]!.parts)).toMatch(/^Depth guard/);
    expect(upstream.requests).toHaveLength(2);
  });
});

/** A JSON call to Conduit's own API, for setting up what a test needs. */
async function api(method: string, path: string, bearer: string, body: unknown) {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  expect(response.status, JSON.stringify(json)).toBeLessThan(300);
  return json;
}

describe("gated tools", () => {
  it("a call under review leaves the task input-required, naming the thread; once approved the task completes", async () => {
    const { acme, aliceToken } = world.seeded;
    const tool = await api("POST", "/api/v1/agents/tools", acme.key, {
      name: "issue_refund",
      type: "http",
      gated: true,
      parameters: { type: "object", properties: { amount: { type: "number" } } },
      execute: { url: `${toolServer.url}/refunds` },
    });
    const provider = await api("POST", "/api/v1/ai-providers", acme.key, {
      name: "scripted",
      type: "openai_compatible",
      base_url: upstream.baseUrl,
      api_key: "sk-x",
      default_model: "scripted-model",
    });
    const agent = await api("POST", "/api/v1/agents", acme.key, { ai_provider_id: provider.id, name: "Refunds", tool_ids: [tool.id] });
    await api("POST", "/api/gate/agents", aliceToken, { name: "Refunds gate", agent_id: agent.id });
    await api("POST", "/api/gate/tools", aliceToken, { name: "issue_refund", default_action: "review" });
    upstream.script(
      { toolCalls: [{ id: "call_review", name: "issue_refund", arguments: JSON.stringify({ amount: 500 }) }] },
      { content: "Refund of $500 issued." },
    );
    const client = clientFor(acme.key, agent.id as string);
    const paused = await send(client, userMessage("Refund my order"));
    expect(paused.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const note = textOfParts(paused.status?.message?.parts ?? []);
    const threadId = /THR-[0-9A-F]+/.exec(note)?.[0];
    expect(threadId, note).toBeDefined();
    expect(toolServer.bodies).toHaveLength(0);
    expect((await client.getTask({ tenant: "", id: paused.id })).status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    await expect(client.cancelTask({ tenant: "", id: paused.id, metadata: undefined })).rejects.toMatchObject({ envelopeCode: -32002 });

    await api("POST", `/api/gate/threads/${threadId}/decision`, aliceToken, { action: "approve", message: "Verified." });
    await expect
      .poll(async () => (await client.getTask({ tenant: "", id: paused.id })).status?.state, { timeout: 15_000 })
      .toBe(TaskState.TASK_STATE_COMPLETED);
    const done = await client.getTask({ tenant: "", id: paused.id });
    expect(done.contextId).toBe(paused.contextId);
    expect(textOfParts(done.artifacts[0]!.parts)).toBe("Refund of $500 issued.");
    expect(toolServer.bodies).toHaveLength(1);
  });
});

describe("message/stream", () => {
  it("streams the task, the reply as appended artifact updates, then a final completed status", async () => {
    upstream.script({ chunks: ["One ", "two ", "three"] });
    const events: StreamResponse[] = [];
    for await (const event of clientFor(world.seeded.acme.key).sendMessageStream(userMessage("Count"))) events.push(event);
    const kinds = events.map((event) => event.payload?.$case);
    expect(kinds).toEqual(["task", "artifactUpdate", "artifactUpdate", "artifactUpdate", "statusUpdate"]);
    const first = events[0]!.payload!;
    if (first.$case !== "task") throw new Error("expected the task first");
    expect(first.value.status?.state).toBe(TaskState.TASK_STATE_WORKING);
    const deltas = events.flatMap((event) => (event.payload?.$case === "artifactUpdate" ? [event.payload.value] : []));
    expect(deltas.map((update) => textOfParts(update.artifact!.parts))).toEqual(["One ", "two ", "three"]);
    expect(deltas.map((update) => update.append)).toEqual([false, true, true]);
    expect(deltas.every((update) => update.taskId === first.value.id)).toBe(true);
    const last = events.at(-1)!.payload!;
    if (last.$case !== "statusUpdate") throw new Error("expected a status update last");
    expect(last.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(textOfParts(last.value.status?.message?.parts ?? [])).toBe("One two three");

    // The finished task reads back, with as much history as asked for; another key cannot see it.
    const read = await clientFor(world.seeded.acme.key).getTask({ tenant: "", id: first.value.id, historyLength: 1 });
    expect(read).toMatchObject({ id: first.value.id, contextId: first.value.contextId, status: { state: TaskState.TASK_STATE_COMPLETED } });
    expect(read.history.map((message) => textOfParts(message.parts))).toEqual(["One two three"]);
    await expect(clientFor(world.seeded.otherKey).getTask({ tenant: "", id: first.value.id })).rejects.toMatchObject({
      envelopeCode: -32001,
    });
  });

  it("answers the older tasks/sendSubscribe name with the same events, each a JSON-RPC response to the request's id", async () => {
    upstream.script({ chunks: ["Hi ", "there"] });
    const response = await fetch(endpoint(), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", Authorization: `Bearer ${world.seeded.acme.key}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: "req-7", method: "tasks/sendSubscribe", params: sendParams("Greet me") }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = (await response.text())
      .split("\n\n")
      .filter((block) => block.startsWith("data: "))
      .map((block) => JSON.parse(block.slice("data: ".length)) as { jsonrpc: string; id: string; result: Record<string, unknown> });
    expect(events.every((event) => event.jsonrpc === "2.0" && event.id === "req-7")).toBe(true);
    expect(events.map((event) => event.result.kind)).toEqual(["task", "artifact-update", "artifact-update", "status-update"]);
    expect(events.at(-1)!.result).toMatchObject({ kind: "status-update", final: true, status: { state: "completed" } });
  });

  it("tasks/cancel from another request stops the running task: the stream ends canceled and tasks/get says so", async () => {
    upstream.script({ chunks: Array.from({ length: 40 }, () => "tick "), chunkDelayMs: 250 });
    const client = clientFor(world.seeded.acme.key);
    const events: StreamResponse[] = [];
    let taskId = "";
    for await (const event of client.sendMessageStream(userMessage("Count slowly"))) {
      events.push(event);
      if (event.payload?.$case === "task") taskId = event.payload.value.id;
      if (event.payload?.$case === "artifactUpdate" && events.length === 2) {
        // Another key cannot cancel it; its own key can.
        await expect(clientFor(world.seeded.otherKey).cancelTask({ tenant: "", id: taskId, metadata: undefined })).rejects.toMatchObject({
          envelopeCode: -32001,
        });
        const canceled = await clientFor(world.seeded.acme.key).cancelTask({ tenant: "", id: taskId, metadata: undefined });
        expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
      }
    }
    const last = events.at(-1)!.payload!;
    if (last.$case !== "statusUpdate") throw new Error("expected a status update last");
    expect(last.value.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect(events.filter((event) => event.payload?.$case === "artifactUpdate").length).toBeLessThan(10);

    const read = await client.getTask({ tenant: "", id: taskId });
    expect(read.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    // The model call was aborted, and a canceled task cannot be canceled again.
    await expect.poll(() => upstream.abortedRequests()).toBeGreaterThanOrEqual(1);
    await expect(client.cancelTask({ tenant: "", id: taskId, metadata: undefined })).rejects.toMatchObject({ envelopeCode: -32002 });
  });
});

describe("refusals", () => {
  it("a missing or invalid key is a 401 JSON-RPC error with WWW-Authenticate, and the SDK client sees it", async () => {
    for (const key of [null, "cdt_not-a-real-key"]) {
      const reply = await rpc({ jsonrpc: "2.0", id: 1, method: "message/send", params: sendParams("hi") }, key);
      expect(reply.status).toBe(401);
      expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(reply.body).toEqual({
        jsonrpc: "2.0",
        error: {
          code: -32000,
          message: expect.any(String),
          data: { code: expect.stringMatching(/UNAUTHENTICATED|INVALID_API_KEY/), status: 401, request_id: expect.any(String) },
        },
        id: null,
      });
    }
    await expect(send(clientFor("cdt_not-a-real-key"), userMessage("hi"))).rejects.toMatchObject({
      data: { code: "INVALID_API_KEY", status: 401 },
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it("a key limited to one agent cannot reach another, which looks like an unknown agent, as another organisation's does", async () => {
    const { scopedKey, billing, globex } = world.seeded;
    await expect(send(clientFor(scopedKey), userMessage("hi"))).rejects.toMatchObject({ data: { code: "NOT_FOUND", status: 404 } });
    const foreign = await rpc(
      { jsonrpc: "2.0", id: 1, method: "message/send", params: sendParams("hi") },
      world.seeded.acme.key,
      globex.agent.publicId,
    );
    expect(foreign.status).toBe(404);
    upstream.script({ content: "Billing here." });
    const allowed = await send(clientFor(scopedKey, billing.publicId), userMessage("hi"));
    expect(textOfParts(allowed.artifacts[0]!.parts)).toBe("Billing here.");
    expect(upstream.requests).toHaveLength(1);
  });

  it("a key over its budget gets a JSON-RPC error naming BUDGET_EXCEEDED, streaming or not, and the model is never called", async () => {
    const broke = await createKeyWithSpentBudget();
    const reply = await rpc({ jsonrpc: "2.0", id: 5, method: "message/send", params: sendParams("hi") }, broke);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      jsonrpc: "2.0",
      id: 5,
      error: { code: -32000, message: expect.stringMatching(/budget/i), data: { code: "BUDGET_EXCEEDED", status: 429 } },
    });
    await expect(send(clientFor(broke), userMessage("hi"))).rejects.toMatchObject({ data: { code: "BUDGET_EXCEEDED" } });
    const stream = clientFor(broke).sendMessageStream(userMessage("hi"));
    await expect(stream.next()).rejects.toMatchObject({ data: { code: "BUDGET_EXCEEDED" } });
    expect(upstream.requests).toHaveLength(0);
  });

  it("protocol errors: unreadable JSON, not JSON-RPC, unknown method, invalid params, non-text parts, unknown task", async () => {
    const unreadable = await rpc("{not json");
    expect(unreadable.status).toBe(400);
    expect(unreadable.body).toMatchObject({ error: { code: -32700 }, id: null });
    expect((await rpc({ id: 1, method: "message/send" })).body).toMatchObject({ error: { code: -32600 }, id: null });
    expect((await rpc({ jsonrpc: "2.0", id: 2, method: "tasks/list" })).body).toMatchObject({ error: { code: -32601 }, id: 2 });
    expect((await rpc({ jsonrpc: "2.0", id: 3, method: "message/send", params: { message: { parts: [] } } })).body).toMatchObject({
      error: { code: -32602, data: { code: "VALIDATION_FAILED" } },
      id: 3,
    });
    const file = {
      message: { kind: "message", messageId: "m1", role: "user", parts: [{ kind: "file", file: { uri: "https://example.com/a.pdf" } }] },
    };
    expect((await rpc({ jsonrpc: "2.0", id: 4, method: "message/send", params: file })).body).toMatchObject({ error: { code: -32005 } });
    expect((await rpc({ jsonrpc: "2.0", id: 5, method: "tasks/get", params: { id: "agt_gen_missing" } })).body).toMatchObject({
      error: { code: -32001 },
    });
    expect(upstream.requests).toHaveLength(0);
  });
});
