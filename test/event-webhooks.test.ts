/**
 * Organisation event webhooks over real HTTP: endpoints managed with personal access tokens,
 * deliveries received by loopback receivers and verified with the `standardwebhooks` package (an
 * independent implementation of the scheme), retries, disabling, rotation, resending, and the
 * events that chats, tasks and budget refusals emit.
 */
import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TYPES, eventCatalogue, isEventType } from "@/lib/contracts/event-catalogue";
import { tables, type Db } from "@/lib/db";
import { freePort, startWorld, type World } from "./support/app";
import { createKey, createMember, createTenant } from "./support/fixtures";
import { expectDocumented } from "./support/openapi-contract";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from "./support/webhook-receiver";

let upstream: ScriptedUpstream;
/** Stands in for Meta's Graph API, where channel replies go. */
let graph: WebhookReceiver;
const META_APP_SECRET = "meta-app-secret-for-tests";
let world: World<Awaited<ReturnType<typeof seed>>>;
const receivers: WebhookReceiver[] = [];
/** Every secret the API handed out: none may appear in a later answer or in the logs. */
const secretsSeen: string[] = [];

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme", { agent: { instructions: "You help." } });
  const alice = await createMember(db, acme.org.id, "alice@acme.test", "admin");
  const bob = await createMember(db, acme.org.id, "bob@acme.test", "member");
  const broke = await createKey(db, { orgId: acme.org.id, name: "broke" });
  await db.update(tables.apiKeys).set({ budgetUsdCents: 0, budgetPeriod: "total" }).where(eq(tables.apiKeys.id, broke.id));
  const [brokeRow] = await db.select({ publicId: tables.apiKeys.publicId }).from(tables.apiKeys).where(eq(tables.apiKeys.id, broke.id));
  // An endpoint with a delivery log older than WEBHOOK_DELIVERY_RETENTION_DAYS, and a recent entry.
  const [archived] = await db
    .insert(tables.webhookEndpoints)
    .values({
      publicId: "whe_archivedLog00001",
      orgId: acme.org.id,
      url: "https://example.com/old",
      enabled: false,
      secretCiphertext: "unused",
    })
    .returning();
  const logEntry = (messageId: string, daysAgo: number) => ({
    messageId,
    orgId: acme.org.id,
    subjectId: archived!.id,
    endpointId: archived!.id,
    eventType: "webhook.test",
    url: archived!.url,
    body: "{}",
    headers: {},
    signing: "standard" as const,
    status: "delivered" as const,
    createdAt: new Date(Date.now() - daysAgo * 86_400_000),
  });
  await db.insert(tables.webhookDeliveries).values([logEntry("msg_expired", 40), logEntry("msg_recent", 2)]);
  const globex = await createTenant(db, "Globex");
  const mallory = await createMember(db, globex.org.id, "mallory@globex.test", "owner");
  // An organisation whose plan has no messages left this month.
  const capped = await createTenant(db, "Capped");
  await db.update(tables.organisations).set({ monthlyMessageLimit: 0 }).where(eq(tables.organisations.id, capped.org.id));
  const carol = await createMember(db, capped.org.id, "carol@capped.test", "admin");
  return { acme, alice, bob, broke: { secret: broke.secret, publicId: brokeRow!.publicId }, globex, mallory, capped, carol };
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  graph = await newReceiver();
  world = await startWorld({
    seed,
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_MODEL: "scripted-model",
      META_GRAPH_URL: graph.origin,
      MODEL_MAX_RETRIES: "0",
      TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
      KEY_CACHE_TTL_MS: "0",
      JOB_RETRY_BASE_MS: "20",
      JOB_LEASE_MS: "3000",
      WEBHOOK_TIMEOUT_MS: "2000",
      // Four attempts in all, a fraction of a second apart.
      WEBHOOK_RETRY_SCHEDULE: "100ms,100ms,100ms",
      WEBHOOK_DISABLE_AFTER_FAILURES: "2",
      MODEL_PRICES: JSON.stringify({ "scripted-model": { input: 10_000, output: 10_000 } }),
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, token: string, body?: unknown, key?: string): Promise<Reply> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Authorization: `Bearer ${token}` };
  if (key) headers["X-Api-Key"] = key;
  const response = await fetch(`${world.app.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  for (const secret of secretsSeen) expect(text).not.toContain(secret);
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const admin = () => world.seeded.alice.token;

async function newReceiver(): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver();
  receivers.push(receiver);
  return receiver;
}

interface Endpoint {
  id: string;
  secret: string;
}

async function createEndpoint(url: string, eventTypes: string[] | null = ["webhook.test"], token = admin()): Promise<Endpoint> {
  const reply = await call("POST", "/api/webhook-endpoints", token, { url, description: "test receiver", event_types: eventTypes });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  const endpoint = { id: String(reply.body.id), secret: String(reply.body.secret) };
  secretsSeen.push(endpoint.secret);
  return endpoint;
}

/** Verifies a delivery the way a receiver would, with the standardwebhooks package; returns the event. */
function verified(request: ReceivedWebhook, secret: string): { type: string; timestamp: string; data: Record<string, unknown> } {
  const headers = {
    "webhook-id": String(request.headers["webhook-id"]),
    "webhook-timestamp": String(request.headers["webhook-timestamp"]),
    "webhook-signature": String(request.headers["webhook-signature"]),
  };
  return new Webhook(secret).verify(request.rawBody.toString("utf8"), headers) as {
    type: string;
    timestamp: string;
    data: Record<string, unknown>;
  };
}

async function sendTest(endpoint: Endpoint): Promise<string> {
  const reply = await call("POST", `/api/webhook-endpoints/${endpoint.id}/test`, admin());
  expect(reply.status, JSON.stringify(reply.body)).toBe(202);
  expect(reply.body).toMatchObject({ event_type: "webhook.test", status: "pending", endpoint_id: endpoint.id });
  return String(reply.body.id);
}

async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface DeliveryView {
  id: string;
  status: string;
  payload: string;
  attempts: Array<{ status: number | null; error: string | null; duration_ms: number; response: string | null }>;
}

async function deliveries(endpoint: Endpoint): Promise<DeliveryView[]> {
  const reply = await call("GET", `/api/webhook-endpoints/${endpoint.id}/deliveries`, admin());
  expect(reply.status).toBe(200);
  return reply.body.data as DeliveryView[];
}

async function settledDelivery(endpoint: Endpoint, id: string): Promise<DeliveryView> {
  const settled = await waitUntil(
    async () => (await deliveries(endpoint)).find((delivery) => delivery.id === id),
    (delivery) => delivery !== undefined && delivery.status !== "pending",
  );
  if (!settled) throw new Error(`no delivery ${id}`);
  return settled;
}

const endpointView = async (endpoint: Endpoint) => (await call("GET", `/api/webhook-endpoints/${endpoint.id}`, admin())).body;

/** Events of a type received so far, verified, each one's data checked against the catalogue's schema. */
function eventsOf(receiver: WebhookReceiver, secret: string, type: string) {
  const events = receiver.received.map((request) => verified(request, secret)).filter((event) => event.type === type);
  for (const event of events) {
    const { type } = event;
    if (!isEventType(type)) throw new Error(`not in the catalogue: ${type}`);
    expect(() => eventCatalogue[type].data.parse(event.data), type).not.toThrow();
  }
  return events;
}

/** Waits for the first event of a type at a receiver; verified and checked like `eventsOf`. */
async function firstEventOf(receiver: WebhookReceiver, secret: string, type: string) {
  const [event] = await waitUntil(
    async () => eventsOf(receiver, secret, type),
    (events) => events.length > 0,
  );
  return event!;
}

/** The Agents API, with the organisation's API key. */
async function agentsApi(method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${world.seeded.acme.key}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function chat(agentId: string, key: string, content: string): Promise<Response> {
  return fetch(`${world.app.url}/api/agents/${agentId}/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
    body: JSON.stringify({ messages: [{ role: "user", content }], stream: false }),
  });
}

describe("webhook endpoints", () => {
  it("creates an endpoint with a whsec_ secret shown once, delivers a signed test event, and logs the attempt", async () => {
    const receiver = await newReceiver();
    receiver.setFallback({ status: 200, body: { thanks: "received" } });
    const endpoint = await createEndpoint(receiver.url);
    expect(endpoint.id).toMatch(/^whe_/);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const listed = await call("GET", "/api/webhook-endpoints", admin());
    const mine = (listed.body.data as Array<Record<string, unknown>>).find((item) => item.id === endpoint.id);
    expect(mine).toMatchObject({ url: receiver.url, enabled: true, event_types: ["webhook.test"], disabled_reason: null });
    expect(mine).not.toHaveProperty("secret");

    const messageId = await sendTest(endpoint);
    expect(messageId).toMatch(/^msg_/);
    const [request] = await receiver.waitFor(1);
    expect(request!.headers["webhook-id"]).toBe(messageId);
    const event = verified(request!, endpoint.secret);
    expect(event).toMatchObject({ type: "webhook.test", data: { endpoint_id: endpoint.id } });
    expect(Number.isNaN(Date.parse(event.timestamp))).toBe(false);
    expect(() => verified(request!, `whsec_${Buffer.alloc(32, 1).toString("base64")}`)).toThrow();

    const delivery = await settledDelivery(endpoint, messageId);
    expect(delivery).toMatchObject({ status: "delivered", payload: request!.rawBody.toString("utf8") });
    expect(delivery.attempts).toEqual([
      { at: expect.any(String), status: 200, error: null, duration_ms: expect.any(Number), response: '{"thanks":"received"}' },
    ]);
    expect(world.app.output()).not.toContain(endpoint.secret);
  });

  it("retries a failing receiver until it recovers: the same id and identical bytes each time, every one signed", async () => {
    const receiver = await newReceiver();
    receiver.script({ status: 500, body: { error: "x".repeat(3000) } }, { status: 503, headers: { "Retry-After": "1" } });
    const endpoint = await createEndpoint(receiver.url);
    const messageId = await sendTest(endpoint);
    const requests = await receiver.waitFor(3);
    expect(new Set(requests.map((request) => request.headers["webhook-id"]))).toEqual(new Set([messageId]));
    expect(new Set(requests.map((request) => request.rawBody.toString("hex"))).size).toBe(1);
    for (const request of requests) verified(request, endpoint.secret);
    // Retry-After: 1 held the third attempt back at least a second.
    expect(requests[2]!.receivedAt - requests[1]!.receivedAt).toBeGreaterThanOrEqual(950);

    const delivery = await settledDelivery(endpoint, messageId);
    expect(delivery.status).toBe("delivered");
    expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([500, 503, 200]);
    // The snippet is capped at 1 KB.
    expect(delivery.attempts[0]!.response!.length).toBe(1024);
    expect((await endpointView(endpoint)).consecutive_failures).toBe(0);
  });

  it("treats a redirect as a failure and never follows it", async () => {
    const elsewhere = await newReceiver();
    const receiver = await newReceiver();
    receiver.setFallback({ status: 302, headers: { Location: elsewhere.url } });
    const endpoint = await createEndpoint(receiver.url);
    const messageId = await sendTest(endpoint);
    const delivery = await settledDelivery(endpoint, messageId);
    expect(delivery.status).toBe("failed");
    expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([302, 302, 302, 302]);
    expect(elsewhere.received).toHaveLength(0);
    expect((await endpointView(endpoint)).consecutive_failures).toBe(1);
  });

  it("disables an endpoint at once on 410 Gone, tells the other endpoints, and can be enabled again", async () => {
    const watcher = await newReceiver();
    const watching = await createEndpoint(watcher.url, ["webhook.endpoint.disabled"]);
    const receiver = await newReceiver();
    receiver.setFallback({ status: 410 });
    const endpoint = await createEndpoint(receiver.url);
    const messageId = await sendTest(endpoint);
    expect((await settledDelivery(endpoint, messageId)).status).toBe("failed");
    expect(receiver.received).toHaveLength(1);
    const view = await waitUntil(
      () => endpointView(endpoint),
      (body) => body.enabled === false,
    );
    expect(view.disabled_reason).toMatch(/410 Gone/);
    expect(view.disabled_at).toEqual(expect.any(String));

    await waitUntil(
      async () => eventsOf(watcher, watching.secret, "webhook.endpoint.disabled").filter((event) => event.data.endpoint_id === endpoint.id),
      (events) => events.length === 1,
    );
    // A disabled endpoint refuses test events and resends until it is enabled again.
    expect((await call("POST", `/api/webhook-endpoints/${endpoint.id}/test`, admin())).status).toBe(409);
    expect((await call("POST", `/api/webhook-deliveries/${messageId}/resend`, admin())).status).toBe(409);
    const enabled = await call("PATCH", `/api/webhook-endpoints/${endpoint.id}`, admin(), { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null, disabled_at: null, consecutive_failures: 0 });
  });

  it("disables an endpoint that stays down through every retry of several deliveries, and says so to the others", async () => {
    const watcher = await newReceiver();
    const watching = await createEndpoint(watcher.url, ["webhook.endpoint.disabled"]);
    const down = await createEndpoint(`http://127.0.0.1:${await freePort()}/hook`);
    const first = await settledDelivery(down, await sendTest(down));
    expect(first.status).toBe("failed");
    expect(first.attempts).toHaveLength(4);
    expect(first.attempts.every((attempt) => attempt.status === null && attempt.error !== null)).toBe(true);
    expect(await endpointView(down)).toMatchObject({ enabled: true, consecutive_failures: 1 });

    await settledDelivery(down, await sendTest(down));
    const view = await waitUntil(
      () => endpointView(down),
      (body) => body.enabled === false,
    );
    expect(view.disabled_reason).toBe("2 deliveries in a row failed after every retry");
    const [notice] = await waitUntil(
      async () => eventsOf(watcher, watching.secret, "webhook.endpoint.disabled").filter((event) => event.data.endpoint_id === down.id),
      (events) => events.length === 1,
    );
    expect(notice!.data).toMatchObject({ reason: view.disabled_reason, url: expect.stringContaining("127.0.0.1") });
  });

  it("signs with the old and the new secret side by side after a rotation", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url);
    const rotated = await call("POST", `/api/webhook-endpoints/${endpoint.id}/rotate-secret`, admin());
    expect(rotated.status).toBe(200);
    const newSecret = String(rotated.body.secret);
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(endpoint.secret);
    const expires = Date.parse(String(rotated.body.previous_secret_expires_at));
    expect(expires - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    secretsSeen.push(newSecret);

    await sendTest(endpoint);
    const [request] = await receiver.waitFor(1);
    expect(String(request!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(verified(request!, endpoint.secret).type).toBe("webhook.test");
    expect(verified(request!, newSecret).type).toBe("webhook.test");
  });

  it("resends a delivery with the same webhook-id and bytes, as new attempts", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url);
    const messageId = await sendTest(endpoint);
    await settledDelivery(endpoint, messageId);
    const resent = await call("POST", `/api/webhook-deliveries/${messageId}/resend`, admin());
    expect(resent.status).toBe(202);
    expect(resent.body).toMatchObject({ id: messageId, status: "pending" });
    const [first, second] = await receiver.waitFor(2);
    expect(second!.headers["webhook-id"]).toBe(messageId);
    expect(second!.rawBody.equals(first!.rawBody)).toBe(true);
    verified(second!, endpoint.secret);
    const delivery = await waitUntil(
      () => settledDelivery(endpoint, messageId),
      (view) => view.attempts.length === 2,
    );
    expect(delivery.status).toBe("delivered");
  });

  it("pages deliveries newest first", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url);
    const ids = [await sendTest(endpoint), await sendTest(endpoint), await sendTest(endpoint)];
    const first = await call("GET", `/api/webhook-endpoints/${endpoint.id}/deliveries?limit=2`, admin());
    expect((first.body.data as DeliveryView[]).map((delivery) => delivery.id)).toEqual([ids[2], ids[1]]);
    const rest = await call(
      "GET",
      `/api/webhook-endpoints/${endpoint.id}/deliveries?limit=2&cursor=${String(first.body.next_cursor)}`,
      admin(),
    );
    expect((rest.body.data as DeliveryView[]).map((delivery) => delivery.id)).toEqual([ids[0]]);
    expect(rest.body.next_cursor).toBeNull();
  });

  it("prunes settled deliveries past the retention period", async () => {
    // The worker prunes on its schedule; earlier tests' deliveries set it off.
    const archived = { id: "whe_archivedLog00001", secret: "" };
    await waitUntil(
      async () => (await deliveries(archived)).map((delivery) => delivery.id),
      (ids) => ids.length === 1,
    );
    expect((await deliveries(archived)).map((delivery) => delivery.id)).toEqual(["msg_recent"]);
  });

  it("refuses URLs it must not call: plain http to a public host, private addresses, unknown event types", async () => {
    const refuse = async (body: Record<string, unknown>, status: number, message: RegExp) => {
      const reply = await call("POST", "/api/webhook-endpoints", admin(), body);
      expect(reply.status, JSON.stringify(reply.body)).toBe(status);
      expect(JSON.stringify(reply.body)).toMatch(message);
    };
    await refuse({ url: "http://203.0.113.10/hook" }, 400, /reserved address/);
    await refuse({ url: "http://93.184.215.14/hook" }, 400, /must use https/);
    await refuse({ url: "https://10.1.2.3/hook" }, 400, /private address/);
    await refuse({ url: "https://169.254.169.254/latest" }, 400, /cloud metadata/);
    // Other spellings of the metadata address resolve to it too.
    await refuse({ url: "https://0xa9fea9fe/latest" }, 400, /cloud metadata/);
    await refuse({ url: "https://[::ffff:169.254.169.254]/latest" }, 400, /cloud metadata/);
    await refuse({ url: "ftp://example.com/x" }, 422, /http/);
    await refuse({ url: "https://example.com/x", event_types: ["nope.nothing"] }, 422, /event_types/);
  });

  it("answers another organisation's endpoints and deliveries 404, and lets members read but not change", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url);
    const messageId = await sendTest(endpoint);
    await settledDelivery(endpoint, messageId);
    const { mallory, bob } = world.seeded;
    for (const [method, path] of [
      ["GET", `/api/webhook-endpoints/${endpoint.id}`],
      ["PATCH", `/api/webhook-endpoints/${endpoint.id}`],
      ["DELETE", `/api/webhook-endpoints/${endpoint.id}`],
      ["POST", `/api/webhook-endpoints/${endpoint.id}/rotate-secret`],
      ["POST", `/api/webhook-endpoints/${endpoint.id}/test`],
      ["GET", `/api/webhook-endpoints/${endpoint.id}/deliveries`],
      ["POST", `/api/webhook-deliveries/${messageId}/resend`],
    ] as const) {
      const reply = await call(method, path, mallory.token, method === "PATCH" ? { enabled: false } : undefined);
      expect(reply.status, `${method} ${path}`).toBe(404);
    }
    const theirs = await call("GET", "/api/webhook-endpoints", mallory.token);
    expect(theirs.body.data).toEqual([]);

    expect((await call("GET", `/api/webhook-endpoints/${endpoint.id}/deliveries`, bob.token)).status).toBe(200);
    expect((await call("POST", `/api/webhook-endpoints/${endpoint.id}/test`, bob.token)).status).toBe(403);
    expect((await call("DELETE", `/api/webhook-endpoints/${endpoint.id}`, admin())).status).toBe(204);
    expect((await call("GET", `/api/webhook-endpoints/${endpoint.id}`, admin())).status).toBe(404);
  });
});

describe("events", () => {
  it("the catalogue's samples match their schemas, and the OpenAPI document describes every event", async () => {
    for (const type of EVENT_TYPES) expect(() => eventCatalogue[type].data.parse(eventCatalogue[type].sample), type).not.toThrow();
    const document = (await (await fetch(`${world.app.url}/api/openapi.json`)).json()) as { webhooks: Record<string, unknown> };
    expect(Object.keys(document.webhooks)).toEqual(expect.arrayContaining([...EVENT_TYPES]));
  });

  it("a chat emits conversation.created, message.created for the prompt and the reply, and generation.completed", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url, ["conversation.created", "message.created", "generation.completed"]);
    const { acme } = world.seeded;
    upstream.script({ content: "Events are flowing.", usage: { prompt_tokens: 7, completion_tokens: 3 } });
    const response = await fetch(`${world.app.url}/api/agents/${acme.agent.id}/chat`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${acme.key}` },
      body: JSON.stringify({ messages: [{ role: "user", content: "Hello events" }], stream: false }),
    });
    expect(response.status).toBe(200);
    const chat = (await response.json()) as { generation_id: string };
    await receiver.waitFor(4);
    const [completed] = eventsOf(receiver, endpoint.secret, "generation.completed");
    expect(completed!.data).toMatchObject({
      generation_id: chat.generation_id,
      // Agents are named by the id the API shows (`agt_…`), not the row's UUID.
      agent_id: acme.agent.publicId,
      model: "scripted-model",
      text: "Events are flowing.",
      usage: { input_tokens: 7, output_tokens: 3 },
    });
    const messages = eventsOf(receiver, endpoint.secret, "message.created");
    expect(messages.map((event) => [event.data.role, event.data.content]).sort()).toEqual([
      ["assistant", "Events are flowing."],
      ["user", "Hello events"],
    ]);
    const [conversation] = eventsOf(receiver, endpoint.secret, "conversation.created");
    expect(messages.every((event) => event.data.conversation_id === conversation!.data.conversation_id)).toBe(true);
    expect([conversation!, ...messages].map((event) => event.data.agent_id)).toEqual([
      acme.agent.publicId,
      acme.agent.publicId,
      acme.agent.publicId,
    ]);
  });

  it("a task emits task.resolved", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url, ["task.resolved", "task.failed"]);
    const key = await call("POST", "/api/api-keys", admin(), { label: "tasks" });
    expect(key.status).toBe(201);
    upstream.script({ content: "Task done." });
    const submitted = await call("POST", "/api/agent", admin(), { message: "Do the task" }, String(key.body.key));
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    await receiver.waitFor(1);
    const [resolved] = eventsOf(receiver, endpoint.secret, "task.resolved");
    expect(resolved!.data).toEqual({ task_id: submitted.body.conversation_uuid, response: "Task done." });
  });

  it("a budget refusal emits key.budget_exceeded", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url, ["key.budget_exceeded"]);
    const { acme, broke } = world.seeded;
    const response = await fetch(`${world.app.url}/api/agents/${acme.agent.id}/chat`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${broke.secret}` },
      body: JSON.stringify({ messages: [{ role: "user", content: "Hello" }], stream: false }),
    });
    expect(response.status).toBe(429);
    await receiver.waitFor(1);
    const [refused] = eventsOf(receiver, endpoint.secret, "key.budget_exceeded");
    expect(refused!.data).toEqual({ api_key_id: broke.publicId, budget_usd_cents: 0, budget_period: "total" });
  });

  it("a run that pauses for a client tool emits its generation event when it ends after the tool outputs", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url, ["generation.completed", "generation.failed"]);
    const tool = await agentsApi("POST", "/api/v1/agents/tools", { name: "confirm-order", type: "client" });
    expect(tool.status, JSON.stringify(tool.body)).toBe(201);
    const provider = await agentsApi("POST", "/api/v1/ai-providers", {
      name: "scripted",
      type: "openai_compatible",
      base_url: upstream.baseUrl,
      api_key: "sk-provider",
      default_model: "scripted-model",
    });
    expect(provider.status, JSON.stringify(provider.body)).toBe(201);
    const agent = await agentsApi("POST", "/api/v1/agents", {
      name: "Confirming agent",
      ai_provider_id: provider.body.id,
      tool_ids: [tool.body.id],
    });
    expect(agent.status, JSON.stringify(agent.body)).toBe(201);
    const agentId = String(agent.body.id);
    expect(agentId).toMatch(/^agt_/);

    const pause = async () => {
      upstream.script({ toolCalls: [{ id: "call_confirm", name: "confirm-order", arguments: "{}" }] });
      const paused = await agentsApi("POST", `/api/v1/agents/${agentId}/generate`, { messages: [{ role: "user", content: "Order it" }] });
      expect(paused.body).toMatchObject({ status: "requires_action" });
      return String(paused.body.id);
    };
    const resume = (generationId: string) =>
      agentsApi("POST", `/api/v1/agents/${agentId}/generate/${generationId}/tool-outputs`, {
        tool_outputs: [{ tool_call_id: "call_confirm", output: { confirmed: true } }],
      });
    const eventsFor = (type: string, generationId: string) =>
      eventsOf(receiver, endpoint.secret, type).filter((event) => event.data.generation_id === generationId);

    const completing = await pause();
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A pause is not an ending: nothing yet.
    expect([...eventsFor("generation.completed", completing), ...eventsFor("generation.failed", completing)]).toEqual([]);
    upstream.script({ content: "Ordered.", usage: { prompt_tokens: 20, completion_tokens: 2 } });
    expect((await resume(completing)).body).toMatchObject({ status: "completed", text: "Ordered." });
    const [completed] = await waitUntil(
      async () => eventsFor("generation.completed", completing),
      (events) => events.length > 0,
    );
    expect(completed!.data).toMatchObject({ agent_id: agentId, door: "generate", text: "Ordered." });

    const failing = await pause();
    upstream.script({ status: 500 });
    expect((await resume(failing)).status).toBeGreaterThanOrEqual(500);
    const [failed] = await waitUntil(
      async () => eventsFor("generation.failed", failing),
      (events) => events.length > 0,
    );
    expect(failed!.data).toMatchObject({ agent_id: agentId, door: "generate", error: expect.any(String) });

    // Each run ended once, and said so once.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const endings = [completing, failing].map((id) => [...eventsFor("generation.completed", id), ...eventsFor("generation.failed", id)]);
    expect(endings.map((events) => events.map((event) => event.type))).toEqual([["generation.completed"], ["generation.failed"]]);
  });

  it("a run that pauses for a gated tool's review emits its generation event when the decision resumes it", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url, ["generation.completed", "generation.failed"]);
    const provider = await agentsApi("POST", "/api/v1/ai-providers", {
      name: "scripted for review",
      type: "openai_compatible",
      base_url: upstream.baseUrl,
      api_key: "sk-provider",
      default_model: "scripted-model",
    });
    const tool = await agentsApi("POST", "/api/v1/agents/tools", {
      name: "ship_parcel",
      type: "http",
      gated: true,
      parameters: { type: "object", properties: { weight: { type: "number" } } },
      execute: { url: `${receiver.url}/never-called` },
    });
    expect(tool.status, JSON.stringify(tool.body)).toBe(201);
    const agent = await agentsApi("POST", "/api/v1/agents", {
      name: "Shipping",
      ai_provider_id: provider.body.id,
      tool_ids: [tool.body.id],
    });
    const agentId = String(agent.body.id);
    const gateAgent = await call("POST", "/api/gate/agents", admin(), { name: "Shipping gate", agent_id: agentId });
    expect(gateAgent.status, JSON.stringify(gateAgent.body)).toBe(201);
    secretsSeen.push(String(gateAgent.body.key));
    const gateTool = await call("POST", "/api/gate/tools", admin(), { name: "ship_parcel", default_action: "review", rules: [] });
    expect(gateTool.status, JSON.stringify(gateTool.body)).toBe(201);

    upstream.script({ toolCalls: [{ id: "call_ship", name: "ship_parcel", arguments: '{"weight":3}' }] }, { content: "Not shipped." });
    const paused = await agentsApi("POST", `/api/v1/agents/${agentId}/generate`, { messages: [{ role: "user", content: "Ship it" }] });
    expect(paused.body).toMatchObject({ status: "requires_action" });
    const generationId = String(paused.body.id);
    const threadId = (paused.body.tool_calls as Array<{ approval: { thread_id: string } }>)[0]!.approval.thread_id;
    const decided = await call("POST", `/api/gate/threads/${threadId}/decision`, admin(), { action: "reject", message: "Too heavy." });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);

    const [completed] = await waitUntil(
      async () => eventsOf(receiver, endpoint.secret, "generation.completed").filter((event) => event.data.generation_id === generationId),
      (events) => events.length > 0,
    );
    expect(completed!.data).toMatchObject({ agent_id: agentId, door: "generate", text: "Not shipped." });
    expect(eventsOf(receiver, endpoint.secret, "generation.failed").filter((event) => event.data.generation_id === generationId)).toEqual(
      [],
    );
  });

  it("a chat whose model fails emits generation.failed", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url, ["generation.failed"]);
    const { acme } = world.seeded;
    upstream.script({ status: 500 });
    const response = await chat(acme.agent.id, acme.key, "This will fail");
    expect(response.status).toBeGreaterThanOrEqual(500);
    const failed = await firstEventOf(receiver, endpoint.secret, "generation.failed");
    expect(failed.data).toMatchObject({ generation_id: expect.stringMatching(/^agt_gen_/), door: "chat", error: expect.any(String) });
    expect(String(failed.data.error)).not.toBe("");
  });

  it("a task whose runs keep failing emits task.failed once its attempts are spent", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url, ["task.resolved", "task.failed"]);
    const key = await call("POST", "/api/api-keys", admin(), { label: "failing tasks" });
    expect(key.status).toBe(201);
    upstream.script({ status: 500 }, { status: 500 }, { status: 500 });
    const submitted = await call("POST", "/api/agent", admin(), { message: "Do the failing task" }, String(key.body.key));
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const failed = await firstEventOf(receiver, endpoint.secret, "task.failed");
    expect(failed.data).toEqual({ task_id: submitted.body.conversation_uuid, error: expect.any(String) });
    expect(eventsOf(receiver, endpoint.secret, "task.resolved")).toEqual([]);
  });

  it("a refusal for a spent plan emits plan.limit_reached", async () => {
    const { capped, carol } = world.seeded;
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url, ["plan.limit_reached"], carol.token);
    const response = await chat(capped.agent.id, capped.key, "Hello");
    expect(response.status).toBe(429);
    const reached = await firstEventOf(receiver, endpoint.secret, "plan.limit_reached");
    expect(reached.data).toEqual({ limit: "messages", allowed: 0, message: "This organisation has used its 0 messages for this month" });
  });

  it("a gate review emits approval.requested, and the reviewer's decision approval.decided", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url, ["approval.requested", "approval.decided"]);
    const tool = await call("POST", "/api/gate/tools", admin(), { name: "wire_money", default_action: "review", rules: [] });
    expect(tool.status, JSON.stringify(tool.body)).toBe(201);
    const gateAgent = await call("POST", "/api/gate/agents", admin(), { name: "Payments bot" });
    expect(gateAgent.status, JSON.stringify(gateAgent.body)).toBe(201);
    secretsSeen.push(String(gateAgent.body.key));
    const requested = await call("POST", "/api/agent/tasks/wire-77/requests", String(gateAgent.body.key), {
      workflow_name: "Payouts",
      task_label: "Wire 300 EUR to supplier 77",
      tool_name: "wire_money",
      subject: "Wire money",
      payload: { amount: 300 },
    });
    expect(requested.status, JSON.stringify(requested.body)).toBe(200);
    const threadId = String(requested.body.thread_id);
    const opened = await firstEventOf(receiver, endpoint.secret, "approval.requested");
    expect(opened.data).toEqual({
      thread_id: threadId,
      gate_agent_id: gateAgent.body.id,
      task_id: "wire-77",
      workflow_name: "Payouts",
      task_label: "Wire 300 EUR to supplier 77",
      status: "needs_review",
    });

    const decided = await call("POST", `/api/gate/threads/${threadId}/decision`, admin(), { action: "reject", message: "Not this week" });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const decision = await firstEventOf(receiver, endpoint.secret, "approval.decided");
    expect(decision.data).toEqual({
      thread_id: threadId,
      gate_agent_id: gateAgent.body.id,
      task_id: "wire-77",
      decision: "rejected",
      message: "Not this week",
    });
  });

  it("a message on a channel emits channel.message.received", async () => {
    const receiver = await newReceiver();
    const endpoint = await createEndpoint(receiver.url, ["channel.message.received", "conversation.created", "message.created"]);
    const { acme } = world.seeded;
    const connected = await call("POST", "/api/channels", admin(), {
      type: "whatsapp",
      agent_id: acme.agent.publicId,
      credentials: { app_secret: META_APP_SECRET, verify_token: "verify-me", access_token: "EAAG-token" },
    });
    expect(connected.status, JSON.stringify(connected.body)).toBe(201);
    const raw = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "WABA-1",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15550001111", phone_number_id: "PNID-1" },
                contacts: [{ profile: { name: "Ada Customer" }, wa_id: "447900111222" }],
                messages: [
                  {
                    from: "447900111222",
                    id: "wamid.events-1",
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: "text",
                    text: { body: "Where is my order?" },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const signature = `sha256=${createHmac("sha256", META_APP_SECRET).update(raw).digest("hex")}`;
    const callback = await fetch(`${world.app.url}${new URL(String(connected.body.callback_url)).pathname}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Hub-Signature-256": signature },
      body: raw,
    });
    expect(callback.status).toBe(200);
    const received = await firstEventOf(receiver, endpoint.secret, "channel.message.received");
    expect(received.data).toEqual({
      channel_id: connected.body.id,
      channel_type: "whatsapp",
      conversation_id: expect.any(String),
      from: "447900111222",
      text: "Where is my order?",
    });
    const [prompt] = await waitUntil(
      async () => eventsOf(receiver, endpoint.secret, "message.created").filter((event) => event.data.role === "user"),
      (events) => events.length > 0,
    );
    expect(prompt!.data).toMatchObject({ agent_id: acme.agent.publicId, conversation_id: received.data.conversation_id });
    const contact = await firstEventOf(receiver, endpoint.secret, "conversation.created");
    expect(contact.data).toMatchObject({ agent_id: acme.agent.publicId, conversation_id: received.data.conversation_id });
  });

  it("an organisation's events never reach another organisation's endpoints", async () => {
    const receiver = await newReceiver();
    const reply = await call("POST", "/api/webhook-endpoints", world.seeded.mallory.token, { url: receiver.url });
    expect(reply.status).toBe(201);
    secretsSeen.push(String(reply.body.secret));
    const { acme } = world.seeded;
    upstream.script({ content: "Only for Acme." });
    const response = await fetch(`${world.app.url}/api/agents/${acme.agent.id}/chat`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${acme.key}` },
      body: JSON.stringify({ messages: [{ role: "user", content: "Hello" }], stream: false }),
    });
    expect(response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.received).toHaveLength(0);
  });
});

describe.runIf(process.env.CONDUIT_TEST_DB === "postgres")("a killed server", { timeout: 90_000 }, () => {
  it("loses no delivery to kill -9: every queued event arrives, each id with identical bytes", async () => {
    const receiver = await newReceiver();
    receiver.setFallback({ hang: true });
    const endpoint = await createEndpoint(receiver.url);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await sendTest(endpoint));
    await receiver.waitFor(1);
    await world.app.stop("SIGKILL");
    receiver.setFallback({ status: 200 });
    await world.app.restart();
    const arrived = await waitUntil(
      async () => new Set(receiver.received.map((request) => String(request.headers["webhook-id"]))),
      (seen) => ids.every((id) => seen.has(id)),
      30_000,
    );
    expect(arrived.size).toBe(5);
    for (const id of ids) {
      const copies = receiver.received.filter((request) => request.headers["webhook-id"] === id);
      expect(new Set(copies.map((request) => request.rawBody.toString("hex"))).size).toBe(1);
      for (const copy of copies) verified(copy, endpoint.secret);
      expect((await settledDelivery(endpoint, id)).status).toBe("delivered");
    }
  });
});
