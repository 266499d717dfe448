/**
 * Money under attack: concurrent callers against a nearly spent key, a model that reports huge
 * usage, callers that abandon streams, a process killed with reservations in flight, a plan
 * with a few messages left, and agent-to-agent calls that try to leave a key's scope.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "@/lib/agents";
import { tables, type Db } from "@/lib/db";
import { createTool } from "@/lib/tools/store";
import { startWorld, type World } from "../support/app";
import { createBudgetedKey, createKey, createMember, createTenant } from "../support/fixtures";
import { startScriptedUpstream, type ScriptedUpstream, type ScriptStep } from "../support/scripted-upstream";

/** µ¢ per token: 1,000 tokens spend a 1-cent budget. */
const PRICE = 1_000;
const BUDGET_CENTS = 1;
/** Output tokens a call reserves when the budget allows: about 12 calls fit in the budget. */
const RESERVE_OUTPUT_TOKENS = 50;
/** Short, so reservations of a killed process lapse soon; long enough for 100 calls on a busy machine. */
const RUN_TIMEOUT_MS = 15_000;
/** A budget worth about 180 calls: far enough from its limit at first for reservations to be made ahead. */
const BUSY_BUDGET_CENTS = 12;
/** Short, so what is held ahead and left unused is given back within the test. */
const RESERVE_AHEAD_MS = 2_000;

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;

/** A key with a 1-cent budget, owned by `userId` so the key details API shows its spend. */
async function budgetedKey(db: Db, orgId: string, userId: string, name: string, budgetUsdCents = BUDGET_CENTS) {
  // Its rate limit far above the calls made: only the budget refuses them.
  const key = await createBudgetedKey(db, {
    orgId,
    name,
    createdByUserId: userId,
    rateLimitPerMinute: 10_000,
    budgetUsdCents,
    budgetPeriod: "total",
  });
  return { secret: key.secret, id: key.publicId, uuid: key.id };
}

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  const keys = {
    concurrent: await budgetedKey(db, acme.org.id, alice.userId, "concurrent"),
    greedy: await budgetedKey(db, acme.org.id, alice.userId, "greedy"),
    stream: await budgetedKey(db, acme.org.id, alice.userId, "stream"),
    crash: await budgetedKey(db, acme.org.id, alice.userId, "crash"),
    busy: await budgetedKey(db, acme.org.id, alice.userId, "busy", BUSY_BUDGET_CENTS),
  };

  const limited = await createTenant(db, "Limited");
  await db.update(tables.organisations).set({ monthlyMessageLimit: 5 }).where(eq(tables.organisations.id, limited.org.id));

  // Agent X may call agent Y (acme.agent) through a soat tool; the scoped key may only use X.
  const askY = await createTool(db, acme.org.id, {
    name: "ask-y",
    type: "soat",
    description: null,
    parameters: null,
    execute: null,
    mcp: null,
    a2a: null,
    actions: ["agents:CreateAgentGeneration"],
    presetParameters: { agent_id: acme.agent.id },
    gated: false,
  });
  const agentX = await createAgent(db, { orgId: acme.org.id, name: "X" });
  await db.insert(tables.agentTools).values({ agentId: agentX.id, toolId: askY.id, position: 0 });
  const scoped = await createKey(db, { orgId: acme.org.id, name: "only X", agentIds: [agentX.id] });
  return { acme, alice, keys, limited, agentX, scoped };
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  world = await startWorld({
    seed,
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_MODEL: "scripted-model",
      MODEL_MAX_RETRIES: "0",
      KEY_CACHE_TTL_MS: "0",
      RUN_TIMEOUT_MS: String(RUN_TIMEOUT_MS),
      MODEL_PRICES: JSON.stringify({ "scripted-model": { input: PRICE, output: PRICE } }),
      BUDGET_RESERVE_OUTPUT_TOKENS: String(RESERVE_OUTPUT_TOKENS),
      BUDGET_RESERVE_AHEAD_MS: String(RESERVE_AHEAD_MS),
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}`, "Content-Type": "application/json" });

/** Spend as the key details API reports it (in cents). */
async function spendOf(keyId: string) {
  const response = await fetch(`${world.app.url}/api/api-keys/${keyId}`, { headers: bearer(world.seeded.alice.token) });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { usage: { spent_usd_cents: number; reserved_usd_cents: number; requests: number } };
  return body.usage;
}

/** One call through a paid door; resolves to its status once the whole body is read. */
function callDoor(door: number, key: string, agentId: string): Promise<number> {
  const send = (path: string, body: unknown) =>
    fetch(`${world.app.url}${path}`, { method: "POST", headers: bearer(key), body: JSON.stringify(body) }).then(async (response) => {
      await response.text();
      return response.status;
    });
  const messages = [{ role: "user", content: "Spend it all" }];
  switch (door % 4) {
    case 0:
      return send(`/api/agents/${agentId}/chat`, { messages });
    case 1:
      return send(`/api/agents/${agentId}/chat`, { messages, stream: true });
    case 2:
      return send("/api/v1/chat", { employee_id: agentId, prompt: "Spend it all" });
    default:
      return send(`/api/v1/agents/${agentId}/generate`, { messages });
  }
}

const huge: ScriptStep = { usage: { prompt_tokens: 40, completion_tokens: 1_000_000 } };

describe("budgets", () => {
  it("hold under 100 concurrent calls on every paid door, with max_tokens sent and huge usage reported", async () => {
    const { acme, keys } = world.seeded;
    upstream.script(...Array.from({ length: 100 }, () => huge));
    const statuses = await Promise.all(Array.from({ length: 100 }, (_, i) => callDoor(i, keys.concurrent.secret, acme.agent.id)));
    const succeeded = statuses.filter((status) => status === 200).length;
    expect(
      statuses.every((status) => status === 200 || status === 429),
      statuses.join(","),
    ).toBe(true);
    expect(succeeded).toBeGreaterThan(0);
    // Only calls that got a reservation reached the model, each asked for what it could pay for.
    expect(upstream.requests).toHaveLength(succeeded);
    for (const request of upstream.requests) {
      expect((request.body as { max_tokens?: number }).max_tokens).toBeGreaterThan(0);
      expect((request.body as { max_tokens?: number }).max_tokens).toBeLessThanOrEqual(RESERVE_OUTPUT_TOKENS);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const usage = await spendOf(keys.concurrent.id);
    expect(usage.spent_usd_cents).toBeLessThanOrEqual(BUDGET_CENTS);
    expect(usage.spent_usd_cents).toBeGreaterThan(0);
    expect(usage.reserved_usd_cents).toBe(0);
    // The API rounds to hundredths of a cent; the database holds the exact figure.
    const [exact] = world.db ? await world.db.select().from(tables.keySpend).where(eq(tables.keySpend.apiKeyId, keys.concurrent.uuid)) : [];
    if (exact) expect(exact.spentMicrocents).toBeLessThanOrEqual(BUDGET_CENTS * 1_000_000);
    console.info(
      `budgets: ${succeeded} of 100 concurrent calls ran; spent ${exact?.spentMicrocents ?? usage.spent_usd_cents * 1_000_000} of ${BUDGET_CENTS * 1_000_000} micro-cents`,
    );
  });

  it("hold while a busy key runs down to its limit, from reserving ahead to reserving each call", async () => {
    const { acme, keys } = world.seeded;
    const waves = 5;
    const perWave = 50;
    upstream.script(...Array.from({ length: waves * perWave }, () => huge));
    const statuses: number[] = [];
    for (let wave = 0; wave < waves; wave++) {
      statuses.push(...(await Promise.all(Array.from({ length: perWave }, () => callDoor(0, keys.busy.secret, acme.agent.id)))));
    }
    const succeeded = statuses.filter((status) => status === 200).length;
    expect(
      statuses.every((status) => status === 200 || status === 429),
      statuses.join(","),
    ).toBe(true);
    expect(upstream.requests).toHaveLength(succeeded);
    // Unused reservations held ahead are given back once they wait too long.
    const deadline = Date.now() + 4 * RESERVE_AHEAD_MS;
    let usage = await spendOf(keys.busy.id);
    while (usage.reserved_usd_cents > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      usage = await spendOf(keys.busy.id);
    }
    expect(usage.reserved_usd_cents).toBe(0);
    expect(usage.spent_usd_cents).toBeLessThanOrEqual(BUSY_BUDGET_CENTS);
    // Run down to its limit: calls were refused only once the money was (nearly) gone.
    expect(usage.spent_usd_cents).toBeGreaterThan(BUSY_BUDGET_CENTS * 0.9);
    expect(usage.requests).toBe(succeeded);
    const [exact] = world.db ? await world.db.select().from(tables.keySpend).where(eq(tables.keySpend.apiKeyId, keys.busy.uuid)) : [];
    if (exact) expect(exact.spentMicrocents).toBeLessThanOrEqual(BUSY_BUDGET_CENTS * 1_000_000);
  });

  it("never charge a key more than it reserved, even when the provider reports more than it was asked for", async () => {
    const { acme, keys } = world.seeded;
    upstream.script(...Array.from({ length: 20 }, () => ({ usage: { prompt_tokens: 900_000, completion_tokens: 10 } })));
    const statuses: number[] = [];
    for (let i = 0; i < 20 && !statuses.includes(429); i++) statuses.push(await callDoor(i, keys.greedy.secret, acme.agent.id));
    expect(statuses.at(-1)).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await spendOf(keys.greedy.id)).spent_usd_cents).toBeLessThanOrEqual(BUDGET_CENTS);
  });

  it("charge what an abandoned stream produced, and count its request", async () => {
    const { acme, keys } = world.seeded;
    const words = Array.from({ length: 200 }, (_, i) => `word${i} `);
    upstream.script({ chunks: words, chunkDelayMs: 20, usage: { prompt_tokens: 30, completion_tokens: 200 } });
    const controller = new AbortController();
    const response = await fetch(`${world.app.url}/api/agents/${acme.agent.id}/chat`, {
      method: "POST",
      headers: bearer(keys.stream.secret),
      body: JSON.stringify({ messages: [{ role: "user", content: "Talk for a while" }], stream: true }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let received = "";
    while (!received.includes("word5")) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(upstream.abortedRequests()).toBe(1);
    const usage = await spendOf(keys.stream.id);
    expect(usage.requests).toBe(1);
    // At least the streamed words (≈2 tokens each) and the prompt, far less than the full answer.
    expect(usage.spent_usd_cents).toBeGreaterThan(0);
    expect(usage.reserved_usd_cents).toBe(0);
  });

  it("lapse when the process holding them is killed, so the key works again", async () => {
    const { acme, keys } = world.seeded;
    upstream.script(...Array.from({ length: 30 }, () => ({ hang: true })));
    const inFlight = Array.from({ length: 30 }, () => callDoor(0, keys.crash.secret, acme.agent.id).catch(() => 0));
    // Wait until the hanging calls hold the whole budget.
    for (let i = 0; i < 100 && upstream.requests.length < 5; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await spendOf(keys.crash.id)).reserved_usd_cents).toBeGreaterThan(0.5);
    await world.app.stop("SIGKILL");
    await Promise.all(inFlight);
    upstream.reset();
    await world.app.restart();
    // Held until the lease (run deadline + a few seconds) runs out, then given back. (The
    // embedded database may lose its last writes to kill -9, reservations included.)
    if (world.backend !== "pglite") expect(await callDoor(0, keys.crash.secret, acme.agent.id)).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, RUN_TIMEOUT_MS + 5_500));
    expect(await callDoor(0, keys.crash.secret, acme.agent.id)).toBe(200);
    const usage = await spendOf(keys.crash.id);
    expect(usage.spent_usd_cents).toBeLessThanOrEqual(BUDGET_CENTS);
  }, 120_000);
});

describe("plan limits", () => {
  it("let exactly the messages left through, under 100 concurrent chats", async () => {
    const { limited } = world.seeded;
    const statuses = await Promise.all(Array.from({ length: 100 }, () => callDoor(0, limited.key, limited.agent.id)));
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(95);
    expect(upstream.requests).toHaveLength(5);
  });
});

describe("agent-to-agent", () => {
  it("keeps a key's agent scope: a key for X cannot reach Y through X's soat tool", async () => {
    const { acme, agentX, scoped } = world.seeded;
    upstream.script({ toolCalls: [{ id: "call_y", name: "ask-y", arguments: '{"message":"hi Y"}' }] }, { content: "Y is out of reach." });
    const response = await fetch(`${world.app.url}/api/v1/agents/${agentX.publicId}/generate`, {
      method: "POST",
      headers: bearer(scoped.secret),
      body: JSON.stringify({ messages: [{ role: "user", content: "Ask Y" }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "completed", text: "Y is out of reach." });
    // X ran twice (the tool call, then the answer); Y never ran.
    expect(upstream.requests).toHaveLength(2);
    expect(JSON.stringify(upstream.requests[1]!.body)).toMatch(/not allowed to use this agent/);
    // Y itself is refused to that key directly, too.
    const direct = await fetch(`${world.app.url}/api/v1/agents/${acme.agent.id}/generate`, {
      method: "POST",
      headers: bearer(scoped.secret),
      body: JSON.stringify({ messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(direct.status).toBe(403);
  });

  it("bounds the call depth a request may ask for", async () => {
    const { acme } = world.seeded;
    const response = await fetch(`${world.app.url}/api/v1/agents/${acme.agent.id}/generate`, {
      method: "POST",
      headers: bearer(acme.key),
      body: JSON.stringify({ messages: [{ role: "user", content: "Hi" }], max_call_depth: 11 }),
    });
    expect(response.status).toBe(400);
  });
});
