/**
 * An MCP server the outbound guard refuses (or that cannot be reached) does not fail the run:
 * its tools answer with a tool error the model sees, and the run goes on.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { startWorld, type World } from "../support/app";
import { createTenant } from "../support/fixtures";
import { startScriptedUpstream, type ScriptedUpstream } from "../support/scripted-upstream";

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  return { acme: await createTenant(db, "Acme") };
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  world = await startWorld({ seed, env: { MODEL_MAX_RETRIES: "0", TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1" } });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${world.seeded.acme.key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function agentWithMcp(mcp: Record<string, unknown>): Promise<string> {
  const provider = await call("POST", "/api/v1/ai-providers", {
    name: "scripted",
    type: "openai_compatible",
    base_url: upstream.baseUrl,
    api_key: "sk-provider",
    default_model: "scripted-model",
  });
  const tool = await call("POST", "/api/v1/agents/tools", { name: "calc", type: "mcp", description: "Arithmetic", mcp });
  expect(tool.status, JSON.stringify(tool.body)).toBe(201);
  const agent = await call("POST", "/api/v1/agents", { ai_provider_id: provider.body.id, name: "Calculator", tool_ids: [tool.body.id] });
  return agent.body.id as string;
}

/** The tool message the model received in its second call. */
function toolMessageSeenByModel(): string {
  const messages = (upstream.requests[1]!.body as { messages: Array<{ role: string; content: unknown }> }).messages;
  return JSON.stringify(messages.filter((message) => message.role === "tool"));
}

describe("an MCP server refused by the outbound guard", () => {
  it("its listed tools are offered and each call is a tool error the model sees; the run completes", async () => {
    const agentId = await agentWithMcp({ url: "http://169.254.169.254/mcp", tools: ["add"] });
    upstream.script(
      { toolCalls: [{ id: "call_1", name: "calc_add", arguments: '{"a":2,"b":3}' }] },
      { content: "The calculator is unavailable." },
    );
    const response = await call("POST", `/api/v1/agents/${agentId}/generate`, { messages: [{ role: "user", content: "2+3?" }] });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "completed", text: "The calculator is unavailable." });
    const offered = (upstream.requests[0]!.body as { tools: Array<{ function: { name: string } }> }).tools.map(
      (tool) => tool.function.name,
    );
    expect(offered).toEqual(["calc_add"]);
    expect(toolMessageSeenByModel()).toMatch(/169\.254\.169\.254/);

    const trace = await call("GET", `/api/v1/agents/traces/${response.body.trace_id as string}`);
    const steps = (trace.body.generations as Array<{ steps: Array<Record<string, unknown>> }>)[0]!.steps;
    expect(steps.find((step) => step.type === "tool")).toMatchObject({
      name: "calc_add",
      error: expect.stringMatching(/169\.254\.169\.254/),
    });
  });

  it("without a list of tools, one tool named after it answers with the error", async () => {
    const agentId = await agentWithMcp({ url: "http://10.0.0.1/mcp" });
    upstream.script({ toolCalls: [{ id: "call_2", name: "calc", arguments: "{}" }] }, { content: "Could not reach it." });
    const response = await call("POST", `/api/v1/agents/${agentId}/generate`, { messages: [{ role: "user", content: "Go" }] });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "completed", text: "Could not reach it." });
    expect(toolMessageSeenByModel()).toMatch(/10\.0\.0\.1/);
  });

  it("an unreachable allowed server is a tool error too", async () => {
    // A loopback port nothing listens on: allowed by TOOL_ALLOWED_PRIVATE_HOSTS, connection refused.
    const agentId = await agentWithMcp({ url: "http://127.0.0.1:9/mcp", tools: ["add"] });
    upstream.script({ toolCalls: [{ id: "call_3", name: "calc_add", arguments: "{}" }] }, { content: "Down." });
    const response = await call("POST", `/api/v1/agents/${agentId}/generate`, { messages: [{ role: "user", content: "Go" }] });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "completed", text: "Down." });
    expect(toolMessageSeenByModel()).toMatch(/MCP server http:\/\/127\.0\.0\.1:9 failed/);
  });
});
