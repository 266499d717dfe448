import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { generateText, streamText, tool } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { DEFAULT_CONTENT, startScriptedUpstream, type ScriptedUpstream } from "./scripted-upstream";
import { rewriteScriptForRedis, startUpstashRestAdapter, type UpstashRestAdapter } from "./upstash-rest-adapter";

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("waitFor timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

describe("scripted upstream + AI SDK", () => {
  let upstream: ScriptedUpstream;
  let model: ReturnType<ReturnType<typeof createOpenAICompatible>["chatModel"]>;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    model = createOpenAICompatible({ name: "scripted", baseURL: upstream.baseUrl, includeUsage: true }).chatModel("scripted-model");
  });
  afterAll(async () => {
    await upstream.close();
  });
  beforeEach(() => upstream.reset());

  it("returns the default reply and usage", async () => {
    const result = await generateText({ model, prompt: "Hi", maxRetries: 0 });
    expect(result.text).toBe(DEFAULT_CONTENT);
    expect(result.usage.inputTokens).toBe(12);
    expect(result.usage.outputTokens).toBe(6);
    expect(result.usage.totalTokens).toBe(18);
    expect(result.finishReason).toBe("stop");
    expect(upstream.requests).toHaveLength(1);
    const recorded = upstream.requests[0];
    expect(recorded?.method).toBe("POST");
    expect(recorded?.path).toBe("/v1/chat/completions");
    expect(recorded?.headers["content-type"]).toContain("application/json");
    expect(recorded?.body).toMatchObject({ model: "scripted-model", messages: [{ role: "user", content: "Hi" }] });
  });

  it("serves scripted content in FIFO order, then falls back to the default", async () => {
    upstream.script({ content: "first", usage: { prompt_tokens: 3, completion_tokens: 1 } }, { content: "second" });
    const a = await generateText({ model, prompt: "1", maxRetries: 0 });
    const b = await generateText({ model, prompt: "2", maxRetries: 0 });
    const c = await generateText({ model, prompt: "3", maxRetries: 0 });
    expect([a.text, b.text, c.text]).toEqual(["first", "second", DEFAULT_CONTENT]);
    expect(a.usage.inputTokens).toBe(3);
    expect(a.usage.outputTokens).toBe(1);
  });

  it("streams scripted chunks in order with usage", async () => {
    upstream.script({ chunks: ["Hel", "lo", ", wor", "ld"], chunkDelayMs: 5, usage: { prompt_tokens: 7, completion_tokens: 4 } });
    const result = streamText({ model, prompt: "stream please", maxRetries: 0 });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    expect(parts).toEqual(["Hel", "lo", ", wor", "ld"]);
    const usage = await result.usage;
    expect(usage.inputTokens).toBe(7);
    expect(usage.outputTokens).toBe(4);
    expect(await result.finishReason).toBe("stop");
    expect(upstream.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("splits default streamed content into word pieces", async () => {
    const result = streamText({ model, prompt: "hi", maxRetries: 0 });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    expect(parts).toEqual(["Hello ", "from ", "the ", "scripted ", "upstream."]);
  });

  it("surfaces a scripted 500 as an error", async () => {
    upstream.script({ status: 500 });
    await expect(generateText({ model, prompt: "boom", maxRetries: 0 })).rejects.toMatchObject({
      statusCode: 500,
      message: expect.stringContaining("scripted error"),
    });
    expect(upstream.requests).toHaveLength(1);
  });

  const tools = {
    get_weather: tool({ description: "Weather for a city", inputSchema: z.object({ city: z.string() }) }),
  };
  const toolStep = { toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }] };

  it("returns scripted tool calls (non-streaming)", async () => {
    upstream.script(toolStep);
    const result = await generateText({ model, prompt: "weather?", tools, maxRetries: 0 });
    expect(result.finishReason).toBe("tool-calls");
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]).toMatchObject({ toolCallId: "call_1", toolName: "get_weather", input: { city: "Paris" } });
    const body = upstream.requests[0]?.body;
    expect(isRecord(body) && Array.isArray(body.tools) && body.tools.length).toBe(1);
  });

  it("returns scripted tool calls (streaming)", async () => {
    upstream.script(toolStep);
    const result = streamText({ model, prompt: "weather?", tools, maxRetries: 0 });
    const toolCalls = await result.toolCalls;
    expect(toolCalls).toHaveLength(1);
    expect(toolCalls[0]).toMatchObject({ toolCallId: "call_1", toolName: "get_weather", input: { city: "Paris" } });
    expect(await result.finishReason).toBe("tool-calls");
  });

  it("counts a client abort of a hanging request", async () => {
    upstream.script({ hang: true });
    const controller = new AbortController();
    const pending = generateText({ model, prompt: "hang", maxRetries: 0, abortSignal: controller.signal });
    await waitFor(() => upstream.requests.length === 1);
    expect(upstream.abortedRequests()).toBe(0);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => upstream.abortedRequests() === 1);
  });

  it("counts a client abort mid-stream and stops streaming", async () => {
    upstream.script({ chunks: ["a", "b", "c", "d", "e", "f"], chunkDelayMs: 50 });
    const controller = new AbortController();
    const result = streamText({ model, prompt: "slow", maxRetries: 0, abortSignal: controller.signal });
    const parts: string[] = [];
    for await (const part of result.textStream) {
      parts.push(part);
      if (parts.length === 2) controller.abort();
    }
    expect(parts.length).toBeLessThan(6);
    await waitFor(() => upstream.abortedRequests() === 1);
  });

  it("closes promptly with a hanging keep-alive request in flight", async () => {
    const other = await startScriptedUpstream();
    other.script({ hang: true });
    const pending = fetch(`${other.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [] }),
    }).catch((error: unknown) => error);
    await waitFor(() => other.requests.length === 1);
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
    expect(other.abortedRequests()).toBe(0); // Our own shutdown is not a client abort.
  });

  it("is drivable over the HTTP control endpoints", async () => {
    const origin = upstream.baseUrl.replace(/\/v1$/, "");
    const scripted = await fetch(`${origin}/__script`, {
      method: "POST",
      body: JSON.stringify([{ content: "via http" }, { status: 429, errorBody: { error: { message: "slow down" } } }]),
    });
    expect(scripted.status).toBe(200);
    expect((await generateText({ model, prompt: "x", maxRetries: 0 })).text).toBe("via http");
    await expect(generateText({ model, prompt: "y", maxRetries: 0 })).rejects.toMatchObject({ statusCode: 429 });

    const requests: unknown = await (await fetch(`${origin}/__requests`)).json();
    expect(Array.isArray(requests) && requests.length).toBe(2);
    expect(await (await fetch(`${origin}/__stats`)).json()).toEqual({ requests: 2, aborted: 0 });

    const bad = await fetch(`${origin}/__script`, { method: "POST", body: JSON.stringify([{ delayMs: "soon" }]) });
    expect(bad.status).toBe(400);

    expect((await fetch(`${origin}/__reset`, { method: "POST" })).status).toBe(200);
    expect(await (await fetch(`${origin}/__stats`)).json()).toEqual({ requests: 0, aborted: 0 });
    expect(upstream.requests).toHaveLength(0);

    const missing = await fetch(`${origin}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { type: "not_found" } });
  });

  it("runs standalone and prints its baseUrl", async () => {
    const file = fileURLToPath(new URL("./scripted-upstream.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", file, "--port", "0"], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)), // `--import tsx` resolves from the cwd.
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const line = await Promise.race([
        new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve)),
        exited.then((code) => Promise.reject(new Error(`exited early with ${code}`))),
      ]);
      const parsed: unknown = JSON.parse(line);
      expect(isRecord(parsed) && typeof parsed.baseUrl === "string").toBe(true);
      const baseUrl = isRecord(parsed) && typeof parsed.baseUrl === "string" ? parsed.baseUrl : "";
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const standaloneModel = createOpenAICompatible({ name: "standalone", baseURL: baseUrl }).chatModel("m");
      expect((await generateText({ model: standaloneModel, prompt: "hi", maxRetries: 0 })).text).toBe(DEFAULT_CONTENT);
    } finally {
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  }, 20_000);
});

describe("upstash REST adapter + real Redis", () => {
  let adapter: UpstashRestAdapter;
  let redis: Redis;
  const prefix = `conduit-test:support:${randomUUID()}`;

  beforeAll(async () => {
    adapter = await startUpstashRestAdapter({});
    redis = new Redis({ url: adapter.url, token: adapter.token, enableTelemetry: false });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await adapter.close();
  });

  it("round-trips set/get, including JSON values and binary-unsafe text", async () => {
    expect(await redis.set(`${prefix}:s`, "hello wörld ✓")).toBe("OK");
    expect(await redis.get(`${prefix}:s`)).toBe("hello wörld ✓");
    await redis.set(`${prefix}:j`, { a: 1, b: ["x"] });
    expect(await redis.get(`${prefix}:j`)).toEqual({ a: 1, b: ["x"] });
    expect(await redis.get(`${prefix}:missing`)).toBeNull();
  });

  it("increments", async () => {
    expect(await redis.incr(`${prefix}:n`)).toBe(1);
    expect(await redis.incr(`${prefix}:n`)).toBe(2);
    expect(await redis.incrby(`${prefix}:n`, 10)).toBe(12);
  });

  it("keeps hash replies as flat arrays (no ioredis transform)", async () => {
    await redis.hset(`${prefix}:h`, { a: "1", b: "two" });
    expect(await redis.hgetall(`${prefix}:h`)).toEqual({ a: 1, b: "two" });
  });

  it("runs pipelines and transactions", async () => {
    const p = redis.pipeline();
    p.set(`${prefix}:p`, "x");
    p.incr(`${prefix}:pc`);
    p.get(`${prefix}:p`);
    p.lpush(`${prefix}:l`, "a", "b");
    p.lrange(`${prefix}:l`, 0, -1);
    expect(await p.exec()).toEqual(["OK", 1, "x", 2, ["b", "a"]]);

    const tx = redis.multi();
    tx.incr(`${prefix}:tx`);
    tx.incr(`${prefix}:tx`);
    expect(await tx.exec()).toEqual([1, 2]);

    // Per-command errors come back inside the pipeline, not as an HTTP error.
    const bad = redis.pipeline();
    bad.incr(`${prefix}:p`);
    bad.get(`${prefix}:p`);
    const kept = await bad.exec({ keepErrors: true });
    expect(kept[0]?.error).toMatch(/^ERR value is not an integer/);
    expect(kept[1]).toEqual({ error: undefined, result: "x" });
  });

  it("speaks the raw protocol: auth, base64 encoding, errors", async () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${adapter.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${adapter.token}`, ...headers },
        body: JSON.stringify(body),
      });
    await post("/", ["SET", `${prefix}:raw`, "v1"]);
    expect(await (await post("/", ["GET", `${prefix}:raw`])).json()).toEqual({ result: "v1" });
    expect(await (await post("/", ["GET", `${prefix}:raw`], { "Upstash-Encoding": "base64" })).json()).toEqual({
      result: Buffer.from("v1").toString("base64"),
    });
    expect(await (await post("/", ["SET", `${prefix}:raw`, "v2"], { "Upstash-Encoding": "base64" })).json()).toEqual({
      result: "OK",
    });
    const nested = await post("/pipeline", [["MGET", `${prefix}:raw`, `${prefix}:none`]], { "Upstash-Encoding": "base64" });
    expect(await nested.json()).toEqual([{ result: [Buffer.from("v2").toString("base64"), null] }]);

    const err = await post("/", ["INCR", `${prefix}:raw`]);
    expect(err.status).toBe(400);
    expect(await err.json()).toEqual({ error: expect.stringMatching(/^ERR value is not an integer/) });
    const noscript = await post("/", ["EVALSHA", "0".repeat(40), "0"]);
    expect(noscript.status).toBe(400);
    expect(await noscript.json()).toEqual({ error: expect.stringMatching(/^NOSCRIPT/) });

    const path = await fetch(`${adapter.url}/get/${encodeURIComponent(`${prefix}:raw`)}`, {
      headers: { authorization: `Bearer ${adapter.token}` },
    });
    expect(await path.json()).toEqual({ result: "v2" });

    const unauthorized = await fetch(`${adapter.url}/`, { method: "POST", body: JSON.stringify(["PING"]) });
    expect(unauthorized.status).toBe(401);
  });

  it("strips Upstash-only script shebang flags", () => {
    expect(rewriteScriptForRedis("#!lua flags=allow-key-locking\nreturn 1")).toBe("#!lua\nreturn 1");
    expect(rewriteScriptForRedis("#!lua flags=no-writes,allow-key-locking\nreturn 1")).toBe("#!lua flags=no-writes\nreturn 1");
    expect(rewriteScriptForRedis("return 1")).toBe("return 1");
  });

  it("backs @upstash/ratelimit sliding window (EVALSHA → NOSCRIPT → EVAL fallback)", async () => {
    const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(3, "10 s"), prefix: `${prefix}:rl` });
    const before = adapter.commandCount();
    const first = await ratelimit.limit("user-1");
    // A fresh adapter never knows the Upstash SHA, so the first call needs EVALSHA + EVAL.
    expect(adapter.commandCount() - before).toBe(2);
    const rest = [await ratelimit.limit("user-1"), await ratelimit.limit("user-1")];
    // Later calls hit the cached script via the SHA mapping: one EVALSHA each.
    expect(adapter.commandCount() - before).toBe(4);
    for (const r of [first, ...rest]) expect(r.success).toBe(true);
    expect(rest.map((r) => r.remaining)).toEqual([1, 0]);
    const denied = await ratelimit.limit("user-1");
    expect(denied.success).toBe(false);
    expect(denied.limit).toBe(3);
    expect(denied.remaining).toBe(0);
    const now = Date.now();
    expect(denied.reset).toBeGreaterThan(now);
    expect(denied.reset).toBeLessThanOrEqual(now + 10_000);
    expect((await ratelimit.limit("user-2")).success).toBe(true);
  });

  it("rejects a wrong token", async () => {
    const wrong = new Redis({ url: adapter.url, token: "wrong-token", enableTelemetry: false, retry: false });
    await expect(wrong.get(`${prefix}:s`)).rejects.toThrow(/Unauthorized/);
  });
});
