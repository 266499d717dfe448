import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "@/lib/agents";
import { createUserToken } from "@/lib/auth/user-tokens";
import { tables, type Db } from "@/lib/db";
import { TaskReplyWebhook } from "@/lib/contracts";
import { startWorld, type RunningApp, type World } from "./support/app";
import { createKey, createMember, createTenant } from "./support/fixtures";
import { expectDocumented } from "./support/openapi-contract";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";
import { verifyAsDocumented } from "./support/documented-signature";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

let upstream: ScriptedUpstream;
let receiver: WebhookReceiver;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme", { agent: { instructions: "You handle tasks." } });
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  const bob = await createMember(db, acme.org.id, "bob@acme.test");
  const globex = await createTenant(db, "Globex");
  const mallory = await createMember(db, globex.org.id, "mallory@globex.test");
  const capped = await createTenant(db, "Capped");
  await db.update(tables.organisations).set({ monthlyMessageLimit: 2 }).where(eq(tables.organisations.id, capped.org.id));
  const tokens = await createTenant(db, "Tokens");
  await db.update(tables.organisations).set({ monthlyTokenLimit: 10 }).where(eq(tables.organisations.id, tokens.org.id));
  const byok = await createTenant(db, "Byok");
  await db.update(tables.organisations).set({ billingMode: "byok" }).where(eq(tables.organisations.id, byok.org.id));
  const expiredKey = await createKey(db, {
    orgId: acme.org.id,
    name: "expired",
    createdByUserId: alice.userId,
    expiresAt: new Date("2024-01-31T00:00:00Z"),
  });
  return { acme, alice, bob, globex, mallory, capped, tokens, byok, expiredKey: expiredKey.secret };
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  options: { token?: string; key?: string; body?: unknown; raw?: string; app?: RunningApp } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.key) headers["X-Api-Key"] = options.key;
  const response = await fetch(`${(options.app ?? world.app).url}${path}`, {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const code = (reply: Reply) => (reply.body.error as { code?: string } | undefined)?.code;

async function newKey(token: string, body: Record<string, unknown> = {}) {
  const reply = await call("POST", "/api/api-keys", { token, body: { label: "Integration", ...body } });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body as { id: string; key: string; signing_secret: string };
}

async function pollTask(
  token: string,
  key: string,
  id: string,
  done: (task: Reply["body"]) => boolean,
  timeoutMs = 15_000,
): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await call("GET", `/api/agent/${id}`, { token, key });
    if (done(reply.body) || Date.now() > deadline) return reply;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function waitForStatus(token: string, key: string, id: string, statuses: string[], timeoutMs?: number): Promise<Reply> {
  return pollTask(token, key, id, (task) => statuses.includes(String(task.status)), timeoutMs);
}

/** The receiver sees a webhook a moment before the task records its delivery. */
function waitForDelivery(token: string, key: string, id: string): Promise<Reply> {
  return pollTask(token, key, id, (task) => (task.webhook as { status?: string } | undefined)?.status === "delivered");
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  receiver = await startWebhookReceiver();
  world = await startWorld({
    seed,
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_MODEL: "scripted-model",
      MODEL_MAX_RETRIES: "0",
      TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
      JOB_RETRY_BASE_MS: "50",
      WEBHOOK_TIMEOUT_MS: "2000",
      JOB_LEASE_MS: "3000",
      KEY_CACHE_TTL_MS: "0",
      // Each scripted call (12 + 6 tokens) costs 0.18 cents; a reservation assumes 20 output tokens.
      MODEL_PRICES: JSON.stringify({ "scripted-model": { input: 10_000, output: 10_000 } }),
      BUDGET_RESERVE_OUTPUT_TOKENS: "20",
      TRUST_PROXY_HOPS: "1",
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
  await receiver?.close();
});

beforeEach(() => {
  upstream.reset();
  receiver.received.length = 0;
  receiver.setFallback({ status: 200 });
});

describe("key management /api/api-keys", () => {
  it("creates a key (shown once, with its signing secret), lists, updates, shows usage and revokes it", async () => {
    const { alice } = world.seeded;
    const created = await newKey(alice.token, { response_url: receiver.url, budget_usd_cents: 5000, budget_period: "monthly" });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^key_/),
      key: expect.stringMatching(/^cdt_/),
      signing_secret: expect.stringMatching(/^whsec_/),
      label: "Integration",
      response_url: receiver.url,
      budget_usd_cents: 5000,
      budget_period: "monthly",
    });
    const listed = await call("GET", "/api/api-keys", { token: alice.token });
    const entries = listed.body.data as Array<Record<string, unknown>>;
    expect(entries.map((entry) => entry.id)).toContain(created.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
    expect(JSON.stringify(listed.body)).not.toContain(created.signing_secret);

    const updated = await call("PUT", `/api/api-keys/${created.id}`, {
      token: alice.token,
      body: { label: "CRM", budget_usd_cents: null },
    });
    expect(updated.body).toMatchObject({
      label: "CRM",
      budget_usd_cents: null,
      budget_period: null,
      usage: { spent_usd_cents: 0, requests: 0, remaining_usd_cents: null },
    });

    const revoked = await call("DELETE", `/api/api-keys/${created.id}`, { token: alice.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    const refused = await call("POST", "/api/agent", { token: alice.token, key: created.key, body: { message: "hi" } });
    expect(refused.status).toBe(403);
    expect(code(refused)).toBe("KEY_REVOKED");
  });

  it("keeps keys to their owner: 403 for a colleague, 404 for another organisation, 401 without a token, 422 for bad input", async () => {
    const { alice, bob, mallory } = world.seeded;
    const created = await newKey(alice.token);
    const colleague = await call("GET", `/api/api-keys/${created.id}`, { token: bob.token });
    expect(colleague.status).toBe(403);
    expect(code(colleague)).toBe("KEY_OWNER_MISMATCH");
    const stranger = await call("GET", `/api/api-keys/${created.id}`, { token: mallory.token });
    expect(stranger.status).toBe(404);
    expect(code(stranger)).toBe("NOT_FOUND");
    const anonymous = await call("GET", "/api/api-keys");
    expect(anonymous.status).toBe(401);
    expect(code(anonymous)).toBe("UNAUTHENTICATED");
    const invalid = await call("POST", "/api/api-keys", { token: alice.token, body: { budget_period: "weekly", response_url: "ftp://x" } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatchObject({ code: "VALIDATION_ERROR", message: expect.stringMatching(/budget_period/) });
  });
});

describe("key management, as a client sends it", () => {
  it("creates a key from a POST with no body at all, as if it were {}", async () => {
    const { alice } = world.seeded;
    const response = await fetch(`${world.app.url}/api/api-keys`, { method: "POST", headers: { Authorization: `Bearer ${alice.token}` } });
    const text = await response.text();
    expectDocumented("POST", "/api/api-keys", response, text);
    expect(response.status, text).toBe(201);
    expect(JSON.parse(text)).toMatchObject({
      key: expect.stringMatching(/^cdt_/),
      signing_secret: expect.stringMatching(/^whsec_/),
      label: "API key",
      agent_ids: null,
      budget_usd_cents: null,
      response_url: null,
    });
  });

  it("reports an expired key as expired, not as revoked, on every surface", async () => {
    const { alice, acme, expiredKey } = world.seeded;
    const task = await call("POST", "/api/agent", { token: alice.token, key: expiredKey, body: { message: "hi" } });
    expect(task.status).toBe(401);
    expect(task.body).toEqual({ error: { code: "KEY_EXPIRED", message: "This API key expired at 2024-01-31T00:00:00.000Z" } });
    const chat = await fetch(`${world.app.url}/api/v1/chat`, {
      method: "POST",
      headers: { Authorization: `Bearer ${expiredKey}` },
      body: JSON.stringify({ employee_id: acme.agent.id, prompt: "hi" }),
    });
    expect(chat.status).toBe(401);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe("KEY_EXPIRED");
    const generate = await fetch(`${world.app.url}/api/v1/agents/${acme.agent.publicId}/generate`, {
      method: "POST",
      headers: { Authorization: `Bearer ${expiredKey}` },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    });
    expect(generate.status).toBe(401);
    expect(await generate.json()).toEqual({ error: "This API key expired at 2024-01-31T00:00:00.000Z" });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("POST /api/agent and GET /api/agent/{uuid}", () => {
  it("accepts a task (202), resolves it and delivers a signed webhook that the documented snippet verifies", async () => {
    const { alice } = world.seeded;
    const key = await newKey(alice.token, { response_url: receiver.url });
    upstream.script({ content: "Contact created: John Smith, Acme Corp." });
    const accepted = await call("POST", "/api/agent", {
      token: alice.token,
      key: key.key,
      body: {
        message: "Create a contact for John Smith at Acme Corp",
        context: { entity_type: "contact", action: "create" },
        metadata: { source: "crm" },
      },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({
      conversation_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: "accepted",
      message: "Your request has been queued.",
    });
    const id = accepted.body.conversation_uuid as string;

    const [webhook] = await receiver.waitFor(1);
    expect(() => verifyAsDocumented(key.signing_secret, webhook!.rawBody, { headers: webhook!.headers })).not.toThrow();
    expect(() => verifyAsDocumented("whsec_wrong", webhook!.rawBody, { headers: webhook!.headers })).toThrow("Invalid signature");
    expect(webhook!.headers["x-conversation-uuid"]).toBe(id);
    expect(JSON.parse(webhook!.rawBody.toString())).toEqual({
      conversation_uuid: id,
      status: "resolved",
      response: "Contact created: John Smith, Acme Corp.",
    });
    expect(TaskReplyWebhook.safeParse(JSON.parse(webhook!.rawBody.toString())).error).toBeUndefined();

    const prompt = JSON.stringify((upstream.requests[0]!.body as { messages: unknown[] }).messages);
    expect(prompt).toContain("Create a contact for John Smith");
    expect(prompt).toContain("entity_type: contact");

    const polled = await waitForDelivery(alice.token, key.key, id);
    expect(polled.body).toMatchObject({
      conversation_uuid: id,
      status: "resolved",
      turns: [
        { role: "user", payload: { message: "Create a contact for John Smith at Acme Corp" }, timestamp: expect.any(String) },
        { role: "agent", payload: { content: "Contact created: John Smith, Acme Corp." }, timestamp: expect.any(String) },
      ],
      webhook: { status: "delivered", delivered_at: expect.any(String) },
      resolved_at: expect.any(String),
    });
    const created = Date.parse(polled.body.created_at as string);
    expect(Date.parse(polled.body.expires_at as string) - created).toBe(24 * 60 * 60 * 1000);
  });

  it("retries a webhook that fails twice and shows every attempt in the poll response", async () => {
    const { alice } = world.seeded;
    const key = await newKey(alice.token, { response_url: receiver.url });
    receiver.script({ status: 500 }, { status: 500 });
    const accepted = await call("POST", "/api/agent", {
      token: alice.token,
      key: key.key,
      body: { message: "Find all contacts from London" },
    });
    const deliveries = await receiver.waitFor(3, 15_000);
    const bodies = deliveries.map((delivery) => delivery.rawBody.toString());
    expect(new Set(bodies).size).toBe(1);
    expect(new Set(deliveries.map((delivery) => delivery.headers["x-webhook-id"])).size).toBe(1);
    const id = accepted.body.conversation_uuid as string;
    const polled = await waitForDelivery(alice.token, key.key, id);
    expect(polled.body.status).toBe("resolved");
    const webhook = polled.body.webhook as { status: string; attempts: Array<{ status: number }> };
    expect(webhook.status).toBe("delivered");
    expect(webhook.attempts.map((attempt) => attempt.status)).toEqual([500, 500, 200]);
  });

  it("fails a task after retries and says so, by poll and by webhook", async () => {
    const { alice } = world.seeded;
    const key = await newKey(alice.token, { response_url: receiver.url });
    upstream.script({ status: 500 }, { status: 500 }, { status: 500 });
    const accepted = await call("POST", "/api/agent", { token: alice.token, key: key.key, body: { message: "Summarise the Q1 report" } });
    const id = accepted.body.conversation_uuid as string;
    const polled = await waitForStatus(alice.token, key.key, id, ["failed"]);
    expect(polled.body).toMatchObject({ status: "failed", resolved_at: null });
    expect(upstream.requests).toHaveLength(3);
    const [webhook] = await receiver.waitFor(1);
    expect(JSON.parse(webhook!.rawBody.toString())).toEqual({
      conversation_uuid: id,
      status: "failed",
      error: "An error occurred while processing your request.",
    });
    expect(TaskReplyWebhook.safeParse(JSON.parse(webhook!.rawBody.toString())).error).toBeUndefined();
  });

  it("answers every documented error code in the { error: { code, message } } envelope", async () => {
    const { alice, bob } = world.seeded;
    const mine = await newKey(alice.token);
    const bobs = await newKey(bob.token);
    const cases: Array<[Reply, number, string]> = [
      [await call("POST", "/api/agent", { key: mine.key, body: { message: "hi" } }), 401, "UNAUTHENTICATED"],
      [await call("POST", "/api/agent", { token: "cdtu_wrong", key: mine.key, body: { message: "hi" } }), 401, "UNAUTHENTICATED"],
      [await call("POST", "/api/agent", { token: alice.token, body: { message: "hi" } }), 401, "INVALID_API_KEY"],
      [await call("POST", "/api/agent", { token: alice.token, key: "sois_not_a_key", body: { message: "hi" } }), 401, "INVALID_API_KEY"],
      [await call("POST", "/api/agent", { token: alice.token, key: bobs.key, body: { message: "hi" } }), 403, "KEY_OWNER_MISMATCH"],
      [await call("GET", "/api/agent/6cafd8ba-dd51-4411-808e-671d1dd59561", { token: alice.token, key: mine.key }), 404, "NOT_FOUND"],
      [await call("GET", "/api/agent/not-a-uuid", { token: alice.token, key: mine.key }), 404, "NOT_FOUND"],
      [
        await call("POST", "/api/agent", { token: alice.token, key: mine.key, body: { message: "x".repeat(10_001) } }),
        422,
        "VALIDATION_ERROR",
      ],
      [await call("POST", "/api/agent", { token: alice.token, key: mine.key, body: { context: {} } }), 422, "VALIDATION_ERROR"],
      [await call("POST", "/api/agent", { token: alice.token, key: mine.key, raw: "{oops" }), 422, "VALIDATION_ERROR"],
    ];
    for (const [reply, status, expected] of cases) {
      expect(reply.status, JSON.stringify(reply.body)).toBe(status);
      expect(reply.body).toEqual({ error: { code: expected, message: expect.any(String) } });
    }
    // Another user's task is not found, even in the same organisation.
    upstream.script({ content: "done" });
    const task = await call("POST", "/api/agent", { token: alice.token, key: mine.key, body: { message: "hi" } });
    const peek = await call("GET", `/api/agent/${task.body.conversation_uuid as string}`, { token: bob.token, key: bobs.key });
    expect(peek.status).toBe(404);
    // Let the task finish here, so its model call cannot land in the next test.
    await waitForStatus(alice.token, mine.key, task.body.conversation_uuid as string, ["resolved"]);
  });
});

describe("budgets", () => {
  it("refuses with 429 BUDGET_EXCEEDED once spent, on the task gateway, chat and generate", async () => {
    const { alice, acme } = world.seeded;
    const key = await newKey(alice.token, { budget_usd_cents: 0, budget_period: "total" });
    const task = await call("POST", "/api/agent", { token: alice.token, key: key.key, body: { message: "hi" } });
    expect(task.status).toBe(429);
    expect(task.body.error).toMatchObject({ code: "BUDGET_EXCEEDED", message: expect.stringMatching(/budget/) });
    const chat = await fetch(`${world.app.url}/api/agents/${acme.agent.id}/chat`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key.key}` },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    });
    expect(chat.status).toBe(429);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe("BUDGET_EXCEEDED");
    const generate = await fetch(`${world.app.url}/api/v1/agents/${acme.agent.publicId}/generate`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key.key}` },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    });
    expect(generate.status).toBe(429);
    expect(upstream.requests).toHaveLength(0);
  });

  it("refuses a task at the door (429) once the key cannot pay for its first call: accepted tasks never fail for budget", async () => {
    const { alice } = world.seeded;
    const key = await newKey(alice.token, { budget_usd_cents: 1, budget_period: "total" });
    const usage = async () =>
      (await call("GET", `/api/api-keys/${key.id}`, { token: alice.token })).body.usage as {
        reserved_usd_cents: number;
        remaining_usd_cents: number;
      };
    let accepted = 0;
    let refused: Reply | null = null;
    for (let i = 0; i < 10 && !refused; i++) {
      upstream.script({ content: `Done ${i}.` });
      const reply = await call("POST", "/api/agent", { token: alice.token, key: key.key, body: { message: "Summarise the Q1 report" } });
      if (reply.status === 429) {
        refused = reply;
        break;
      }
      expect(reply.status, JSON.stringify(reply.body)).toBe(202);
      accepted++;
      const done = await waitForStatus(alice.token, key.key, reply.body.conversation_uuid as string, ["resolved", "failed"]);
      expect(done.body.status).toBe("resolved");
      // The charge lands just after the reply; until then the call's reservation holds the money.
      for (let wait = 0; wait < 50 && (await usage()).reserved_usd_cents > 0; wait++) await new Promise((r) => setTimeout(r, 100));
    }
    expect(accepted).toBeGreaterThanOrEqual(1);
    expect(refused?.body).toEqual({ error: { code: "BUDGET_EXCEEDED", message: expect.stringContaining("$0.01 in total") } });
    // A budget that never resets says so by promising nothing.
    expect((refused!.body.error as { message: string }).message).not.toMatch(/reset/i);
    // Refused with money left: less than one call costs, not nothing.
    expect((await usage()).remaining_usd_cents).toBeGreaterThan(0);
    expect(upstream.requests).toHaveLength(accepted);
    if (world.db) {
      const [row] = await world.db.select({ id: tables.apiKeys.id }).from(tables.apiKeys).where(eq(tables.apiKeys.publicId, key.id));
      const stored = await world.db
        .select({ id: tables.agentTasks.id })
        .from(tables.agentTasks)
        .where(eq(tables.agentTasks.apiKeyId, row!.id));
      expect(stored).toHaveLength(accepted);
    }
  });

  it("never overspends by more than one reservation under 100 concurrent requests", async () => {
    const { alice, acme } = world.seeded;
    const key = await newKey(alice.token, { budget_usd_cents: 1, budget_period: "daily" });
    const statuses = await Promise.all(
      Array.from({ length: 100 }, () =>
        fetch(`${world.app.url}/api/v1/chat`, {
          method: "POST",
          headers: { Authorization: `Bearer ${key.key}`, "X-Forwarded-For": "2001:db8::b0b" },
          body: JSON.stringify({ employee_id: acme.agent.id, prompt: "Hi" }),
        }).then(async (response) => ({ status: response.status, body: (await response.json()) as { error?: { code: string } } })),
      ),
    );
    const ok = statuses.filter((reply) => reply.status === 200).length;
    const refused = statuses.filter((reply) => reply.status === 429 && reply.body.error?.code === "BUDGET_EXCEEDED").length;
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(ok + refused).toBe(100);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const details = await call("GET", `/api/api-keys/${key.id}`, { token: alice.token });
    const usage = details.body.usage as { spent_usd_cents: number; reserved_usd_cents: number; requests: number };
    expect(usage.requests).toBe(ok);
    expect(usage.reserved_usd_cents).toBe(0);
    // Budget 1 cent; one reservation is (2 prompt + 20 output tokens) × 0.01 cent = 0.22 cents.
    expect(usage.spent_usd_cents).toBeLessThanOrEqual(1 + 0.22);
    expect(usage.spent_usd_cents).toBeCloseTo(ok * 0.18, 5);
  });
});

describe("organisation settings /api/organisation", () => {
  it("lets an admin switch the API channel and set plan limits", async () => {
    const { alice, acme } = world.seeded;
    const current = await call("GET", "/api/organisation", { token: alice.token });
    expect(current.body).toMatchObject({ id: acme.org.id, api_channel_enabled: true, billing_mode: "hosted", monthly_message_limit: null });
    const off = await call("PUT", "/api/organisation", { token: alice.token, body: { api_channel_enabled: false } });
    expect(off.body).toMatchObject({ api_channel_enabled: false });
    try {
      const health = await fetch(`${world.app.url}/api/v1/health`, { headers: { Authorization: `Bearer ${acme.key}` } });
      expect(health.status).toBe(403);
    } finally {
      await call("PUT", "/api/organisation", { token: alice.token, body: { api_channel_enabled: true } });
    }
    expect((await call("PUT", "/api/organisation", { token: alice.token, body: { monthly_message_limit: -1 } })).status).toBe(422);
    expect((await call("GET", "/api/organisation")).status).toBe(401);
  });
});

describe("plan limits", () => {
  it("429 MESSAGE_LIMIT_REACHED past the monthly message cap", async () => {
    const { capped } = world.seeded;
    const send = () =>
      fetch(`${world.app.url}/api/agents/${capped.agent.id}/chat`, {
        method: "POST",
        headers: { Authorization: `Bearer ${capped.key}` },
        body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
      });
    expect((await send()).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await send()).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const third = await send();
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe("MESSAGE_LIMIT_REACHED");
  });

  it("429 TOKEN_LIMIT_REACHED past the monthly token ceiling", async () => {
    const { tokens } = world.seeded;
    const send = () =>
      fetch(`${world.app.url}/api/v1/chat`, {
        method: "POST",
        headers: { Authorization: `Bearer ${tokens.key}` },
        body: JSON.stringify({ employee_id: tokens.agent.id, prompt: "hi" }),
      });
    expect((await send()).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await send();
    expect(second.status).toBe(429);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe("TOKEN_LIMIT_REACHED");
  });

  it("an organisation that brings its own keys gets an explicit error when its agent has none", async () => {
    const { byok } = world.seeded;
    const response = await fetch(`${world.app.url}/api/v1/chat`, {
      method: "POST",
      headers: { Authorization: `Bearer ${byok.key}` },
      body: JSON.stringify({ employee_id: byok.agent.id, prompt: "hi" }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("PROVIDER_KEY_MISSING");
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("durability", () => {
  it("a task killed mid-run (SIGKILL) is finished after restart and delivered once", async ({ skip }) => {
    if (world.backend === "pglite") return skip("a killed process may leave PGlite's files mid-write");
    const { alice } = world.seeded;
    const key = await newKey(alice.token, { response_url: receiver.url });
    upstream.script({ hang: true }, { content: "Finished after the restart." });
    const accepted = await call("POST", "/api/agent", { token: alice.token, key: key.key, body: { message: "Long job" } });
    const deadline = Date.now() + 10_000;
    while (upstream.requests.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(upstream.requests).toHaveLength(1);
    await world.app.stop("SIGKILL");
    await world.app.restart();
    const id = accepted.body.conversation_uuid as string;
    const polled = await waitForStatus(alice.token, key.key, id, ["resolved", "failed"], 20_000);
    expect(polled.body.status).toBe("resolved");
    const received = await receiver.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(received[0]!.rawBody.toString())).toMatchObject({ status: "resolved", response: "Finished after the restart." });
  });

  it("expires a conversation after 24 hours and resets a daily budget the next day (clock moved forward)", async () => {
    const { alice, acme } = world.seeded;
    const key = await newKey(alice.token);
    upstream.script({ content: "ok" });
    const accepted = await call("POST", "/api/agent", { token: alice.token, key: key.key, body: { message: "soon gone" } });
    const id = accepted.body.conversation_uuid as string;
    await waitForStatus(alice.token, key.key, id, ["resolved"]);

    // A daily budget of 1 cent lasts about five calls (0.18 cents each), then refuses until tomorrow.
    const daily = await newKey(alice.token, { budget_usd_cents: 1, budget_period: "daily" });
    const ask = () =>
      fetch(`${world.app.url}/api/v1/chat`, {
        method: "POST",
        headers: { Authorization: `Bearer ${daily.key}` },
        body: JSON.stringify({ employee_id: acme.agent.id, prompt: "Hi" }),
      }).then((response) => response.status);
    const statuses: number[] = [];
    for (let i = 0; i < 8 && !statuses.includes(429); i++) {
      statuses.push(await ask());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(statuses.at(-1)).toBe(429);

    world.app.env.CLOCK_OFFSET_MS = String(24 * 60 * 60 * 1000 + 1000);
    await world.app.restart();
    try {
      const expired = await call("GET", `/api/agent/${id}`, { token: alice.token, key: key.key });
      expect(expired.status).toBe(404);
      expect(code(expired)).toBe("NOT_FOUND");
      expect(await ask()).toBe(200);
    } finally {
      world.app.env.CLOCK_OFFSET_MS = "0";
      await world.app.restart();
    }
  }, 90_000);

  it("signs with HMAC-SHA256 of the raw body, which the documented Python snippet verifies too", async () => {
    const { alice } = world.seeded;
    const key = await newKey(alice.token, { response_url: receiver.url });
    upstream.script({ content: "ünïcödé ✓" });
    await call("POST", "/api/agent", { token: alice.token, key: key.key, body: { message: "unicode please" } });
    const [webhook] = await receiver.waitFor(1);
    expect(webhook!.headers["x-signature"]).toBe(createHmac("sha256", key.signing_secret).update(webhook!.rawBody).digest("hex"));
    expect(webhook!.headers["content-type"]).toContain("application/json");

    // The Python snippet from the gateway docs, verbatim, fed the secret, raw body and header.
    const python = [
      "import sys, json",
      "your_signing_secret, raw_request_body, signature = json.load(sys.stdin)",
      "class R: headers = {'X-Signature': signature}",
      "request = R()",
      "import hmac, hashlib",
      "",
      "expected = hmac.new(",
      "    key=your_signing_secret.encode(),",
      "    msg=raw_request_body.encode(),",
      "    digestmod=hashlib.sha256",
      ").hexdigest()",
      "",
      "assert expected == request.headers['X-Signature']",
    ].join("\n");
    const { spawnSync } = await import("node:child_process");
    const verify = (secret: string) =>
      spawnSync("python3", ["-c", python], {
        input: JSON.stringify([secret, webhook!.rawBody.toString("utf8"), webhook!.headers["x-signature"]]),
      }).status;
    expect(verify(key.signing_secret)).toBe(0);
    expect(verify("whsec_wrong")).not.toBe(0);
  });
});

describe("with the key cache on: revoking a token and rotating a key do not wait for it", () => {
  async function seedCached(db: Db) {
    const acme = await createTenant(db, "Acme");
    const second = await createAgent(db, { orgId: acme.org.id, name: "Second agent" });
    const alice = await createMember(db, acme.org.id, "alice@acme.test");
    const bob = await createMember(db, acme.org.id, "bob@acme.test", "member");
    const globex = await createTenant(db, "Globex");
    const { secret: expiredToken } = await createUserToken(db, {
      userId: alice.userId,
      orgId: acme.org.id,
      name: "old laptop",
      expiresAt: new Date("2024-01-31T00:00:00Z"),
    });
    return { acme, second, alice, bob, globex, expiredToken };
  }
  let cached: World<Awaited<ReturnType<typeof seedCached>>>;

  beforeAll(async () => {
    // Ten minutes: anything that takes effect during a test went past the cache on purpose.
    cached = await startWorld({ seed: seedCached, env: { KEY_CACHE_TTL_MS: "600000" } });
  });

  afterAll(async () => {
    await cached?.close();
  });

  const chat = (agentId: string, key: string) =>
    fetch(`${cached.app.url}/api/agents/${agentId}/chat`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}` },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    }).then((response) => response.status);

  it("personal access tokens: created (shown once), listed without secrets, only your own, revoked at once", async () => {
    const { alice, bob, expiredToken } = cached.seeded;
    const app = cached.app;
    const created = await call("POST", "/api/personal-tokens", {
      app,
      token: alice.token,
      body: { name: "CI", expires_at: "2099-01-01T00:00:00Z" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const token = created.body.token as string;
    expect(created.body).toEqual({
      id: expect.stringMatching(/^pat_/),
      name: "CI",
      token: expect.stringMatching(/^cdtu_/),
      start: token.slice(0, 9),
      last4: token.slice(-4),
      created_at: expect.any(String),
      last_used_at: null,
      expires_at: "2099-01-01T00:00:00.000Z",
      revoked_at: null,
    });
    // It works like any personal access token (and is now in this instance's cache).
    expect((await call("GET", "/api/api-keys", { app, token })).status).toBe(200);

    const listed = await call("GET", "/api/personal-tokens", { app, token: alice.token });
    const entries = listed.body.data as Array<{ id: string; name: string }>;
    expect(entries.map((entry) => entry.name)).toEqual(["test token", "old laptop", "CI"]);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(JSON.stringify(listed.body)).not.toContain(alice.token);

    // A colleague neither sees nor revokes it.
    expect((await call("GET", `/api/personal-tokens/${created.body.id as string}`, { app, token: bob.token })).status).toBe(404);
    expect((await call("DELETE", `/api/personal-tokens/${created.body.id as string}`, { app, token: bob.token })).status).toBe(404);
    const bobs = (await call("GET", "/api/personal-tokens", { app, token: bob.token })).body.data as Array<{ id: string }>;
    expect(bobs.map((entry) => entry.id)).not.toContain(created.body.id);

    const revoked = await call("DELETE", `/api/personal-tokens/${created.body.id as string}`, { app, token: alice.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: created.body.id, revoked_at: expect.any(String) });
    expect(revoked.body).not.toHaveProperty("token");
    const refused = await call("GET", "/api/api-keys", { app, token });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: { code: "UNAUTHENTICATED", message: "Invalid access token" } });

    const expired = await call("GET", "/api/personal-tokens", { app, token: expiredToken });
    expect(expired.body).toEqual({
      error: { code: "UNAUTHENTICATED", message: "This access token expired at 2024-01-31T00:00:00.000Z" },
    });
    const past = await call("POST", "/api/personal-tokens", { app, token: alice.token, body: { expires_at: "2001-01-01T00:00:00Z" } });
    expect(past.status).toBe(422);
    expect(past.body.error).toMatchObject({ code: "VALIDATION_ERROR", message: expect.stringMatching(/expires_at/) });
  });

  it("keys limited to agents of your organisation, then rotated: the new secret once, the old one refused at once, budget and spend kept", async () => {
    const { alice, acme, second, globex } = cached.seeded;
    const app = cached.app;
    const keyCount = async () => ((await call("GET", "/api/api-keys", { app, token: alice.token })).body.data as unknown[]).length;
    const before = await keyCount();
    const foreign = await call("POST", "/api/api-keys", { app, token: alice.token, body: { agent_ids: [globex.agent.publicId] } });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error).toMatchObject({ code: "VALIDATION_ERROR", message: expect.stringContaining(globex.agent.publicId) });
    expect(await keyCount()).toBe(before);

    const created = await call("POST", "/api/api-keys", {
      app,
      token: alice.token,
      body: { label: "Support bot", agent_ids: [acme.agent.publicId], budget_usd_cents: 500, budget_period: "monthly" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ agent_ids: [acme.agent.publicId] });
    const { id, key } = created.body as { id: string; key: string };
    expect(await chat(acme.agent.id, key)).toBe(200);
    expect(await chat(second.id, key)).toBe(403);

    // Moved to the other agent, named by its UUID this time.
    const moved = await call("PUT", `/api/api-keys/${id}`, { app, token: alice.token, body: { agent_ids: [second.id] } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ agent_ids: [second.publicId], budget_usd_cents: 500 });
    expect(await chat(second.id, key)).toBe(200);
    expect(await chat(acme.agent.id, key)).toBe(403);

    const usage = async (requests: number) => {
      // Charges land just after each reply.
      for (let i = 0; i < 50; i++) {
        const details = await call("GET", `/api/api-keys/${id}`, { app, token: alice.token });
        const current = details.body.usage as { requests: number; spent_usd_cents: number };
        if (current.requests === requests) return current;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the key's ${requests} requests were never all charged`);
    };
    const spentBefore = await usage(2);
    expect(spentBefore.spent_usd_cents).toBeGreaterThan(0);

    const rotated = await call("POST", `/api/api-keys/${id}/rotate`, { app, token: alice.token });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const fresh = rotated.body.key as string;
    expect(rotated.body).toMatchObject({
      id,
      label: "Support bot",
      agent_ids: [second.publicId],
      budget_usd_cents: 500,
      budget_period: "monthly",
      last4: fresh.slice(-4),
    });
    expect(fresh).toMatch(/^cdt_/);
    expect(fresh).not.toBe(key);
    expect(rotated.body).not.toHaveProperty("signing_secret");
    // This instance had the old secret cached a moment ago: it is refused all the same.
    expect(await chat(second.id, key)).toBe(401);
    expect(await chat(second.id, fresh)).toBe(200);
    const spentAfter = await usage(3);
    expect(spentAfter.spent_usd_cents).toBeGreaterThanOrEqual(spentBefore.spent_usd_cents);
    const listed = await call("GET", "/api/api-keys", { app, token: alice.token });
    expect(JSON.stringify(listed.body)).not.toContain(fresh);
  });
});
