import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createAgent } from "@/lib/agents";
import type { Db } from "@/lib/db";
import { createAiProvider } from "@/lib/agents/providers";
import { freePort, startWorld, type World } from "./support/app";
import { createKey, createTenant } from "./support/fixtures";
import { errorCode, getJson, postJson, uniqueIp } from "./support/http";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";

// The agents' own providers below live on loopback, which provider URLs refuse unless allowed.
vi.stubEnv("TOOL_ALLOWED_PRIVATE_HOSTS", "127.0.0.1");

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const globex = await createTenant(db, "Globex");
  const closed = await createTenant(db, "Closed", { apiChannelEnabled: false });
  const limited = await createKey(db, { orgId: acme.org.id, name: "limited", rateLimitPerMinute: 2 });
  const deadProvider = await createAiProvider(db, {
    orgId: acme.org.id,
    name: "nothing listens here",
    type: "openai_compatible",
    baseUrl: `http://127.0.0.1:${await freePort()}/v1`,
  });
  const unreachable = await createAgent(db, { orgId: acme.org.id, name: "unreachable", aiProviderId: deadProvider.id });
  return { acme, globex, closed, limitedKey: limited.secret, unreachable };
}

const url = (path: string) => `${world.app.url}${path}`;

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  world = await startWorld({
    seed,
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_MODEL: "scripted-model",
      TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
      MODEL_MAX_RETRIES: "0",
      RUN_TIMEOUT_MS: "1000",
      TRUST_PROXY_HOPS: "1",
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

describe("POST /api/v1/chat", () => {
  it("returns message_id, employee_id and content", async () => {
    upstream.script({ content: "Pending: two tasks." });
    const { acme } = world.seeded;
    const response = await postJson(url("/api/v1/chat"), { employee_id: acme.agent.id, prompt: "What is pending?" }, { key: acme.key });
    expect(response.status).toBe(200);
    const body = response.body as Record<string, string>;
    expect(body).toEqual({
      message_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      employee_id: acme.agent.id,
      content: "Pending: two tasks.",
    });
    expect((upstream.requests[0]!.body as { messages: unknown[] }).messages).toEqual([{ role: "user", content: "What is pending?" }]);
  });

  it("400 for malformed JSON, a non-UUID employee_id and missing fields", async () => {
    const { acme } = world.seeded;
    const malformed = await postJson(url("/api/v1/chat"), null, { key: acme.key, raw: '{"employee_id":' });
    expect(malformed.status).toBe(400);
    const badUuid = await postJson(url("/api/v1/chat"), { employee_id: "abc-123", prompt: "hi" }, { key: acme.key });
    expect(badUuid.status).toBe(400);
    expect(JSON.stringify(badUuid.body)).toContain("employee_id must be a UUID");
    const missing = await postJson(url("/api/v1/chat"), {}, { key: acme.key });
    expect(missing.status).toBe(400);
    expect((missing.body as { error: { details: string[] } }).error.details).toHaveLength(2);
  });

  it("401 for a missing or invalid key", async () => {
    const { acme } = world.seeded;
    const body = { employee_id: acme.agent.id, prompt: "hi" };
    expect((await postJson(url("/api/v1/chat"), body, { headers: uniqueIp() })).status).toBe(401);
    expect((await postJson(url("/api/v1/chat"), body, { key: "sk-your-api-key", headers: uniqueIp() })).status).toBe(401);
  });

  it("403 when the organisation has the API channel disabled", async () => {
    const { closed } = world.seeded;
    const response = await postJson(url("/api/v1/chat"), { employee_id: closed.agent.id, prompt: "hi" }, { key: closed.key });
    expect(response.status).toBe(403);
    expect(errorCode(response.body)).toBe("CHANNEL_DISABLED");
    expect(upstream.requests).toHaveLength(0);
  });

  it("404 for another organisation's employee", async () => {
    const { acme, globex } = world.seeded;
    const response = await postJson(url("/api/v1/chat"), { employee_id: globex.agent.id, prompt: "hi" }, { key: acme.key });
    expect(response.status).toBe(404);
  });

  it("413 when the body exceeds 64 KB", async () => {
    const { acme } = world.seeded;
    const response = await postJson(url("/api/v1/chat"), { employee_id: acme.agent.id, prompt: "p".repeat(65 * 1024) }, { key: acme.key });
    expect(response.status).toBe(413);
  });

  it("502 when the model upstream is unreachable", async () => {
    const { acme, unreachable } = world.seeded;
    const response = await postJson(url("/api/v1/chat"), { employee_id: unreachable.id, prompt: "hi" }, { key: acme.key });
    expect(response.status).toBe(502);
    expect(errorCode(response.body)).toBe("UPSTREAM_UNAVAILABLE");
  });

  it("502 when the model upstream answers with an error", async () => {
    upstream.script({ status: 503 });
    const { acme } = world.seeded;
    const response = await postJson(url("/api/v1/chat"), { employee_id: acme.agent.id, prompt: "hi" }, { key: acme.key });
    expect(response.status).toBe(502);
    expect(errorCode(response.body)).toBe("UPSTREAM_ERROR");
  });

  it("504 after the run timeout", async () => {
    upstream.script({ delayMs: 3000 });
    const { acme } = world.seeded;
    const started = Date.now();
    const response = await postJson(url("/api/v1/chat"), { employee_id: acme.agent.id, prompt: "slow" }, { key: acme.key });
    expect(response.status).toBe(504);
    expect(errorCode(response.body)).toBe("TIMEOUT");
    expect(Date.now() - started).toBeLessThan(2500);
  });
});

describe("GET /api/v1/health and /api/health", () => {
  it("v1 health needs a key", async () => {
    const { acme } = world.seeded;
    const ok = await getJson(url("/api/v1/health"), { key: acme.key });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: "ok" });
    expect((await getJson(url("/api/v1/health"), { headers: uniqueIp() })).status).toBe(401);
  });

  it("liveness needs none", async () => {
    const response = await getJson(url("/api/health"));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ok" });
  });
});

describe("rate limits", () => {
  it("429 with Retry-After and X-RateLimit-* once a key spends its per-minute budget", async () => {
    const { acme, limitedKey } = world.seeded;
    const call = () => getJson(url("/api/v1/health"), { key: limitedKey });
    const first = await call();
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit")).toBe("2");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("1");
    expect((await call()).status).toBe(200);
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(errorCode(limited.body)).toBe("RATE_LIMITED");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    // Other keys are unaffected.
    expect((await getJson(url("/api/v1/health"), { key: acme.key })).status).toBe(200);
  });

  it("after 10 failed authentications an IP gets 429, even with a valid key; other IPs do not", async () => {
    const { acme } = world.seeded;
    const attacker = uniqueIp();
    for (let i = 0; i < 10; i++) {
      const response = await getJson(url("/api/v1/health"), { key: `cdt_wrong${i}`, headers: attacker });
      expect(response.status).toBe(401);
    }
    const blocked = await getJson(url("/api/v1/health"), { key: "cdt_wrong-again", headers: attacker });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await getJson(url("/api/v1/health"), { key: acme.key, headers: attacker })).status).toBe(429);
    expect((await getJson(url("/api/v1/health"), { key: acme.key, headers: uniqueIp() })).status).toBe(200);
  });

  it("checks the key limit before the organisation's channel settings", async () => {
    const { closed } = world.seeded;
    // A disabled channel still consumes and reports the key's budget.
    const response = await getJson(url("/api/v1/health"), { key: closed.key });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-ratelimit-limit")).toBe("120");
  });
});

describe("unknown API paths", () => {
  it("answer 404 in the JSON error envelope", async () => {
    const response = await postJson(url("/api/nope/nothing"), {});
    expect(response.status).toBe(404);
    expect(errorCode(response.body)).toBe("NOT_FOUND");
  });
});
