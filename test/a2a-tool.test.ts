import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tables, type Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createTenant } from "./support/fixtures";
import { expectDocumented } from "./support/openapi-contract";
import { OVERSIZED_CARD_PATH, startTestA2aAgent, type TestA2aAgent } from "./support/a2a-agent";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";

const REMOTE_KEY = "remote-secret-key-7f3a";

let upstream: ScriptedUpstream;
let remote: TestA2aAgent;
let remoteV1: TestA2aAgent;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  return { acme: await createTenant(db, "Acme") };
}

interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: unknown };
  text: string;
}

async function call(method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${world.seeded.acme.key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  return { status: response.status, body: text ? (JSON.parse(text) as Reply["body"]) : {}, text };
}

async function createTool(body: Record<string, unknown>) {
  const response = await call("POST", "/api/v1/agents/tools", body);
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string };
}

async function agentWithTools(tools: Array<Record<string, unknown>>) {
  const provider = await call("POST", "/api/v1/ai-providers", {
    name: "scripted",
    type: "openai_compatible",
    base_url: upstream.baseUrl,
    api_key: "sk-provider",
    default_model: "scripted-model",
  });
  const toolIds: string[] = [];
  for (const tool of tools) toolIds.push((await createTool(tool)).id);
  const agent = await call("POST", "/api/v1/agents", { ai_provider_id: provider.body.id, tool_ids: toolIds });
  expect(agent.status, agent.text).toBe(201);
  return agent.body as { id: string };
}

const remoteTool = (extra: Record<string, unknown> = {}) => ({
  name: "ask-oracle",
  type: "a2a",
  a2a: { url: remote.cardUrl, headers: { Authorization: `Bearer ${REMOTE_KEY}` } },
  ...extra,
});

const generate = (agentId: string, body: Record<string, unknown> = {}) =>
  call("POST", `/api/v1/agents/${agentId}/generate`, { messages: [{ role: "user", content: "Go" }], ...body });

/** The tool message the model received for `toolCallId`, as the model upstream saw it. */
function toolMessage(requestIndex: number, toolCallId: string): string {
  const body = upstream.requests[requestIndex]!.body as { messages: Array<{ role: string; tool_call_id?: string; content: unknown }> };
  const message = body.messages.find((candidate) => candidate.role === "tool" && candidate.tool_call_id === toolCallId);
  expect(message, `no tool message for ${toolCallId}`).toBeDefined();
  return typeof message!.content === "string" ? message!.content : JSON.stringify(message!.content);
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  remote = await startTestA2aAgent();
  remoteV1 = await startTestA2aAgent({ name: "Tide Tables", protocol: "1.0" });
  world = await startWorld({
    seed,
    // 127.0.0.1 (the scripted servers) is allowed; every other loopback address is still refused.
    env: { MODEL_MAX_RETRIES: "0", TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1", KEY_CACHE_TTL_MS: "0" },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
  await remote?.close();
  await remoteV1?.close();
});

beforeEach(() => {
  upstream.reset();
  remote.reset();
  remoteV1.reset();
});

describe("a2a tools", () => {
  it("sends the model's message with the tool's credentials and the caller's trace, and hands the reply to the model", async () => {
    const agent = await agentWithTools([remoteTool()]);
    remote.script({ task: { state: "completed", text: "Sunny, 21 °C in Lisbon tomorrow." } });
    upstream.script(
      { toolCalls: [{ id: "call_r1", name: "ask-oracle", arguments: '{"message":"Weather in Lisbon tomorrow?"}' }] },
      { content: "It will be sunny." },
    );
    const response = await generate(agent.id, { trace_id: "trc_a2a_caller_1" });
    expect(response.body).toMatchObject({ status: "completed", text: "It will be sunny.", trace_id: "trc_a2a_caller_1" });

    // The model was offered one tool, described from the remote card, taking a message.
    const offered = (
      upstream.requests[0]!.body as { tools: Array<{ function: { name: string; description: string; parameters: object } }> }
    ).tools;
    expect(offered).toHaveLength(1);
    expect(offered[0]!.function).toMatchObject({
      name: "ask-oracle",
      description: expect.stringMatching(/Weather Oracle.*Knows tomorrow's weather.*Forecast: Forecasts the weather of a city/),
      parameters: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
    });

    expect(remote.cardRequests.length).toBeGreaterThan(0);
    expect(remote.cardRequests[0]!.authorization).toBe(`Bearer ${REMOTE_KEY}`);
    expect(remote.received).toHaveLength(1);
    const sent = remote.received[0]!;
    expect(sent.method).toBe("message/send");
    expect(sent.headers.authorization).toBe(`Bearer ${REMOTE_KEY}`);
    expect(sent.body.params.message).toMatchObject({
      kind: "message",
      role: "user",
      parts: [{ kind: "text", text: "Weather in Lisbon tomorrow?" }],
      metadata: { "conduit/trace": { parent_trace_id: "trc_a2a_caller_1", root_trace_id: "trc_a2a_caller_1", call_depth: 1 } },
    });
    expect(sent.body.params.message.contextId).toBeUndefined();

    const result = JSON.parse(toolMessage(1, "call_r1")) as Record<string, unknown>;
    expect(result).toMatchObject({ text: "Sunny, 21 °C in Lisbon tomorrow.", task_id: "task-1", state: "completed", context_id: "ctx-1" });
    expect(response.text).not.toContain(REMOTE_KEY);
    const trace = await call("GET", "/api/v1/agents/traces/trc_a2a_caller_1");
    expect(trace.text).toContain("Sunny, 21 °C in Lisbon tomorrow.");
    expect(trace.text).not.toContain(REMOTE_KEY);
  });

  it("sends a nested caller's own trace ids and depth", async () => {
    const inner = await agentWithTools([remoteTool({ name: "oracle-inner", description: "Ask the oracle" })]);
    const outer = await agentWithTools([
      { name: "ask-inner", type: "soat", actions: ["agents:CreateAgentGeneration"], preset_parameters: { agent_id: inner.id } },
    ]);
    remote.script({ message: "Cloudy." });
    upstream.script(
      { toolCalls: [{ id: "call_o1", name: "ask-inner", arguments: '{"message":"Ask the oracle"}' }] },
      { toolCalls: [{ id: "call_i1", name: "oracle-inner", arguments: '{"message":"Weather?"}' }] },
      { content: "The oracle says cloudy." },
      { content: "Cloudy, says the inner agent." },
    );
    const response = await generate(outer.id, { trace_id: "trc_a2a_outer_1" });
    expect(response.body).toMatchObject({ status: "completed", text: "Cloudy, says the inner agent." });
    // A configured description is used as is: the card is not needed to offer the tool.
    expect(JSON.stringify(upstream.requests[1]!.body)).toContain("Ask the oracle");

    const trace = await call("GET", "/api/v1/agents/traces/trc_a2a_outer_1");
    const child = (trace.body.children as Array<{ trace_id: string }>)[0]!;
    expect(remote.received).toHaveLength(1);
    expect(remote.received[0]!.body.params.message.metadata).toEqual({
      "conduit/trace": { parent_trace_id: child.trace_id, root_trace_id: "trc_a2a_outer_1", call_depth: 2 },
    });
    expect(JSON.parse(toolMessage(2, "call_i1"))).toMatchObject({ text: "Cloudy.", state: "completed" });
  });

  it("keeps one conversation per run, and tells the model when the remote agent needs input", async () => {
    const agent = await agentWithTools([remoteTool()]);
    remote.script(
      { task: { state: "input-required", statusText: "Which city?" } },
      { task: { state: "completed", text: "Rain in Porto." } },
    );
    upstream.script(
      { toolCalls: [{ id: "call_c1", name: "ask-oracle", arguments: '{"message":"Weather tomorrow?"}' }] },
      { toolCalls: [{ id: "call_c2", name: "ask-oracle", arguments: '{"message":"Porto"}' }] },
      { content: "Rain in Porto." },
    );
    const response = await generate(agent.id);
    expect(response.body).toMatchObject({ status: "completed", text: "Rain in Porto." });

    const waiting = JSON.parse(toolMessage(1, "call_c1")) as Record<string, unknown>;
    expect(waiting).toMatchObject({ state: "input-required", text: "Which city?", note: expect.stringMatching(/needs more input/) });
    expect(remote.received).toHaveLength(2);
    const [first, second] = remote.received.map((received) => received.body.params.message);
    expect(first!.contextId).toBeUndefined();
    // The follow-up continues the first call's conversation and its waiting task.
    expect(second).toMatchObject({ contextId: waiting.context_id, taskId: waiting.task_id, parts: [{ kind: "text", text: "Porto" }] });
    expect(JSON.parse(toolMessage(2, "call_c2"))).toMatchObject({ text: "Rain in Porto.", state: "completed" });

    // A new run starts a new conversation.
    remote.reset();
    remote.script({ message: "Hello again." });
    upstream.script({ toolCalls: [{ id: "call_c3", name: "ask-oracle", arguments: '{"message":"Hi"}' }] }, { content: "Done." });
    await generate(agent.id);
    expect(remote.received[0]!.body.params.message.contextId).toBeUndefined();
  });

  it("lets a Conduit agent call a second Conduit agent over A2A, whose run is a child in the caller's trace tree", async () => {
    const callee = await agentWithTools([]);
    const caller = await agentWithTools([
      {
        name: "ask-colleague",
        type: "a2a",
        a2a: {
          url: `${world.app.url}/api/a2a/agents/${callee.id}/.well-known/agent-card.json`,
          headers: { Authorization: `Bearer ${world.seeded.acme.key}` },
        },
      },
    ]);
    upstream.script(
      { toolCalls: [{ id: "call_cc1", name: "ask-colleague", arguments: '{"message":"What is the refund window?"}' }] },
      { content: "Thirty days from delivery." },
      { content: "Refunds are possible for thirty days." },
    );
    const response = await generate(caller.id, { trace_id: "trc_a2a_conduit_1" });
    expect(response.body).toMatchObject({ status: "completed", text: "Refunds are possible for thirty days." });

    // The callee's model got the caller's message; the caller's model got the callee's answer.
    expect(JSON.stringify(upstream.requests[1]!.body)).toContain("What is the refund window?");
    expect(JSON.parse(toolMessage(2, "call_cc1"))).toMatchObject({ text: "Thirty days from delivery.", state: "completed" });

    // The callee's run, through its A2A door, sits under the caller's trace.
    const trace = await call("GET", "/api/v1/agents/traces/trc_a2a_conduit_1");
    const tree = trace.body as {
      generations: Array<{ agent_id: string; door: string }>;
      children: Array<{
        parent_trace_id: string;
        root_trace_id: string;
        generations: Array<{ agent_id: string; door: string; status: string }>;
      }>;
    };
    expect(tree.generations).toMatchObject([{ agent_id: caller.id, door: "generate" }]);
    expect(tree.children).toHaveLength(1);
    expect(tree.children[0]).toMatchObject({
      parent_trace_id: "trc_a2a_conduit_1",
      root_trace_id: "trc_a2a_conduit_1",
      generations: [{ agent_id: callee.id, door: "a2a", status: "completed" }],
    });
  });

  it("speaks A2A v1.0 to an agent whose card says so", async () => {
    const agent = await agentWithTools([remoteTool({ name: "ask-tides", a2a: { url: remoteV1.cardUrl } })]);
    remoteV1.script({ task: { state: "completed", text: "High tide at 06:12." } });
    upstream.script(
      { toolCalls: [{ id: "call_v1", name: "ask-tides", arguments: '{"message":"When is high tide?"}' }] },
      { content: "At 06:12." },
    );
    const response = await generate(agent.id, { trace_id: "trc_a2a_v1_1" });
    expect(response.body).toMatchObject({ status: "completed", text: "At 06:12." });
    expect(JSON.stringify(upstream.requests[0]!.body)).toContain("Tide Tables");
    expect(remoteV1.received).toHaveLength(1);
    expect(remoteV1.received[0]!.method).toBe("SendMessage");
    expect(remoteV1.received[0]!.body.params.message).toMatchObject({
      parts: [{ text: "When is high tide?" }],
      metadata: { "conduit/trace": { parent_trace_id: "trc_a2a_v1_1", root_trace_id: "trc_a2a_v1_1", call_depth: 1 } },
    });
    expect(JSON.parse(toolMessage(1, "call_v1"))).toMatchObject({ text: "High tide at 06:12.", state: "completed", task_id: "task-1" });
  });

  it("reports a remote JSON-RPC error and a failed task to the model as tool errors", async () => {
    const agent = await agentWithTools([remoteTool()]);
    remote.script(
      { error: { code: -32603, message: "forecast service is down" } },
      { task: { state: "failed", statusText: "no such city: Atlantis" } },
    );
    upstream.script(
      { toolCalls: [{ id: "call_e1", name: "ask-oracle", arguments: '{"message":"Weather?"}' }] },
      { toolCalls: [{ id: "call_e2", name: "ask-oracle", arguments: '{"message":"Weather in Atlantis?"}' }] },
      { content: "The oracle is unavailable." },
    );
    const response = await generate(agent.id, { trace_id: "trc_a2a_errors_1" });
    expect(response.body).toMatchObject({ status: "completed", text: "The oracle is unavailable." });
    expect(toolMessage(1, "call_e1")).toContain("forecast service is down");
    expect(toolMessage(2, "call_e2")).toMatch(/task task-1 failed: no such city: Atlantis/);
    const trace = await call("GET", "/api/v1/agents/traces/trc_a2a_errors_1");
    const steps = (trace.body.generations as Array<{ steps: Array<Record<string, unknown>> }>)[0]!.steps;
    expect(steps.filter((step) => step.type === "tool").map((step) => step.error)).toEqual([
      expect.stringContaining("forecast service is down"),
      expect.stringContaining("no such city: Atlantis"),
    ]);
  });

  it("refuses a remote agent on an address the outbound guard does not allow", async () => {
    const refusedUrl = remote.cardUrl.replace("127.0.0.1", "127.0.0.2");
    const agent = await agentWithTools([remoteTool({ a2a: { url: refusedUrl } })]);
    upstream.script(
      { toolCalls: [{ id: "call_g1", name: "ask-oracle", arguments: '{"message":"Weather?"}' }] },
      { content: "Could not reach it." },
    );
    const response = await generate(agent.id);
    expect(response.body).toMatchObject({ status: "completed", text: "Could not reach it." });
    expect(toolMessage(1, "call_g1")).toMatch(/Refusing to call 127\.0\.0\.2: loopback address/);
    expect(remote.cardRequests).toHaveLength(0);
    expect(remote.received).toHaveLength(0);
  });

  it("refuses a card past the response size cap", async () => {
    const oversized = new URL(OVERSIZED_CARD_PATH, remote.cardUrl).href;
    const agent = await agentWithTools([remoteTool({ a2a: { url: oversized } })]);
    upstream.script({ toolCalls: [{ id: "call_b1", name: "ask-oracle", arguments: '{"message":"Hi"}' }] }, { content: "Too big." });
    const response = await generate(agent.id);
    expect(response.body).toMatchObject({ status: "completed", text: "Too big." });
    expect(toolMessage(1, "call_b1")).toMatch(/exceeds 1048576 bytes/);
    expect(remote.received).toHaveLength(0);
  });

  it("masks the tool's headers on every read, and an update that sends the mask keeps the credential", async () => {
    const tool = await createTool(remoteTool({ name: "masked-oracle" }));
    const masked = { url: remote.cardUrl, headers: { Authorization: "********" } };
    expect(tool).toMatchObject({ type: "a2a", a2a: masked });
    const read = await call("GET", `/api/v1/agents/tools/${tool.id}`);
    expect(read.body.a2a).toEqual(masked);
    const listed = await call("GET", "/api/v1/agents/tools");
    expect(listed.text).not.toContain(REMOTE_KEY);
    expect(JSON.stringify(tool)).not.toContain(REMOTE_KEY);
    if (world.db) {
      // Encrypted at rest (the live connection exists on PostgreSQL only).
      const [row] = await world.db.select().from(tables.tools).where(eq(tables.tools.publicId, tool.id));
      expect(row!.a2a!.headers!.Authorization).toMatch(/^enc:/);
      expect(JSON.stringify(row)).not.toContain(REMOTE_KEY);
    }

    const updated = await call("PUT", `/api/v1/agents/tools/${tool.id}`, { description: "The oracle", a2a: masked });
    expect(updated.status).toBe(200);
    expect(updated.body.a2a).toEqual(masked);

    const provider = await call("POST", "/api/v1/ai-providers", {
      name: "scripted",
      type: "openai_compatible",
      base_url: upstream.baseUrl,
      api_key: "sk-provider",
      default_model: "scripted-model",
    });
    const agent = await call("POST", "/api/v1/agents", { ai_provider_id: provider.body.id, tool_ids: [tool.id] });
    remote.script({ message: "Still me." });
    upstream.script({ toolCalls: [{ id: "call_m1", name: "masked-oracle", arguments: '{"message":"Who?"}' }] }, { content: "Ok." });
    await generate(agent.body.id as string);
    expect(remote.received[0]!.headers.authorization).toBe(`Bearer ${REMOTE_KEY}`);
  });

  it("validates a2a tools on create and update", async () => {
    const missing = await call("POST", "/api/v1/agents/tools", { name: "no-url", type: "a2a" });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/a2a tools need a2a\.url/);
    const empty = await call("POST", "/api/v1/agents/tools", { name: "empty", type: "a2a", a2a: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatch(/a2a\.url/);
    const ftp = await call("POST", "/api/v1/agents/tools", { name: "ftp", type: "a2a", a2a: { url: "ftp://agent.example/card.json" } });
    expect(ftp.status).toBe(400);
    expect(ftp.body.error).toMatch(/a2a\.url must be an http\(s\) URL/);

    // Like other server-side tools, a2a tools can be gated.
    expect(await createTool(remoteTool({ name: "gated-oracle", gated: true }))).toMatchObject({ type: "a2a", gated: true });

    const http = await createTool({ name: "plain-http", type: "http", execute: { url: "https://api.example/x" } });
    const retyped = await call("PUT", `/api/v1/agents/tools/${http.id}`, { type: "a2a" });
    expect(retyped.status).toBe(400);
    expect((await call("GET", `/api/v1/agents/tools/${http.id}`)).body).toMatchObject({ type: "http", a2a: null });
  });

  it("is documented in the OpenAPI document", async () => {
    const response = await fetch(`${world.app.url}/api/openapi.json`);
    const document = (await response.json()) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    for (const name of ["CreateAgentToolRequest", "UpdateAgentToolRequest", "AgentToolResponse"]) {
      const properties = document.components.schemas[name]!.properties;
      expect(JSON.stringify(properties.type), name).toContain('"a2a"');
      expect(properties.a2a, name).toBeDefined();
    }
    expect(JSON.stringify(document.components.schemas.CreateAgentToolRequest!.properties.a2a)).toContain("url");
  });
});
