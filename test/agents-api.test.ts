import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createParser } from "eventsource-parser";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createKey, createTenant } from "./support/fixtures";
import { expectDocumented } from "./support/openapi-contract";
import { startTestMcpServer, type TestMcpServer } from "./support/mcp-server";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";

let upstream: ScriptedUpstream;
let mcp: TestMcpServer;
let toolServer: Server;
let toolServerUrl: string;
const toolRequests: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const globex = await createTenant(db, "Globex");
  const scoped = await createKey(db, { orgId: acme.org.id, name: "scoped", agentIds: [acme.agent.id] });
  return { acme, globex, scopedKey: scoped.secret };
}

interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: unknown };
  headers: Headers;
}

async function call(method: string, path: string, options: { key?: string; body?: unknown } = {}): Promise<Reply> {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: {
      ...(options.key === "" ? {} : { Authorization: `Bearer ${options.key ?? world.seeded.acme.key}` }),
      "Content-Type": "application/json",
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  return { status: response.status, body: text ? (JSON.parse(text) as Reply["body"]) : {}, headers: response.headers };
}

const globexKey = () => world.seeded.globex.key;

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  mcp = await startTestMcpServer();
  toolServer = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      toolRequests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body });
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ forecast: "sunny", temperature: 21 }));
    });
  });
  await new Promise<void>((resolve) => toolServer.listen(0, "127.0.0.1", resolve));
  toolServerUrl = `http://127.0.0.1:${(toolServer.address() as AddressInfo).port}`;
  world = await startWorld({
    seed,
    env: { MODEL_MAX_RETRIES: "0", TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1", KEY_CACHE_TTL_MS: "0" },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
  await mcp?.close();
  toolServer?.closeAllConnections();
  await new Promise<void>((resolve) => (toolServer ? toolServer.close(() => resolve()) : resolve()));
});

beforeEach(() => {
  upstream.reset();
  toolRequests.length = 0;
});

async function createProvider(key?: string) {
  const response = await call("POST", "/api/v1/ai-providers", {
    key,
    body: {
      name: "scripted",
      type: "openai_compatible",
      base_url: upstream.baseUrl,
      api_key: "sk-provider",
      default_model: "scripted-model",
    },
  });
  expect(response.status).toBe(201);
  return response.body as { id: string };
}

async function createAgent(body: Record<string, unknown>, key?: string) {
  const response = await call("POST", "/api/v1/agents", { key, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; uuid: string; tool_ids: string[] };
}

async function createTool(body: Record<string, unknown>, key?: string) {
  const response = await call("POST", "/api/v1/agents/tools", { key, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string };
}

describe("AI providers", () => {
  it("stores the key encrypted and never returns it", async () => {
    const provider = await createProvider();
    expect(provider).toMatchObject({
      id: expect.stringMatching(/^aip_/),
      type: "openai_compatible",
      has_api_key: true,
      default_model: "scripted-model",
    });
    expect(JSON.stringify(provider)).not.toContain("sk-provider");
    const listed = await call("GET", "/api/v1/ai-providers");
    expect(JSON.stringify(listed.body)).not.toContain("sk-provider");
    const updated = await call("PUT", `/api/v1/ai-providers/${provider.id}`, { body: { api_key: null, name: "renamed" } });
    expect(updated.body).toMatchObject({ name: "renamed", has_api_key: false });
    expect((await call("DELETE", `/api/v1/ai-providers/${provider.id}`)).status).toBe(204);
    expect((await call("GET", `/api/v1/ai-providers/${provider.id}`)).status).toBe(404);
  });

  it("refuses to delete a provider agents use, and an agent whose provider lacks a key fails explicitly", async () => {
    const created = await call("POST", "/api/v1/ai-providers", { body: { name: "openai", type: "openai_compatible" } });
    const provider = created.body as { id: string };
    const agent = await createAgent({ ai_provider_id: provider.id });
    const deletion = await call("DELETE", `/api/v1/ai-providers/${provider.id}`);
    expect(deletion.status).toBe(400);
    expect(deletion.body.error).toMatch(/used by 1 agent/);
    const generation = await call("POST", `/api/v1/agents/${agent.id}/generate`, { body: { messages: [{ role: "user", content: "hi" }] } });
    expect(generation.status).toBe(400);
    expect(generation.body.error).toMatch(/has no API key/);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("agents and tools CRUD", () => {
  it("creates, reads, updates and deletes an agent exactly as the spec shapes it", async () => {
    const provider = await createProvider();
    const tool = await createTool({
      name: "get-weather",
      type: "http",
      description: "Weather",
      parameters: { type: "object" },
      execute: { url: `${toolServerUrl}/w` },
    });
    const agent = await createAgent({
      ai_provider_id: provider.id,
      name: "Research Assistant",
      instructions: "You are a helpful research assistant.",
      model: "gpt-4o",
      tool_ids: [tool.id],
      max_steps: 10,
      temperature: 0.7,
    });
    expect(agent).toEqual({
      id: expect.stringMatching(/^agt_/),
      uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      project_id: world.seeded.acme.org.id,
      ai_provider_id: provider.id,
      name: "Research Assistant",
      instructions: "You are a helpful research assistant.",
      model: "gpt-4o",
      tool_ids: [tool.id],
      max_steps: 10,
      tool_choice: null,
      stop_conditions: null,
      active_tool_ids: null,
      step_rules: null,
      boundary_policy: null,
      temperature: 0.7,
      knowledge_config: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await call("GET", `/api/v1/agents/${agent.id}`)).body).toEqual(agent);
    const list = await call("GET", "/api/v1/agents");
    expect((list.body as unknown as Array<{ id: string }>).map((a) => a.id)).toContain(agent.id);
    const updated = await call("PUT", `/api/v1/agents/${agent.id}`, { body: { name: null, tool_ids: [], temperature: 0.1 } });
    expect(updated.body).toMatchObject({ name: null, tool_ids: [], temperature: 0.1, model: "gpt-4o" });
    expect((await call("DELETE", `/api/v1/agents/${agent.id}`)).status).toBe(204);
    expect((await call("GET", `/api/v1/agents/${agent.id}`)).status).toBe(404);
  });

  it("manages tools of every type and validates them", async () => {
    const http = await createTool({
      name: "get-weather",
      type: "http",
      execute: { url: "https://api.weather.example/v1/current?city={{city}}" },
    });
    const client = await createTool({
      name: "show-dialog",
      type: "client",
      parameters: { type: "object", properties: { message: { type: "string" } } },
    });
    const soat = await createTool({ name: "ask-agent", type: "soat", actions: ["agents:CreateAgentGeneration"] });
    expect((await call("GET", `/api/v1/agents/tools/${client.id}`)).body).toMatchObject({
      id: client.id,
      type: "client",
      name: "show-dialog",
    });
    const listed = (await call("GET", "/api/v1/agents/tools")).body as unknown as Array<{ id: string }>;
    expect(listed.map((tool) => tool.id)).toEqual(expect.arrayContaining([http.id, client.id, soat.id]));
    const renamed = await call("PUT", `/api/v1/agents/tools/${http.id}`, { body: { name: "weather", description: "Current weather" } });
    expect(renamed.body).toMatchObject({ name: "weather", description: "Current weather", execute: { url: expect.any(String) } });
    expect((await call("POST", "/api/v1/agents/tools", { body: { name: "x", type: "http" } })).status).toBe(400);
    expect((await call("POST", "/api/v1/agents/tools", { body: { name: "bad name!" } })).status).toBe(400);
    expect((await call("POST", "/api/v1/agents/tools", { body: { name: "s", type: "soat", actions: ["files:ListFiles"] } })).status).toBe(
      400,
    );
    expect((await call("DELETE", `/api/v1/agents/tools/${soat.id}`)).status).toBe(204);
    expect((await call("GET", `/api/v1/agents/tools/${soat.id}`)).status).toBe(404);
  });

  it("refuses two tools of one name on an agent (create, update, or renaming a tool), naming the clash", async () => {
    const provider = await createProvider();
    const weather = await createTool({ name: "get-weather", type: "http", execute: { url: `${toolServerUrl}/w` } });
    const otherWeather = await createTool({ name: "get-weather", type: "client" });
    const forecast = await createTool({ name: "get-forecast", type: "client" });

    const created = await call("POST", "/api/v1/agents", {
      body: { ai_provider_id: provider.id, tool_ids: [weather.id, otherWeather.id] },
    });
    expect(created.status).toBe(400);
    expect(created.body).toEqual({ error: expect.stringContaining('"get-weather"') });
    expect(created.body.error).toContain(otherWeather.id);
    const agents = (await call("GET", "/api/v1/agents")).body as unknown as Array<{ tool_ids: string[] }>;
    expect(agents.some((agent) => agent.tool_ids.includes(otherWeather.id))).toBe(false);

    const agent = await createAgent({ ai_provider_id: provider.id, tool_ids: [weather.id, forecast.id] });
    const updated = await call("PUT", `/api/v1/agents/${agent.id}`, { body: { tool_ids: [weather.id, otherWeather.id] } });
    expect(updated.status).toBe(400);
    expect(updated.body.error).toContain('"get-weather"');
    expect((await call("GET", `/api/v1/agents/${agent.id}`)).body.tool_ids).toEqual([weather.id, forecast.id]);

    const renamed = await call("PUT", `/api/v1/agents/tools/${forecast.id}`, { body: { name: "get-weather" } });
    expect(renamed.status).toBe(400);
    expect(renamed.body.error).toContain('"get-weather"');
    expect(renamed.body.error).toContain(agent.id);
    expect((await call("GET", `/api/v1/agents/tools/${forecast.id}`)).body).toMatchObject({ name: "get-forecast" });
    // A tool on no agent with that name may still take it.
    expect((await call("PUT", `/api/v1/agents/tools/${otherWeather.id}`, { body: { name: "get-weather" } })).status).toBe(200);
  });

  it("answers 400 with { error } for invalid bodies and 404 for unknown providers", async () => {
    const missing = await call("POST", "/api/v1/agents", { body: { name: "x" } });
    expect(missing.status).toBe(400);
    expect(typeof missing.body.error).toBe("string");
    expect(missing.body.error).toMatch(/ai_provider_id/);
    const unknownProvider = await call("POST", "/api/v1/agents", { body: { ai_provider_id: "aip_doesnotexist0000" } });
    expect(unknownProvider.status).toBe(404);
    const provider = await createProvider();
    const unknownTool = await call("POST", "/api/v1/agents", { body: { ai_provider_id: provider.id, tool_ids: ["agt_tool_nope"] } });
    expect(unknownTool.status).toBe(400);
    const garbage = await fetch(`${world.app.url}/api/v1/agents`, {
      method: "POST",
      headers: { Authorization: `Bearer ${world.seeded.acme.key}` },
      body: "{",
    });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toEqual({ error: expect.stringMatching(/Malformed JSON/) });
  });

  it("answers 401 without a key and 403 for a key limited to some agents or another project", async () => {
    expect((await call("GET", "/api/v1/agents", { key: "" })).status).toBe(401);
    expect((await call("GET", "/api/v1/agents", { key: "" })).body).toEqual({ error: expect.any(String) });
    expect((await call("GET", "/api/v1/agents", { key: world.seeded.scopedKey })).status).toBe(403);
    expect((await call("GET", `/api/v1/agents?project_id=${world.seeded.globex.org.id}`)).status).toBe(403);
  });

  it("creates actors for an agent", async () => {
    const provider = await createProvider();
    const agent = await createAgent({ ai_provider_id: provider.id });
    const actor = await call("POST", `/api/v1/agents/${agent.id}/actors`, {
      body: { name: "Alice", type: "customer", external_id: "+15551234567" },
    });
    expect(actor.status).toBe(201);
    expect(actor.body).toMatchObject({ id: expect.stringMatching(/^act_/), name: "Alice" });
    expect((await call("POST", `/api/v1/agents/${agent.id}/actors`, { body: {} })).status).toBe(400);
  });
});

async function agentWithTools(tools: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  const provider = await createProvider();
  const toolIds: string[] = [];
  for (const tool of tools) toolIds.push((await createTool(tool)).id);
  return createAgent({ ai_provider_id: provider.id, tool_ids: toolIds, ...extra });
}

const generate = (agentId: string, body: Record<string, unknown>, key?: string) =>
  call("POST", `/api/v1/agents/${agentId}/generate`, { key, body: { messages: [{ role: "user", content: "Go" }], ...body } });

describe("generations", () => {
  it("runs a two-step http-tool generation and records its trace", async () => {
    const agent = await agentWithTools([
      {
        name: "get-weather",
        type: "http",
        description: "Fetches current weather for a city",
        parameters: { type: "object", properties: { city: { type: "string" }, units: { type: "string" } }, required: ["city"] },
        execute: { url: `${toolServerUrl}/weather/{city}`, method: "POST", headers: { "X-Static": "yes" } },
      },
    ]);
    upstream.script(
      { toolCalls: [{ id: "call_w1", name: "get-weather", arguments: JSON.stringify({ city: "São Paulo", units: "metric" }) }] },
      { content: "It is sunny and 21°C in São Paulo." },
    );
    const response = await generate(agent.id, { tool_context: { "X-Tenant-Ref": "t-42" } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: expect.stringMatching(/^agt_gen_/),
      status: "completed",
      text: "It is sunny and 21°C in São Paulo.",
      tool_calls: null,
    });

    expect(toolRequests).toHaveLength(1);
    expect(toolRequests[0]).toMatchObject({ method: "POST", url: "/weather/S%C3%A3o%20Paulo" });
    expect(JSON.parse(toolRequests[0]!.body)).toEqual({ units: "metric" });
    expect(toolRequests[0]!.headers["x-static"]).toBe("yes");
    expect(toolRequests[0]!.headers["x-tenant-ref"]).toBe("t-42");

    const second = upstream.requests[1]!.body as { messages: Array<{ role: string; content: unknown }> };
    expect(second.messages.find((message) => message.role === "tool")?.content).toContain("sunny");

    const trace = await call("GET", `/api/v1/agents/traces/${response.body.trace_id as string}`);
    expect(trace.status).toBe(200);
    const steps = (trace.body.generations as Array<{ steps: Array<Record<string, unknown>> }>)[0]!.steps;
    expect(steps.map((step) => step.type)).toEqual(["model", "tool", "model"]);
    expect(steps[1]).toMatchObject({
      name: "get-weather",
      tool_call_id: "call_w1",
      args: { city: "São Paulo", units: "metric" },
      result: { status: 200, body: { forecast: "sunny", temperature: 21 } },
      error: null,
    });
    expect(steps[0]).toMatchObject({ input_tokens: 12, output_tokens: 6, duration_ms: expect.any(Number) });

    const listed = await call("GET", `/api/v1/agents/traces?agent_id=${agent.id}`);
    expect((listed.body as unknown as Array<{ trace_id: string }>).map((entry) => entry.trace_id)).toContain(response.body.trace_id);
  });

  it("pauses on a client tool and resumes with its output; bad submissions are refused", async () => {
    const agent = await agentWithTools([
      { name: "show-dialog", type: "client", parameters: { type: "object", properties: { message: { type: "string" } } } },
    ]);
    upstream.script(
      { toolCalls: [{ id: "call_c1", name: "show-dialog", arguments: '{"message":"Proceed?"}' }] },
      { content: "The user confirmed." },
    );
    const paused = await generate(agent.id, {});
    expect(paused.body).toMatchObject({
      status: "requires_action",
      text: null,
      tool_calls: [{ tool_call_id: "call_c1", tool_name: "show-dialog", args: { message: "Proceed?" } }],
    });
    const generationId = paused.body.id as string;
    const outputsUrl = `/api/v1/agents/${agent.id}/generate/${generationId}/tool-outputs`;

    expect((await call("POST", outputsUrl, { body: { tool_outputs: [{ tool_call_id: "call_nope", output: "x" }] } })).status).toBe(400);
    expect((await call("POST", outputsUrl, { body: { tool_outputs: [] } })).status).toBe(400);
    const otherAgent = await agentWithTools([]);
    expect(
      (
        await call("POST", `/api/v1/agents/${otherAgent.id}/generate/${generationId}/tool-outputs`, {
          body: { tool_outputs: [{ tool_call_id: "call_c1", output: "yes" }] },
        })
      ).status,
    ).toBe(404);

    const resumed = await call("POST", outputsUrl, { body: { tool_outputs: [{ tool_call_id: "call_c1", output: { confirmed: true } }] } });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ id: generationId, status: "completed", text: "The user confirmed." });
    const resumedRequest = upstream.requests[1]!.body as { messages: Array<{ role: string; tool_call_id?: string; content: unknown }> };
    expect(resumedRequest.messages.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_c1" });
    expect(JSON.stringify(resumedRequest.messages.at(-1)!.content)).toContain("confirmed");

    expect((await call("POST", outputsUrl, { body: { tool_outputs: [{ tool_call_id: "call_c1", output: "again" }] } })).status).toBe(400);
  });

  it("resumes a paused generation after a server restart", async () => {
    const agent = await agentWithTools([{ name: "pick-file", type: "client" }]);
    upstream.script({ toolCalls: [{ id: "call_r1", name: "pick-file", arguments: "{}" }] }, { content: "Got report.pdf" });
    const paused = await generate(agent.id, {});
    expect(paused.body.status).toBe("requires_action");
    await world.app.restart();
    const resumed = await call("POST", `/api/v1/agents/${agent.id}/generate/${paused.body.id as string}/tool-outputs`, {
      body: { tool_outputs: [{ tool_call_id: "call_r1", output: "report.pdf" }] },
    });
    expect(resumed.body).toMatchObject({ status: "completed", text: "Got report.pdf" });
  });

  it("streams SSE delta chunks ending with data: [DONE]", async () => {
    const agent = await agentWithTools([]);
    upstream.script({ chunks: ["Sum", "mary", " ready"] });
    const response = await fetch(`${world.app.url}/api/v1/agents/${agent.id}/generate`, {
      method: "POST",
      headers: { Authorization: `Bearer ${world.seeded.acme.key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "Summarize the latest report." }], stream: true }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    const events: string[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event.data) });
    parser.feed(await response.text());
    expect(events.at(-1)).toBe("[DONE]");
    const payloads = events.slice(0, -1).map((data) => JSON.parse(data) as Record<string, unknown>);
    expect(payloads.filter((p) => p.type === "text-delta").map((p) => p.delta)).toEqual(["Sum", "mary", " ready"]);
    expect(payloads.at(-1)).toMatchObject({ type: "done", status: "completed", text: "Summary ready" });
  });

  it("ends a stream whose model fails after SSE began with the error event, then data: [DONE]", async () => {
    const agent = await agentWithTools([]);
    upstream.script({ chunks: ["Half ", "an ", "answer"], breakAfterChunks: 1 });
    const response = await fetch(`${world.app.url}/api/v1/agents/${agent.id}/generate`, {
      method: "POST",
      headers: { Authorization: `Bearer ${world.seeded.acme.key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "Summarize the latest report." }], stream: true }),
    });
    expect(response.status).toBe(200);
    const events: string[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event.data) });
    parser.feed(await response.text());
    // A client reading until [DONE] stops; the error event just before it says what went wrong.
    expect(events.at(-1)).toBe("[DONE]");
    const payloads = events.slice(0, -1).map((data) => JSON.parse(data) as Record<string, unknown>);
    expect(payloads[0]).toEqual({ type: "text-delta", delta: "Half " });
    expect(payloads.at(-1)).toEqual({ type: "error", error: expect.any(String) });
    expect(payloads.some((payload) => payload.type === "done")).toBe(false);
  });

  it("calls tools of a real MCP server", async () => {
    const agent = await agentWithTools([{ name: "math", type: "mcp", mcp: { url: mcp.url } }]);
    upstream.script({ toolCalls: [{ id: "call_m1", name: "math_add", arguments: '{"a":2,"b":3}' }] }, { content: "2 + 3 = 5" });
    const response = await generate(agent.id, {});
    expect(response.body).toMatchObject({ status: "completed", text: "2 + 3 = 5" });
    expect(mcp.calls).toContainEqual({ tool: "add", args: { a: 2, b: 3 } });
    const offered = (upstream.requests[0]!.body as { tools: Array<{ function: { name: string } }> }).tools.map(
      (tool) => tool.function.name,
    );
    expect(offered).toEqual(expect.arrayContaining(["math_add", "math_explode"]));
  });

  it("refuses tool targets on private addresses that are not allowed", async () => {
    const agent = await agentWithTools([{ name: "metadata", type: "http", execute: { url: "http://169.254.169.254/latest/meta-data" } }]);
    upstream.script({ toolCalls: [{ id: "call_s1", name: "metadata", arguments: "{}" }] }, { content: "Could not reach it." });
    const response = await generate(agent.id, {});
    expect(response.body).toMatchObject({ status: "completed" });
    const trace = await call("GET", `/api/v1/agents/traces/${response.body.trace_id as string}`);
    const steps = (trace.body.generations as Array<{ steps: Array<Record<string, unknown>> }>)[0]!.steps;
    expect(steps[1]).toMatchObject({ type: "tool", name: "metadata", error: expect.stringMatching(/169\.254\.169\.254/) });
  });

  it("short-circuits with max_call_depth 0, and agents can call agents within a trace tree", async () => {
    const helper = await agentWithTools([], { instructions: "You are agent B." });
    const guard = await generate(helper.id, { max_call_depth: 0 });
    expect(guard.body).toMatchObject({ status: "completed", text: expect.stringMatching(/depth/i) });
    expect(upstream.requests).toHaveLength(0);

    const caller = await agentWithTools([
      { name: "ask-b", type: "soat", actions: ["agents:CreateAgentGeneration"], preset_parameters: { agent_id: helper.id } },
    ]);
    upstream.script(
      { toolCalls: [{ id: "call_a1", name: "ask-b", arguments: '{"message":"What do you know?"}' }] },
      { content: "B knows things." },
      { content: "B says it knows things." },
    );
    const response = await generate(caller.id, { trace_id: "trc_parent_trace_1" });
    expect(response.body).toMatchObject({ status: "completed", text: "B says it knows things.", trace_id: "trc_parent_trace_1" });
    const offered = (upstream.requests[0]!.body as { tools: Array<{ function: { name: string; parameters: { properties: object } } }> })
      .tools[0]!.function;
    expect(Object.keys(offered.parameters.properties)).toEqual(["message"]);
    const trace = await call("GET", "/api/v1/agents/traces/trc_parent_trace_1");
    const children = trace.body.children as Array<{
      parent_trace_id: string;
      root_trace_id: string;
      generations: Array<{ agent_id: string }>;
    }>;
    expect(children).toHaveLength(1);
    expect(children[0]).toMatchObject({ parent_trace_id: "trc_parent_trace_1", root_trace_id: "trc_parent_trace_1" });
    expect(children[0]!.generations[0]!.agent_id).toBe(helper.id);

    upstream.script(
      { toolCalls: [{ id: "call_a2", name: "ask-b", arguments: '{"message":"again"}' }] },
      { content: "Stopped at the guard." },
    );
    const limited = await generate(caller.id, { max_call_depth: 1 });
    expect(limited.body).toMatchObject({ status: "completed", text: "Stopped at the guard." });
    expect(upstream.requests).toHaveLength(5);
    expect(JSON.stringify(upstream.requests[4]!.body)).toMatch(/depth/i);
  });

  it("applies tool_choice, active_tool_ids, stop_conditions and the actor a generation speaks for", async () => {
    const provider = await createProvider();
    const first = await createTool({ name: "first-tool", type: "client" });
    const second = await createTool({ name: "second-tool", type: "client" });
    const agent = await createAgent({
      ai_provider_id: provider.id,
      tool_ids: [first.id, second.id],
      active_tool_ids: [second.id],
      tool_choice: { type: "required" },
      temperature: 0.2,
      instructions: "Be exact.",
    });
    const actor = await call("POST", `/api/v1/agents/${agent.id}/actors`, { body: { name: "Alice" } });
    upstream.script({ toolCalls: [{ id: "call_t1", name: "second-tool", arguments: "{}" }] });
    const response = await generate(agent.id, { actor_id: actor.body.id });
    expect(response.body).toMatchObject({ status: "requires_action", tool_calls: [{ tool_name: "second-tool" }] });
    const sent = upstream.requests[0]!.body as {
      tools: Array<{ function: { name: string } }>;
      tool_choice: unknown;
      temperature: number;
      messages: Array<{ role: string; content: string }>;
    };
    expect(sent.tools.map((tool) => tool.function.name)).toEqual(["second-tool"]);
    expect(sent.tool_choice).toBe("required");
    expect(sent.temperature).toBe(0.2);
    expect(sent.messages[0]).toEqual({ role: "system", content: "Be exact." });
    const trace = await call("GET", `/api/v1/agents/traces/${response.body.trace_id as string}`);
    expect((trace.body.generations as Array<{ actor_id: string }>)[0]!.actor_id).toBe(actor.body.id);
    expect((await generate(agent.id, { actor_id: "act_unknown" })).status).toBe(404);

    const stopper = await agentWithTools([{ name: "lookup", type: "http", execute: { url: `${toolServerUrl}/lookup` } }], {
      stop_conditions: [{ type: "has_tool_call", tool_name: "lookup" }],
    });
    upstream.script({ toolCalls: [{ id: "call_l1", name: "lookup", arguments: "{}" }] }, { content: "never requested" });
    const stopped = await generate(stopper.id, {});
    expect(stopped.body).toMatchObject({ status: "completed" });
    expect(upstream.requests).toHaveLength(2);
    expect(toolRequests).toHaveLength(1);
  });

  it("filters traces by agent, trace id and time", async () => {
    const agent = await agentWithTools([]);
    const before = new Date(Date.now() - 1000).toISOString();
    const response = await generate(agent.id, {});
    const traceId = response.body.trace_id as string;
    const byAgent = (await call("GET", `/api/v1/agents/traces?agent_id=${agent.id}`)).body as unknown as Array<{ trace_id: string }>;
    expect(byAgent.map((entry) => entry.trace_id)).toEqual([traceId]);
    const byTrace = (await call("GET", `/api/v1/agents/traces?trace_id=${traceId}`)).body as unknown as unknown[];
    expect(byTrace).toHaveLength(1);
    const since = (await call("GET", `/api/v1/agents/traces?agent_id=${agent.id}&since=${encodeURIComponent(before)}`))
      .body as unknown as unknown[];
    expect(since).toHaveLength(1);
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = (await call("GET", `/api/v1/agents/traces?agent_id=${agent.id}&since=${encodeURIComponent(future)}`))
      .body as unknown as unknown[];
    expect(none).toHaveLength(0);
    expect((await call("GET", "/api/v1/agents/traces?since=yesterday")).status).toBe(400);
    expect((await call("GET", "/api/v1/agents/traces/trc_missing")).status).toBe(404);
  });

  it("takes the agent's UUID wherever it takes its agt_ id, the traces filter included", async () => {
    const agent = await agentWithTools([{ name: "pick-file", type: "client" }]);
    const { uuid } = agent;
    expect((await call("GET", `/api/v1/agents/${uuid}`)).body).toMatchObject({ id: agent.id, uuid });
    expect((await call("PUT", `/api/v1/agents/${uuid}`, { body: { name: "By UUID" } })).body).toMatchObject({
      id: agent.id,
      name: "By UUID",
    });
    expect((await call("POST", `/api/v1/agents/${uuid}/actors`, { body: { name: "Alice" } })).status).toBe(201);
    upstream.script({ toolCalls: [{ id: "call_u1", name: "pick-file", arguments: "{}" }] }, { content: "Got it" });
    const paused = await generate(uuid, {});
    expect(paused.body).toMatchObject({ status: "requires_action" });
    const generationId = paused.body.id as string;
    expect((await call("GET", `/api/v1/agents/${uuid}/generate/${generationId}`)).body).toMatchObject({ id: generationId });
    const resumed = await call("POST", `/api/v1/agents/${uuid}/generate/${generationId}/tool-outputs`, {
      body: { tool_outputs: [{ tool_call_id: "call_u1", output: "a.pdf" }] },
    });
    expect(resumed.body).toMatchObject({ status: "completed", text: "Got it" });

    const byPublicId = (await call("GET", `/api/v1/agents/traces?agent_id=${agent.id}`)).body as unknown as Array<{
      generation_id: string;
    }>;
    const byUuid = (await call("GET", `/api/v1/agents/traces?agent_id=${uuid}`)).body as unknown as Array<{ generation_id: string }>;
    expect(byUuid.map((entry) => entry.generation_id)).toEqual([generationId]);
    expect(byUuid).toEqual(byPublicId);
    expect((await call("DELETE", `/api/v1/agents/${uuid}`)).status).toBe(204);
  });

  it("shows an agent's UUID in its JSON, ready to use as /api/v1/chat's employee_id", async () => {
    const created = await agentWithTools([]);
    const listed = (await call("GET", "/api/v1/agents")).body as unknown as Array<{ id: string; uuid: string }>;
    expect(listed.find((agent) => agent.id === created.id)?.uuid).toBe(created.uuid);
    upstream.script({ content: "Reached by employee_id." });
    const response = await fetch(`${world.app.url}/api/v1/chat`, {
      method: "POST",
      headers: { Authorization: `Bearer ${world.seeded.acme.key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ employee_id: created.uuid, prompt: "Hello" }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ employee_id: created.uuid, content: "Reached by employee_id." });
  });

  it("serves the agents it creates through the chat endpoint too", async () => {
    const agent = await agentWithTools([]);
    upstream.script({ content: "Same agent." });
    const response = await fetch(`${world.app.url}/api/agents/${agent.id}/chat`, {
      method: "POST",
      headers: { Authorization: `Bearer ${world.seeded.acme.key}` },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    });
    expect(await response.json()).toMatchObject({ message: { content: "Same agent." }, model: "scripted-model" });
  });

  it("validates generation requests", async () => {
    const agent = await agentWithTools([]);
    expect((await call("POST", `/api/v1/agents/${agent.id}/generate`, { body: { messages: [] } })).status).toBe(400);
    expect(
      (await call("POST", `/api/v1/agents/${agent.id}/generate`, { body: { messages: [{ role: "tool", content: "x" }] } })).status,
    ).toBe(400);
    expect((await generate(agent.id, { max_call_depth: -1 })).status).toBe(400);
    expect((await generate("agt_doesnotexist0000", {})).status).toBe(404);
  });
});

describe("tenancy: another organisation's ids are all 404", () => {
  it("for providers, agents, tools, actors, generations and traces", async () => {
    const provider = await createProvider();
    const tool = await createTool({ name: "secret-tool", type: "client" });
    const agent = await createAgent({ ai_provider_id: provider.id, tool_ids: [tool.id] });
    upstream.script({ toolCalls: [{ id: "call_x1", name: "secret-tool", arguments: "{}" }] });
    const paused = await generate(agent.id, {});
    const key = globexKey();
    const checks: Array<[string, string, unknown?]> = [
      ["GET", `/api/v1/ai-providers/${provider.id}`],
      ["PUT", `/api/v1/ai-providers/${provider.id}`, { name: "stolen" }],
      ["DELETE", `/api/v1/ai-providers/${provider.id}`],
      ["GET", `/api/v1/agents/${agent.id}`],
      ["PUT", `/api/v1/agents/${agent.id}`, { name: "stolen" }],
      ["DELETE", `/api/v1/agents/${agent.id}`],
      ["GET", `/api/v1/agents/tools/${tool.id}`],
      ["PUT", `/api/v1/agents/tools/${tool.id}`, { name: "stolen" }],
      ["DELETE", `/api/v1/agents/tools/${tool.id}`],
      ["POST", `/api/v1/agents/${agent.id}/actors`, { name: "Mallory" }],
      ["POST", `/api/v1/agents/${agent.id}/generate`, { messages: [{ role: "user", content: "hi" }] }],
      [
        "POST",
        `/api/v1/agents/${agent.id}/generate/${paused.body.id as string}/tool-outputs`,
        { tool_outputs: [{ tool_call_id: "call_x1", output: 1 }] },
      ],
      ["GET", `/api/v1/agents/traces/${paused.body.trace_id as string}`],
    ];
    for (const [method, path, body] of checks) {
      const response = await call(method, path, { key, body });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    const traces = await call("GET", `/api/v1/agents/traces?trace_id=${paused.body.trace_id as string}`, { key });
    expect(traces.body).toEqual([]);
    expect((await call("GET", `/api/v1/agents/${agent.id}`)).status).toBe(200);
  });
});
