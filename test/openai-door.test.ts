/**
 * The OpenAI-compatible API through OpenAI's own client: agents listed as models, chat
 * completions (JSON and streamed) run through the one pipeline, and every refusal in OpenAI's
 * error envelope, so the client raises the error class its users expect.
 */
import { eq } from "drizzle-orm";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "@/lib/agents";
import { tables, type Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createKey, createTenant } from "./support/fixtures";
import { uniqueIp } from "./support/http";
import { expectDocumented } from "./support/openapi-contract";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme", { agent: { instructions: "You are Acme's helper." } });
  const globex = await createTenant(db, "Globex");
  const acmeSecond = await createAgent(db, { orgId: acme.org.id, name: "Acme second" });
  const scoped = await createKey(db, { orgId: acme.org.id, name: "scoped", agentIds: [acmeSecond.id] });
  const broke = await createKey(db, { orgId: acme.org.id, name: "broke" });
  await db.update(tables.apiKeys).set({ budgetUsdCents: 0, budgetPeriod: "total" }).where(eq(tables.apiKeys.id, broke.id));
  const limited = await createKey(db, { orgId: acme.org.id, name: "limited", rateLimitPerMinute: 1 });
  return { acme, globex, acmeSecond, scopedKey: scoped.secret, brokeKey: broke.secret, limitedKey: limited.secret };
}

/** OpenAI's client, unchanged but for the base URL; no retries, so each refusal is seen once. */
const clientWith = (apiKey: string) =>
  new OpenAI({ apiKey, baseURL: `${world.app.url}/api/openai/v1`, maxRetries: 0, defaultHeaders: uniqueIp() });

const hello: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Hello" }];

/** The refusal a call ends with, as the client raised it. */
async function refusal(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

/** Raw HTTP, for what the client hides (headers, the exact stream); every answer must be the documented one. */
async function raw(method: string, path: string, options: { key?: string; body?: unknown } = {}) {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...(options.key ? { Authorization: `Bearer ${options.key}` } : {}), ...uniqueIp() },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  return { response, text };
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  world = await startWorld({
    seed,
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_API_KEY: "sk-deployment-key",
      OPENAI_MODEL: "scripted-model",
      TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
      MODEL_MAX_RETRIES: "0",
      TRUST_PROXY_HOPS: "1",
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

describe("GET /api/openai/v1/models", () => {
  it("lists the organisation's agents as models, never another organisation's", async () => {
    const { acme, acmeSecond, globex } = world.seeded;
    const models = [];
    for await (const model of clientWith(acme.key).models.list()) models.push(model);
    expect(models).toEqual([
      { id: acme.agent.publicId, object: "model", created: Math.floor(acme.agent.createdAt.getTime() / 1000), owned_by: "Acme" },
      { id: acmeSecond.publicId, object: "model", created: expect.any(Number), owned_by: "Acme" },
    ]);
    expect(models.map((model) => model.id)).not.toContain(globex.agent.publicId);
    expect((await raw("GET", "/api/openai/v1/models", { key: acme.key })).response.status).toBe(200);
  });

  it("lists only the agents a scoped key may use, and retrieves one by public id or UUID", async () => {
    const { acme, acmeSecond, scopedKey } = world.seeded;
    const scoped = clientWith(scopedKey);
    const listed = await scoped.models.list();
    expect(listed.data.map((model) => model.id)).toEqual([acmeSecond.publicId]);
    expect(await scoped.models.retrieve(acmeSecond.id)).toMatchObject({ id: acmeSecond.publicId, object: "model" });
    const outOfScope = await refusal(scoped.models.retrieve(acme.agent.publicId));
    expect(outOfScope).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(outOfScope.status).toBe(403);
  });

  it("404 model_not_found for another organisation's agent", async () => {
    const { acme, globex } = world.seeded;
    const error = await refusal(clientWith(acme.key).models.retrieve(globex.agent.publicId));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.error).toEqual({
      message: expect.stringContaining(globex.agent.publicId),
      type: "invalid_request_error",
      param: "model",
      code: "model_not_found",
    });
  });
});

describe("POST /api/openai/v1/chat/completions", () => {
  it("answers a chat completion with the agent's reply and usage, its id naming the generation", async () => {
    upstream.script({ content: "Hi there!", usage: { prompt_tokens: 20, completion_tokens: 3 } });
    const { acme } = world.seeded;
    const completion = await clientWith(acme.key).chat.completions.create({
      model: acme.agent.publicId,
      messages: [
        { role: "developer", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "Hello " },
            { type: "text", text: "there" },
          ],
        },
      ],
      temperature: 0.2,
      max_tokens: 50,
      user: "end-user-42",
    });
    expect(completion).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-agt_gen_/),
      object: "chat.completion",
      model: acme.agent.publicId,
      choices: [{ index: 0, message: { role: "assistant", content: "Hi there!" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 20, completion_tokens: 3, total_tokens: 23 },
    });
    expect(Math.abs(completion.created - Date.now() / 1000)).toBeLessThan(60);
    // The agent's own instructions come first; the caller's turns follow as sent.
    expect(upstream.requests[0]!.body).toMatchObject({
      model: "scripted-model",
      messages: [
        { role: "system", content: "You are Acme's helper." },
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello there" },
      ],
    });
  });

  it("records the run as coming through the openai door, traceable by the completion's id", async () => {
    upstream.script({ content: "Traced." });
    const { acme } = world.seeded;
    const completion = await clientWith(acme.key).chat.completions.create({ model: acme.agent.id, messages: hello });
    expect(completion.model).toBe(acme.agent.id);
    const generationId = completion.id.slice("chatcmpl-".length);
    let door: unknown;
    for (let attempt = 0; attempt < 40 && door === undefined; attempt++) {
      const traces = await raw("GET", `/api/v1/agents/traces?agent_id=${acme.agent.publicId}&limit=20`, { key: acme.key });
      door = (JSON.parse(traces.text) as Array<{ generation_id: string; door: string }>).find(
        (trace) => trace.generation_id === generationId,
      )?.door;
      if (door === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(door).toBe("openai");
  });

  it("streams chunks: the role, the text, the finish reason, then usage, ending with [DONE]", async () => {
    upstream.script({ chunks: ["Str", "eam", "ing"], usage: { prompt_tokens: 9, completion_tokens: 4 } });
    const { acme } = world.seeded;
    const stream = await clientWith(acme.key).chat.completions.create({
      model: acme.agent.publicId,
      messages: hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("Streaming");
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0]!.id).toMatch(/^chatcmpl-agt_gen_/);
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk" && chunk.model === acme.agent.publicId)).toBe(true);
    const finish = chunks.at(-2)!;
    expect(finish.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it("ends the raw event stream with data: [DONE], without usage unless asked", async () => {
    upstream.script({ content: "Plain stream" });
    const { acme } = world.seeded;
    const { response, text } = await raw("POST", "/api/openai/v1/chat/completions", {
      key: acme.key,
      body: { model: acme.agent.publicId, messages: hello, stream: true },
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    const events = text
      .split("\n\n")
      .filter((event) => event.startsWith("data: {"))
      .map((event) => JSON.parse(event.slice("data: ".length)) as Record<string, unknown>);
    expect(events.some((event) => "usage" in event)).toBe(false);
    expect(events.at(-1)).toMatchObject({ choices: [{ finish_reason: "stop" }] });
  });

  it("stops the upstream call when the client goes away mid-stream", async () => {
    upstream.script({ chunks: Array.from({ length: 50 }, (_, i) => `t${i} `), chunkDelayMs: 100 });
    const { acme } = world.seeded;
    const stream = await clientWith(acme.key).chat.completions.create({ model: acme.agent.publicId, messages: hello, stream: true });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) break;
    }
    const deadline = Date.now() + 3000;
    while (upstream.abortedRequests() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(upstream.abortedRequests()).toBe(1);
  });
});

describe("refusals, in OpenAI's envelope", () => {
  it("401 invalid_api_key for a bad key: the client's AuthenticationError", async () => {
    const { acme } = world.seeded;
    const error = await refusal(clientWith("cdt_not-a-real-key").chat.completions.create({ model: acme.agent.publicId, messages: hello }));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.error).toEqual({ message: expect.any(String), type: "invalid_request_error", param: null, code: "invalid_api_key" });
    expect(error.requestID).toBeTruthy();
    expect(upstream.requests).toHaveLength(0);
  });

  it("403 for an agent outside the key's scope", async () => {
    const { acme, scopedKey } = world.seeded;
    const error = await refusal(clientWith(scopedKey).chat.completions.create({ model: acme.agent.publicId, messages: hello }));
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error.error).toMatchObject({ type: "invalid_request_error", param: "model", code: "forbidden" });
    expect(upstream.requests).toHaveLength(0);
  });

  it.each([["gpt-4o"], ["globex"]])("404 model_not_found for a model that is no agent of the key's (%s)", async (which) => {
    const { acme, globex } = world.seeded;
    const model = which === "globex" ? globex.agent.publicId : which;
    const error = await refusal(clientWith(acme.key).chat.completions.create({ model, messages: hello }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.error).toMatchObject({ type: "invalid_request_error", param: "model", code: "model_not_found" });
    expect(error.message).toContain(model);
  });

  it("429 insufficient_quota when the key's budget is spent, running nothing", async () => {
    const { acme, brokeKey } = world.seeded;
    const error = await refusal(
      clientWith(brokeKey).chat.completions.create({ model: acme.agent.publicId, messages: hello, stream: true }),
    );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.error).toMatchObject({ type: "insufficient_quota", code: "insufficient_quota" });
    expect(upstream.requests).toHaveLength(0);
  });

  it("429 rate_limit_exceeded with Retry-After past the key's rate limit", async () => {
    const { acme, limitedKey } = world.seeded;
    upstream.script({ content: "first" });
    const client = clientWith(limitedKey);
    await client.chat.completions.create({ model: acme.agent.publicId, messages: hello });
    const error = await refusal(client.chat.completions.create({ model: acme.agent.publicId, messages: hello }));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.error).toMatchObject({ type: "requests", code: "rate_limit_exceeded" });
    expect(Number(error.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(upstream.requests).toHaveLength(1);
  });

  it("400 naming the field for bad input: the client's BadRequestError", async () => {
    const { acme } = world.seeded;
    const client = clientWith(acme.key);
    const cases: Array<[OpenAI.ChatCompletionCreateParamsNonStreaming, string]> = [
      [{ model: acme.agent.publicId, messages: [] }, "messages"],
      [{ model: acme.agent.publicId, messages: hello, temperature: 5 }, "temperature"],
      [{ model: acme.agent.publicId, messages: [{ role: "tool", tool_call_id: "call_1", content: "42" }] }, "messages.0.role"],
      [
        {
          model: acme.agent.publicId,
          messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] }],
        },
        "messages.0.content",
      ],
    ];
    for (const [body, param] of cases) {
      const error = await refusal(client.chat.completions.create(body));
      expect(error, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.error, param).toMatchObject({ type: "invalid_request_error", param });
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it("tolerates fields it does not know, as OpenAI does", async () => {
    upstream.script({ content: "Fine." });
    const { acme } = world.seeded;
    const { response, text } = await raw("POST", "/api/openai/v1/chat/completions", {
      key: acme.key,
      body: { model: acme.agent.publicId, messages: hello, seed: 7, tools: [], some_future_field: { any: "thing" } },
    });
    expect(response.status, text).toBe(200);
  });

  it("answers unknown paths and methods under /api/openai in OpenAI's envelope", async () => {
    const { acme } = world.seeded;
    const missing = await raw("GET", "/api/openai/v1/embeddings", { key: acme.key });
    expect(missing.response.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({
      error: { message: expect.any(String), type: "invalid_request_error", param: null, code: null },
    });
    const wrongMethod = await raw("DELETE", "/api/openai/v1/models", { key: acme.key });
    expect(wrongMethod.response.status).toBe(405);
    expect(JSON.parse(wrongMethod.text)).toMatchObject({ error: { code: "method_not_allowed" } });
  });
});

describe("a run that pauses", () => {
  let pausingAgent: string;

  beforeAll(async () => {
    const { acme } = world.seeded;
    const tool = await raw("POST", "/api/v1/agents/tools", {
      key: acme.key,
      body: { name: "ask_customer", type: "client", parameters: { type: "object", properties: { question: { type: "string" } } } },
    });
    const provider = await raw("POST", "/api/v1/ai-providers", {
      key: acme.key,
      body: { name: "scripted", type: "openai_compatible", base_url: upstream.baseUrl, api_key: "sk-x", default_model: "scripted-model" },
    });
    const agent = await raw("POST", "/api/v1/agents", {
      key: acme.key,
      body: {
        name: "Desk",
        ai_provider_id: (JSON.parse(provider.text) as { id: string }).id,
        tool_ids: [(JSON.parse(tool.text) as { id: string }).id],
      },
    });
    expect(agent.response.status, agent.text).toBe(201);
    pausingAgent = (JSON.parse(agent.text) as { id: string }).id;
  });

  const askCustomer = { toolCalls: [{ id: "call_ask", name: "ask_customer", arguments: JSON.stringify({ question: "Which order?" }) }] };

  it("is a 409 run_paused naming the generation, not a silent empty answer", async () => {
    upstream.script(askCustomer);
    const { acme } = world.seeded;
    const error = await refusal(clientWith(acme.key).chat.completions.create({ model: pausingAgent, messages: hello }));
    expect(error.status).toBe(409);
    expect(error.error).toMatchObject({ type: "invalid_request_error", code: "run_paused" });
    const generationId = error.message.match(/generation (agt_gen_\w+)/)?.[1];
    expect(generationId).toBeDefined();
    const stored = await raw("GET", `/api/v1/agents/${pausingAgent}/generate/${generationId}`, { key: acme.key });
    expect(JSON.parse(stored.text)).toMatchObject({ status: "requires_action" });
  });

  it("ends a stream with an error event the client raises", async () => {
    upstream.script(askCustomer);
    const { acme } = world.seeded;
    const stream = await clientWith(acme.key).chat.completions.create({ model: pausingAgent, messages: hello, stream: true });
    const error = await refusal(
      (async () => {
        for await (const chunk of stream) expect(chunk.choices[0]?.finish_reason ?? null).toBeNull();
      })(),
    );
    expect(error.message).toMatch(/paused for client tool outputs.*generation agt_gen_/);
  });
});
