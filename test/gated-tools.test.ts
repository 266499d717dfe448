import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { tables, type Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createKey, createMember, createTenant } from "./support/fixtures";
import { expectDocumented } from "./support/openapi-contract";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";
import { startToolServer, type ToolServer } from "./support/tool-server";

let upstream: ScriptedUpstream;
let toolServer: ToolServer;
let world: World<Awaited<ReturnType<typeof seed>>>;
let agentId: string;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  const revocable = await createKey(db, { orgId: acme.org.id, name: "revocable", createdByUserId: alice.userId });
  const [row] = await db.select({ publicId: tables.apiKeys.publicId }).from(tables.apiKeys).where(eq(tables.apiKeys.id, revocable.id));
  return { acme, alice, revocable: { secret: revocable.secret, publicId: row!.publicId } };
}

async function call(method: string, path: string, bearer: string, body?: unknown) {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown>, text };
}

const api = (method: string, path: string, body?: unknown) => call(method, path, world.seeded.acme.key, body);
const reviewer = (method: string, path: string, body?: unknown) => call(method, path, world.seeded.alice.token, body);

async function waitForGeneration(id: string, status: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const reply = await api("GET", `/api/v1/agents/${agentId}/generate/${id}`);
    if (reply.json.status === status || Date.now() > deadline) return reply;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  toolServer = await startToolServer({ refunded: true });
  world = await startWorld({ seed, env: { TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1", MODEL_MAX_RETRIES: "0", KEY_CACHE_TTL_MS: "0" } });

  const provider = await api("POST", "/api/v1/ai-providers", {
    name: "scripted",
    type: "openai_compatible",
    base_url: upstream.baseUrl,
    api_key: "sk-x",
    default_model: "scripted-model",
  });
  const tool = await api("POST", "/api/v1/agents/tools", {
    name: "issue_refund",
    type: "http",
    gated: true,
    parameters: { type: "object", properties: { amount: { type: "number" }, reason: { type: "string" } } },
    execute: { url: `${toolServer.url}/refunds` },
  });
  expect(tool.json.gated).toBe(true);
  const agent = await api("POST", "/api/v1/agents", { ai_provider_id: provider.json.id, name: "Support", tool_ids: [tool.json.id] });
  agentId = agent.json.id as string;
  const gateAgent = await reviewer("POST", "/api/gate/agents", { name: "Conduit support agent", agent_id: agentId });
  expect(gateAgent.status, gateAgent.text).toBe(201);
  const gateTool = await reviewer("POST", "/api/gate/tools", {
    name: "issue_refund",
    default_action: "review",
    rules: [
      { type: "lower_limit", parameter: "amount", value: 50, action: "allow" },
      { type: "contains", parameter: "reason", value: "fraud", action: "reject" },
    ],
  });
  expect(gateTool.status, gateTool.text).toBe(201);
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

const generate = () => api("POST", `/api/v1/agents/${agentId}/generate`, { messages: [{ role: "user", content: "Refund my order" }] });
const refundCall = (id: string, args: Record<string, unknown>) => ({
  toolCalls: [{ id, name: "issue_refund", arguments: JSON.stringify(args) }],
});

describe("gated agent tools go through the approval gate", () => {
  it("runs at once when the rules allow", async () => {
    upstream.script(refundCall("call_allow", { amount: 20 }), { content: "Refunded $20." });
    const reply = await generate();
    expect(reply.json).toMatchObject({ status: "completed", text: "Refunded $20." });
    expect(toolServer.bodies).toHaveLength(1);
  });

  it("tells the model the call was refused when the rules reject, without running it", async () => {
    upstream.script(refundCall("call_reject", { amount: 20, reason: "suspected fraud" }), { content: "I cannot refund that." });
    const reply = await generate();
    expect(reply.json).toMatchObject({ status: "completed", text: "I cannot refund that." });
    expect(toolServer.bodies).toHaveLength(0);
    expect(JSON.stringify(upstream.requests[1]!.body)).toMatch(/refused/);
  });

  it("pauses for review, then runs the tool after approval (token validated) and finishes", async () => {
    upstream.script(refundCall("call_review", { amount: 500 }), { content: "Refund of $500 issued." });
    const paused = await generate();
    expect(paused.json).toMatchObject({
      status: "requires_action",
      tool_calls: [{ tool_call_id: "call_review", tool_name: "issue_refund", args: { amount: 500 } }],
    });
    const threadId = (paused.json.tool_calls as Array<{ approval: { thread_id: string } }>)[0]!.approval.thread_id;
    expect(threadId).toMatch(/^THR-/);
    expect(toolServer.bodies).toHaveLength(0);
    const early = await api("POST", `/api/v1/agents/${agentId}/generate/${paused.json.id as string}/tool-outputs`, {
      tool_outputs: [{ tool_call_id: "call_review", output: "x" }],
    });
    expect(early.status).toBe(400);

    const thread = await reviewer("GET", `/api/gate/threads/${threadId}`);
    expect(thread.json).toMatchObject({ tool_name: "issue_refund", payload: { amount: 500 }, task_id: paused.json.id });
    await reviewer("POST", `/api/gate/threads/${threadId}/decision`, { action: "approve", message: "Verified." });

    const done = await waitForGeneration(paused.json.id as string, "completed");
    expect(done.json).toMatchObject({ status: "completed", text: "Refund of $500 issued." });
    expect(toolServer.bodies).toHaveLength(1);
    const trace = await api("GET", `/api/v1/agents/traces/${paused.json.trace_id as string}`);
    const steps = (trace.json.generations as Array<{ steps: Array<{ type: string; name: string; result: unknown }> }>)[0]!.steps;
    expect(steps.find((step) => step.type === "tool")).toMatchObject({
      name: "issue_refund",
      result: { status: 200, body: { refunded: true } },
    });
  });

  it("does not resume a run whose key was revoked while it waited for review", async () => {
    const { revocable } = world.seeded;
    upstream.script(refundCall("call_revoked", { amount: 700 }), { content: "Nobody should read this." });
    const paused = await call("POST", `/api/v1/agents/${agentId}/generate`, revocable.secret, {
      messages: [{ role: "user", content: "Refund my order" }],
    });
    expect(paused.json.status).toBe("requires_action");
    const threadId = (paused.json.tool_calls as Array<{ approval: { thread_id: string } }>)[0]!.approval.thread_id;
    expect((await reviewer("DELETE", `/api/api-keys/${revocable.publicId}`)).status).toBe(200);
    await reviewer("POST", `/api/gate/threads/${threadId}/decision`, { action: "approve", message: "Fine by me." });
    const ended = await waitForGeneration(paused.json.id as string, "failed");
    expect(ended.json).toMatchObject({ status: "failed" });
    expect(toolServer.bodies).toHaveLength(0);
    expect(upstream.requests).toHaveLength(1);
  });

  it("resumes without running the tool when the reviewer rejects", async () => {
    upstream.script(refundCall("call_denied", { amount: 900 }), { content: "The refund was not approved." });
    const paused = await generate();
    const threadId = (paused.json.tool_calls as Array<{ approval: { thread_id: string } }>)[0]!.approval.thread_id;
    await reviewer("POST", `/api/gate/threads/${threadId}/decision`, { action: "reject", message: "Over the limit." });
    const done = await waitForGeneration(paused.json.id as string, "completed");
    expect(done.json).toMatchObject({ status: "completed", text: "The refund was not approved." });
    expect(toolServer.bodies).toHaveLength(0);
    expect(JSON.stringify(upstream.requests[1]!.body)).toMatch(/Over the limit|denied|not approved/i);
  });
});
