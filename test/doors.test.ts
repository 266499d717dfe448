/**
 * One agent, reached through every door: chat (JSON and NDJSON), v1 chat, generate and async
 * tasks all run the same pipeline, with the agent's tools, gating, step rules and boundary policy,
 * and each run's trace names the door it came through.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { expectDocumented } from "./support/openapi-contract";
import { createMember, createTenant } from "./support/fixtures";
import { startScriptedUpstream, type ScriptedUpstream, type ScriptStep } from "./support/scripted-upstream";
import { startToolServer, type ToolServer } from "./support/tool-server";
import { poll } from "./support/poll";

let upstream: ScriptedUpstream;
let orderServer: ToolServer;
let world: World<Awaited<ReturnType<typeof seed>>>;
let agentId: string;
let agentUuid: string;
let taskKey: string;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  return { acme, alice };
}

interface Reply {
  status: number;
  json: Record<string, unknown>;
  text: string;
}

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // Every door's answer, paused or not, is the one its OpenAPI operation documents.
  expectDocumented(method, path, response, text);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // NDJSON bodies are read from `text`
  }
  return { status: response.status, json, text };
}

const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });
const api = (method: string, path: string, body?: unknown) => call(method, path, bearer(world.seeded.acme.key), body);
const reviewer = (method: string, path: string, body?: unknown) => call(method, path, bearer(world.seeded.alice.token), body);
const task = (method: string, path: string, body?: unknown) =>
  call(method, path, { ...bearer(world.seeded.alice.token), "X-Api-Key": taskKey }, body);

const ndjson = (text: string) =>
  text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const toolCall = (id: string, name: string, args: Record<string, unknown>): ScriptStep => ({
  toolCalls: [{ id, name, arguments: JSON.stringify(args) }],
});

/** Tool names the model was offered in one upstream request. */
const offeredTools = (index: number) =>
  ((upstream.requests[index]!.body as { tools?: Array<{ function: { name: string } }> }).tools ?? []).map((tool) => tool.function.name);

/** The newest trace of the agent: the run a door just made. */
async function latestTrace() {
  const list = await api("GET", `/api/v1/agents/traces?agent_id=${agentId}&limit=1`);
  const summary = (list.json as unknown as Array<Record<string, unknown>>)[0]!;
  const trace = await api("GET", `/api/v1/agents/traces/${summary.trace_id as string}`);
  const generation = (trace.json.generations as Array<{ door: string; model: string; steps: Array<Record<string, unknown>> }>)[0]!;
  return { summary, generation };
}

/** Sistava's v1 chat names agents by UUID: the one Conduit chat reports as `agent_id`. */
async function uuidOf(publicId: string, ...script: ScriptStep[]): Promise<string> {
  upstream.script(...(script.length > 0 ? script : [{ content: "hi" }]));
  const reply = await api("POST", `/api/agents/${publicId}/chat`, { messages: [{ role: "user", content: "hi" }] });
  upstream.reset();
  expect(reply.status, reply.text).toBe(200);
  return reply.json.agent_id as string;
}

async function newAgent(body: Record<string, unknown>): Promise<string> {
  const agent = await api("POST", "/api/v1/agents", { ai_provider_id: providerId, ...body });
  expect(agent.status, agent.text).toBe(201);
  return agent.json.id as string;
}

async function newTool(body: Record<string, unknown>): Promise<string> {
  const tool = await api("POST", "/api/v1/agents/tools", body);
  expect(tool.status, tool.text).toBe(201);
  return tool.json.id as string;
}

let providerId: string;

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  orderServer = await startToolServer({ status: "shipped" });
  world = await startWorld({
    seed,
    env: { TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1", MODEL_MAX_RETRIES: "0", KEY_CACHE_TTL_MS: "0", JOB_RETRY_BASE_MS: "50" },
  });

  const provider = await api("POST", "/api/v1/ai-providers", {
    name: "scripted",
    type: "openai_compatible",
    base_url: upstream.baseUrl,
    api_key: "sk-x",
    default_model: "scripted-model",
  });
  providerId = provider.json.id as string;
  const lookup = await newTool({
    name: "lookup_order",
    type: "http",
    parameters: { type: "object", properties: { order: { type: "string" } } },
    execute: { url: `${orderServer.url}/orders` },
  });
  const ask = await newTool({
    name: "ask_customer",
    type: "client",
    parameters: { type: "object", properties: { question: { type: "string" } } },
  });
  const refund = await newTool({
    name: "issue_refund",
    type: "http",
    gated: true,
    parameters: { type: "object", properties: { amount: { type: "number" } } },
    execute: { url: `${orderServer.url}/refunds` },
  });
  agentId = await newAgent({ name: "Desk", instructions: "You help customers.", tool_ids: [lookup, ask, refund] });
  agentUuid = await uuidOf(agentId);
  expect((await reviewer("POST", "/api/gate/agents", { name: "Desk gate", agent_id: agentId })).status).toBe(201);
  expect((await reviewer("POST", "/api/gate/tools", { name: "issue_refund", default_action: "review" })).status).toBe(201);
  const key = await reviewer("POST", "/api/api-keys", { label: "Tasks" });
  expect(key.status, key.text).toBe(201);
  taskKey = key.json.key as string;
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
  await orderServer?.close();
});

beforeEach(() => {
  upstream.reset();
  orderServer.bodies.length = 0;
});

/** Each door, asked about an order; the model looks it up with the http tool, then answers. */
const doors: Array<{ door: string; ask: () => Promise<string> }> = [
  {
    door: "chat",
    ask: async () => {
      const reply = await api("POST", `/api/agents/${agentId}/chat`, { messages: [{ role: "user", content: "Where is A1?" }] });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.json).toMatchObject({ status: "completed", finish_reason: "stop" });
      expect(reply.json.generation_id).toMatch(/^agt_gen_/);
      return (reply.json.message as { content: string }).content;
    },
  },
  {
    door: "chat",
    ask: async () => {
      const reply = await api("POST", `/api/agents/${agentId}/chat`, {
        messages: [{ role: "user", content: "Where is A1?" }],
        stream: true,
      });
      expect(reply.status, reply.text).toBe(200);
      const lines = ndjson(reply.text);
      const types = lines.map((line) => line.type);
      // Tool activity comes between deltas, before the final line; delta/done readers are unaffected.
      expect(types.indexOf("tool-call")).toBeGreaterThanOrEqual(0);
      expect(types.indexOf("tool-result")).toBeGreaterThan(types.indexOf("tool-call"));
      expect(types.at(-1)).toBe("done");
      expect(lines.find((line) => line.type === "tool-call")).toMatchObject({ tool_name: "lookup_order", args: { order: "A1" } });
      expect(lines.find((line) => line.type === "tool-result")).toMatchObject({
        tool_name: "lookup_order",
        result: { status: 200, body: { status: "shipped" } },
      });
      return (lines.at(-1)!.message as { content: string }).content;
    },
  },
  {
    door: "v1_chat",
    ask: async () => {
      const reply = await api("POST", "/api/v1/chat", { employee_id: agentUuid, prompt: "Where is A1?" });
      expect(reply.status, reply.text).toBe(200);
      return reply.json.content as string;
    },
  },
  {
    door: "generate",
    ask: async () => {
      const reply = await api("POST", `/api/v1/agents/${agentId}/generate`, { messages: [{ role: "user", content: "Where is A1?" }] });
      expect(reply.status, reply.text).toBe(200);
      return reply.json.text as string;
    },
  },
  {
    door: "task",
    ask: async () => {
      const submitted = await task("POST", "/api/agent", { message: "Where is A1?", context: { agent_id: agentId } });
      expect(submitted.status, submitted.text).toBe(202);
      const id = submitted.json.conversation_uuid as string;
      const resolved = await poll(
        () => task("GET", `/api/agent/${id}`),
        (reply) => reply.json.status === "resolved",
      );
      expect(resolved.json.status).toBe("resolved");
      const turns = resolved.json.turns as Array<{ role: string; payload: { content?: string } }>;
      return turns.at(-1)!.payload.content!;
    },
  },
];

describe("every door runs the one pipeline with the agent's tools", () => {
  it.each(doors.map((entry, index) => ({ ...entry, index })))(
    "$door door ($index) uses the http tool and traces its door",
    async ({ door, ask }) => {
      upstream.script(toolCall("call_lookup", "lookup_order", { order: "A1" }), { content: "Order A1 has shipped." });
      expect(await ask()).toBe("Order A1 has shipped.");
      expect(orderServer.bodies).toHaveLength(1);
      expect(JSON.parse(orderServer.bodies[0]!)).toEqual({ order: "A1" });
      expect(offeredTools(0).sort()).toEqual(["ask_customer", "issue_refund", "lookup_order"]);
      expect((upstream.requests[0]!.body as { messages: Array<{ role: string; content: string }> }).messages[0]).toEqual({
        role: "system",
        content: "You help customers.",
      });

      const { summary, generation } = await latestTrace();
      expect(summary.door).toBe(door);
      expect(generation).toMatchObject({ door, model: "scripted-model" });
      expect(generation.steps.map((step) => `${step.type}:${step.name}`)).toEqual([
        "model:scripted-model",
        "tool:lookup_order",
        "model:scripted-model",
      ]);
    },
  );
});

describe("pauses, in each door's own terms", () => {
  it("chat JSON answers requires_action with the pending client call, resumable with tool-outputs", async () => {
    upstream.script(toolCall("call_ask", "ask_customer", { question: "Which order?" }), { content: "Thanks, A1 it is." });
    const paused = await api("POST", `/api/agents/${agentId}/chat`, { messages: [{ role: "user", content: "Refund please" }] });
    expect(paused.status).toBe(200);
    expect(paused.json).toMatchObject({
      status: "requires_action",
      finish_reason: "tool-calls",
      message: { role: "assistant", content: "" },
      tool_calls: [{ tool_call_id: "call_ask", tool_name: "ask_customer", args: { question: "Which order?" } }],
    });
    const generationId = paused.json.generation_id as string;
    const resumed = await api("POST", `/api/v1/agents/${agentId}/generate/${generationId}/tool-outputs`, {
      tool_outputs: [{ tool_call_id: "call_ask", output: "Order A1" }],
    });
    expect(resumed.json).toMatchObject({ id: generationId, status: "completed", text: "Thanks, A1 it is." });
  });

  it("chat NDJSON ends with a requires_action line naming the generation and the pending calls", async () => {
    upstream.script(toolCall("call_ask_2", "ask_customer", { question: "Which order?" }));
    const reply = await api("POST", `/api/agents/${agentId}/chat`, {
      messages: [{ role: "user", content: "Refund please" }],
      stream: true,
    });
    const last = ndjson(reply.text).at(-1)!;
    expect(last).toMatchObject({
      type: "done",
      status: "requires_action",
      tool_calls: [{ tool_call_id: "call_ask_2", tool_name: "ask_customer" }],
    });
    const stored = await api("GET", `/api/v1/agents/${agentId}/generate/${last.generation_id as string}`);
    expect(stored.json).toMatchObject({ status: "requires_action" });
  });

  it("v1 chat cannot hand back a tool call: 409 RUN_PAUSED naming the generation", async () => {
    upstream.script(toolCall("call_ask_3", "ask_customer", { question: "Which order?" }));
    const reply = await api("POST", "/api/v1/chat", { employee_id: agentUuid, prompt: "Refund please" });
    expect(reply.status).toBe(409);
    const error = reply.json.error as { code: string; message: string; details: string[] };
    expect(error.code).toBe("RUN_PAUSED");
    expect(error.message).toMatch(/client tool outputs/);
    const generationId = error.details.find((detail) => detail.startsWith("generation_id: "))!.slice("generation_id: ".length);
    expect((await api("GET", `/api/v1/agents/${agentId}/generate/${generationId}`)).json).toMatchObject({ status: "requires_action" });
  });

  it("a task waits while a gated call is under review, then resolves after approval", async () => {
    upstream.script(toolCall("call_refund", "issue_refund", { amount: 500 }), { content: "Refund of $500 issued." });
    const submitted = await task("POST", "/api/agent", { message: "Refund order A1", context: { agent_id: agentId } });
    const id = submitted.json.conversation_uuid as string;
    const waiting = await poll(
      () => task("GET", `/api/agent/${id}`),
      (reply) => reply.json.status !== "open" && reply.json.status !== "processing",
    );
    expect(waiting.json.status).toBe("waiting");
    expect(orderServer.bodies).toHaveLength(0);

    const threads = await reviewer("GET", "/api/gate/threads?status=needs_review");
    const threadId = (threads.json.data as Array<{ thread_id: string; task_id: string }>).find((candidate) =>
      candidate.task_id.startsWith("agt_gen_"),
    )?.thread_id;
    expect(threadId, threads.text).toMatch(/^THR-/);
    expect((await reviewer("POST", `/api/gate/threads/${threadId}/decision`, { action: "approve", message: "Verified." })).status).toBe(
      200,
    );

    const resolved = await poll(
      () => task("GET", `/api/agent/${id}`),
      (reply) => reply.json.status === "resolved" || reply.json.status === "failed",
    );
    expect(resolved.json.status).toBe("resolved");
    expect((resolved.json.turns as Array<{ payload: { content?: string } }>).at(-1)!.payload.content).toBe("Refund of $500 issued.");
    expect(orderServer.bodies).toHaveLength(1);
  });

  it("a task fails, naming the tool, when the agent asks for a client tool", async () => {
    upstream.script(toolCall("call_ask_4", "ask_customer", { question: "Which order?" }));
    const submitted = await task("POST", "/api/agent", { message: "Refund please", context: { agent_id: agentId } });
    const failed = await poll(
      () => task("GET", `/api/agent/${submitted.json.conversation_uuid as string}`),
      (reply) => reply.json.status === "failed" || reply.json.status === "resolved",
    );
    expect(failed.json.status).toBe("failed");
  });
});

describe("agent settings take effect on every door", () => {
  it("boundary_policy removes denied SOAT actions before the model sees them", async () => {
    const directory = await newTool({ name: "directory", type: "soat", actions: ["agents:ListAgents", "agents:GetAgent"] });
    const guarded = await newAgent({ name: "Guarded", tool_ids: [directory], boundary_policy: { deny: ["agents:GetAgent"] } });
    upstream.script({ content: "ok" });
    expect((await api("POST", `/api/agents/${guarded}/chat`, { messages: [{ role: "user", content: "Who is here?" }] })).status).toBe(200);
    expect(offeredTools(0)).toEqual(["directory_ListAgents"]);

    const allowOnly = await uuidOf(
      await newAgent({ name: "Allow only", tool_ids: [directory], boundary_policy: { allow: ["agents:Get*"] } }),
    );
    upstream.script({ content: "ok" });
    expect((await api("POST", "/api/v1/chat", { employee_id: allowOnly, prompt: "Who?" })).status).toBe(200);
    expect(offeredTools(0)).toEqual(["directory_GetAgent"]);
  });

  it("step_rules set the active tools and tool choice per step", async () => {
    const lookup = await newTool({
      name: "lookup_stock",
      type: "http",
      parameters: { type: "object", properties: { sku: { type: "string" } } },
      execute: { url: `${orderServer.url}/stock` },
    });
    const ask = await newTool({ name: "ask_buyer", type: "client", parameters: { type: "object", properties: {} } });
    const ruled = await newAgent({
      name: "Ruled",
      tool_ids: [lookup, ask],
      step_rules: [{ step: 1, active_tool_ids: [lookup], tool_choice: { type: "required" } }],
    });
    const ruledUuid = await uuidOf(ruled, toolCall("call_first", "lookup_stock", { sku: "Y" }), { content: "hi" });
    upstream.script(toolCall("call_stock", "lookup_stock", { sku: "X" }), { content: "In stock." });
    const reply = await api("POST", "/api/v1/chat", { employee_id: ruledUuid, prompt: "Is X in stock?" });
    expect(reply.json).toMatchObject({ content: "In stock." });
    expect(offeredTools(0)).toEqual(["lookup_stock"]);
    expect((upstream.requests[0]!.body as { tool_choice?: unknown }).tool_choice).toBe("required");
    expect(offeredTools(1).sort()).toEqual(["ask_buyer", "lookup_stock"]);
    expect((upstream.requests[1]!.body as { tool_choice?: unknown }).tool_choice).not.toBe("required");
  });

  it("rejects malformed step_rules and boundary_policy with a 400", async () => {
    const badRules = await api("POST", "/api/v1/agents", { name: "Bad", step_rules: [{ step: 0 }] });
    expect(badRules.status).toBe(400);
    const badPolicy = await api("POST", "/api/v1/agents", { name: "Bad", boundary_policy: { allow: "agents:*" } });
    expect(badPolicy.status).toBe(400);
  });
});
