import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { tables } from "@/lib/db";
import { createAiProvider } from "@/lib/agents/providers";
import { startWorld, type World } from "./support/app";
import { createKey, createRevokedKey, createTenant } from "./support/fixtures";
import { errorCode, postJson, serverTiming, uniqueIp } from "./support/http";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";

// The agents' own providers below live on loopback, which provider URLs refuse unless allowed.
vi.stubEnv("TOOL_ALLOWED_PRIVATE_HOSTS", "127.0.0.1");

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Parameters<typeof createTenant>[0]) {
  const acme = await createTenant(db, "Acme", { agent: { instructions: "You are Acme's helper." } });
  const globex = await createTenant(db, "Globex");
  const { createAgent } = await import("@/lib/agents");
  const acmeSecond = await createAgent(db, { orgId: acme.org.id, name: "Acme second" });
  const scopedKey = await createKey(db, { orgId: acme.org.id, name: "scoped", agentIds: [acmeSecond.id] });
  const ownProvider = await createAiProvider(db, {
    orgId: acme.org.id,
    name: "own upstream",
    type: "openai_compatible",
    baseUrl: upstream.baseUrl,
    apiKey: "sk-agent-own-key",
    defaultModel: "agent-model",
  });
  const byokAgent = await createAgent(db, { orgId: acme.org.id, name: "BYO provider", aiProviderId: ownProvider.id });
  return { acme, globex, acmeSecond, scopedKey: scopedKey.secret, byokAgent, revokedKey: await createRevokedKey(db, acme.org.id) };
}

const chatUrl = (agentId: string) => `${world.app.url}/api/agents/${agentId}/chat`;
const hello = { messages: [{ role: "user", content: "Hello" }] };

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
      RUN_TIMEOUT_MS: "1500",
      TRUST_PROXY_HOPS: "1",
      KEY_CACHE_TTL_MS: "300",
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

describe("POST /api/agents/{agentId}/chat, non-streaming", () => {
  it("answers with the assistant message, usage and a Server-Timing header", async () => {
    upstream.script({ content: "Hi there!", usage: { prompt_tokens: 20, completion_tokens: 3 } });
    const { acme } = world.seeded;
    const response = await postJson(chatUrl(acme.agent.id), { ...hello, stream: false }, { key: acme.key });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      agent_id: acme.agent.id,
      model: "scripted-model",
      message: { role: "assistant", content: "Hi there!" },
      usage: { input_tokens: 20, output_tokens: 3, total_tokens: 23 },
    });
    const timing = serverTiming(response.headers);
    expect(timing.gateway).toBeGreaterThanOrEqual(0);
    expect(timing.model).toBeGreaterThan(0);
    expect(timing.total).toBeGreaterThanOrEqual(timing.model!);
    expect(response.headers.get("x-ratelimit-limit")).toBe("120");

    const sent = upstream.requests[0]!;
    expect(sent.headers.authorization).toBe("Bearer sk-deployment-key");
    expect(sent.body).toMatchObject({
      model: "scripted-model",
      messages: [
        { role: "system", content: "You are Acme's helper." },
        { role: "user", content: "Hello" },
      ],
    });
  });

  it("accepts the agent's public id and multi-turn history with system turns", async () => {
    const { acme } = world.seeded;
    const messages = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "One" },
      { role: "assistant", content: "Two" },
      { role: "user", content: "Three?" },
    ];
    const response = await postJson(chatUrl(acme.agent.publicId), { messages }, { key: acme.key });
    expect(response.status).toBe(200);
    const sentMessages = (upstream.requests[0]!.body as { messages: unknown[] }).messages;
    expect(sentMessages).toHaveLength(5);
  });

  it("uses the agent's own AI provider, with its own key and model", async () => {
    const { acme, byokAgent } = world.seeded;
    const response = await postJson(chatUrl(byokAgent.id), hello, { key: acme.key });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ model: "agent-model" });
    expect(upstream.requests[0]!.headers.authorization).toBe("Bearer sk-agent-own-key");
  });

  it("records the exchange with its token usage", async ({ skip }) => {
    if (!world.db) return skip("needs a second connection to the database");
    upstream.script({ content: "Recorded", usage: { prompt_tokens: 11, completion_tokens: 2 } });
    const { acme } = world.seeded;
    const response = await postJson(chatUrl(acme.agent.id), { messages: [{ role: "user", content: "Record me" }] }, { key: acme.key });
    const id = (response.body as { id: string }).id;
    let rows: (typeof tables.messages.$inferSelect)[] = [];
    for (let i = 0; i < 40 && rows.length === 0; i++) {
      rows = await world.db.select().from(tables.messages).where(eq(tables.messages.id, id));
      if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(rows[0]).toMatchObject({ role: "assistant", content: "Recorded", inputTokens: 11, outputTokens: 2, model: "scripted-model" });
    const turns = await world.db.select().from(tables.messages).where(eq(tables.messages.conversationId, rows[0]!.conversationId));
    expect(turns.map((turn) => turn.role).sort()).toEqual(["assistant", "user"]);
    expect(turns.find((turn) => turn.role === "user")?.content).toBe("Record me");
  });
});

async function readLines(response: Response): Promise<Array<Record<string, unknown>>> {
  const text = await response.text();
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("POST /api/agents/{agentId}/chat, streaming", () => {
  const streamRequest = (agentId: string, key: string, signal?: AbortSignal) =>
    fetch(chatUrl(agentId), {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ ...hello, stream: true }),
      signal,
    });

  it("streams NDJSON deltas then a final line with the full message and usage", async () => {
    upstream.script({ chunks: ["Str", "eam", "ing", " works"], usage: { prompt_tokens: 9, completion_tokens: 4 } });
    const { acme } = world.seeded;
    const response = await streamRequest(acme.agent.id, acme.key);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    expect(serverTiming(response.headers).gateway).toBeGreaterThanOrEqual(0);
    const lines = await readLines(response);
    const deltas = lines.filter((line) => line.type === "delta").map((line) => line.content);
    expect(deltas).toEqual(["Str", "eam", "ing", " works"]);
    expect(lines.at(-1)).toMatchObject({
      type: "done",
      message: { role: "assistant", content: "Streaming works" },
      usage: { input_tokens: 9, output_tokens: 4, total_tokens: 13 },
    });
  });

  it("reports an upstream failure before the first token with a proper status, not a 200 stream", async () => {
    upstream.script({ status: 500 });
    const { acme } = world.seeded;
    const response = await streamRequest(acme.agent.id, acme.key);
    expect(response.status).toBe(502);
    expect(errorCode(await response.json())).toBe("UPSTREAM_ERROR");
  });

  it("writes an error that happens after streaming began as a JSON line", async () => {
    // Chunks arrive at 1 s and 2 s; the run timeout (1.5 s) fires in between.
    upstream.script({ chunks: ["partial", " never"], chunkDelayMs: 1000 });
    const { acme } = world.seeded;
    const response = await streamRequest(acme.agent.id, acme.key);
    expect(response.status).toBe(200);
    const lines = await readLines(response);
    expect(lines[0]).toEqual({ type: "delta", content: "partial" });
    expect(lines.at(-1)).toMatchObject({ type: "error", error: { code: "TIMEOUT" } });
  });

  it("stops the upstream call when the client disconnects", async () => {
    upstream.script({ chunks: Array.from({ length: 50 }, (_, i) => `t${i} `), chunkDelayMs: 100 });
    const { acme } = world.seeded;
    const abort = new AbortController();
    const response = await streamRequest(acme.agent.id, acme.key, abort.signal);
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    const deadline = Date.now() + 3000;
    while (upstream.abortedRequests() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(upstream.abortedRequests()).toBe(1);
  });
});

describe("authentication and tenancy", () => {
  it("401 without a key, before any model call", async () => {
    const response = await postJson(chatUrl(world.seeded.acme.agent.id), hello, { headers: uniqueIp() });
    expect(response.status).toBe(401);
    expect(errorCode(response.body)).toBe("UNAUTHENTICATED");
    expect(upstream.requests).toHaveLength(0);
  });

  it("401 for an unknown or revoked key", async () => {
    const headers = uniqueIp();
    for (const key of ["cdt_definitelyNotAKeyAtAllxxxxxxxxxxxxx", world.seeded.revokedKey, "garbage"]) {
      const response = await postJson(chatUrl(world.seeded.acme.agent.id), hello, { key, headers });
      expect(response.status).toBe(401);
      expect(errorCode(response.body)).toBe("INVALID_API_KEY");
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it("404 for another organisation's agent, exactly like a missing one", async () => {
    const { acme, globex } = world.seeded;
    const foreign = await postJson(chatUrl(globex.agent.id), hello, { key: acme.key });
    const foreignPublic = await postJson(chatUrl(globex.agent.publicId), hello, { key: acme.key });
    const missing = await postJson(chatUrl("00000000-0000-4000-8000-000000000000"), hello, { key: acme.key });
    for (const response of [foreign, foreignPublic, missing]) {
      expect(response.status).toBe(404);
      expect(errorCode(response.body)).toBe("NOT_FOUND");
    }
    const strip = (body: unknown) => ({ ...(body as { error: object }).error, request_id: undefined });
    expect(strip(foreign.body)).toEqual(strip(missing.body));
    expect(upstream.requests).toHaveLength(0);
  });

  it("403 when the key is limited to other agents", async () => {
    const { acme, acmeSecond, scopedKey } = world.seeded;
    const response = await postJson(chatUrl(acme.agent.id), hello, { key: scopedKey });
    expect(response.status).toBe(403);
    expect(errorCode(response.body)).toBe("FORBIDDEN");
    expect((await postJson(chatUrl(acmeSecond.id), hello, { key: scopedKey })).status).toBe(200);
  });

  it("stops accepting a key revoked elsewhere once the cache entry expires", async ({ skip }) => {
    if (!world.db) return skip("needs a second connection to the database");
    const { acme } = world.seeded;
    const { createKey: make } = await import("./support/fixtures");
    const key = await make(world.db, { orgId: acme.org.id, name: "short-lived" });
    expect((await postJson(chatUrl(acme.agent.id), hello, { key: key.secret })).status).toBe(200);
    const { revokeApiKey } = await import("@/lib/keys");
    await revokeApiKey(world.db, acme.org.id, key.id);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await postJson(chatUrl(acme.agent.id), hello, { key: key.secret, headers: uniqueIp() })).status).toBe(401);
  });
});

describe("bad input", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["no messages", {}, /messages/],
    ["empty messages", { messages: [] }, /at least one turn/],
    ["unknown role", { messages: [{ role: "robot", content: "hi" }] }, /role must be one of/],
    ["empty content", { messages: [{ role: "user", content: "  " }] }, /content must not be empty/],
    ["wrong types", { messages: [{ role: "user", content: 42 }], stream: "yes" }, /content must be a string.*stream must be a boolean/],
    ["not an object", [1, 2, 3], /expected object/i],
  ];

  it.each(cases)("400 with zod details for %s", async (_name, body, message) => {
    const { acme } = world.seeded;
    const response = await postJson(chatUrl(acme.agent.id), body, { key: acme.key });
    expect(response.status).toBe(400);
    expect(errorCode(response.body)).toBe("VALIDATION_FAILED");
    const error = (response.body as { error: { message: string; details: string[] } }).error;
    expect(error.message).toMatch(message);
    expect(error.details.length).toBeGreaterThan(0);
  });

  it("400 for garbage JSON and an empty body", async () => {
    const { acme } = world.seeded;
    for (const raw of ["{not json", ""]) {
      const response = await postJson(chatUrl(acme.agent.id), null, { key: acme.key, raw });
      expect(response.status).toBe(400);
      expect(errorCode(response.body)).toBe("INVALID_JSON");
    }
  });

  it("400 for a malformed agent id", async () => {
    const { acme } = world.seeded;
    const response = await postJson(chatUrl("not-a-uuid"), hello, { key: acme.key });
    expect(response.status).toBe(400);
    expect(errorCode(response.body)).toBe("BAD_REQUEST");
  });

  it("413 above 64 KB, with or without Content-Length", async () => {
    const { acme } = world.seeded;
    const big = { messages: [{ role: "user", content: "x".repeat(70 * 1024) }] };
    const declared = await postJson(chatUrl(acme.agent.id), big, { key: acme.key });
    expect(declared.status).toBe(413);
    expect(errorCode(declared.body)).toBe("PAYLOAD_TOO_LARGE");

    const encoder = new TextEncoder();
    const chunked = await fetch(chatUrl(acme.agent.id), {
      method: "POST",
      headers: { Authorization: `Bearer ${acme.key}`, "Content-Type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode(JSON.stringify(big)));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it("431 for a 10 MB header, and the server keeps serving", async () => {
    const { acme } = world.seeded;
    const { connect } = await import("node:net");
    // A raw socket, so the test reads the answer while the header is still being sent.
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(world.app.port, "127.0.0.1");
      let received = "";
      socket.on("data", (chunk) => {
        received += chunk.toString();
        if (received.includes("}}")) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on("error", (error) => (received ? resolve(received) : reject(error)));
      socket.write(`POST /api/agents/${acme.agent.id}/chat HTTP/1.1\r\nHost: localhost\r\nX-Huge: ${"a".repeat(10 * 1024 * 1024)}\r\n\r\n`);
    });
    expect(head).toMatch(/^HTTP\/1\.1 431/);
    expect(head).toContain("HEADERS_TOO_LARGE");
    expect((await postJson(chatUrl(acme.agent.id), hello, { key: acme.key })).status).toBe(200);
  });

  it("changes nothing stored", async ({ skip }) => {
    if (!world.db) return skip("needs a second connection to the database");
    const count = async () => (await world.db!.select({ id: tables.messages.id }).from(tables.messages)).length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = await count();
    const { acme } = world.seeded;
    await postJson(chatUrl(acme.agent.id), { messages: [] }, { key: acme.key });
    await postJson(chatUrl(acme.agent.id), null, { key: acme.key, raw: "{" });
    await postJson(chatUrl("nope"), hello, { key: acme.key });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await count()).toBe(before);
  });
});
