/**
 * Who may do what with a personal access token (every role on every personal-token route), and
 * how revocations and the API channel switch reach work already queued in the background.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { tables, type Db } from "@/lib/db";
import { startWorld, testBackend, type World } from "../support/app";
import { createKey, createMember, createTenant } from "../support/fixtures";
import { expectDocumented } from "../support/openapi-contract";
import { startScriptedUpstream, type ScriptedUpstream } from "../support/scripted-upstream";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

type Role = "owner" | "admin" | "member" | "reviewer";
const ROLES: Role[] = ["owner", "admin", "member", "reviewer"];
const EVERYONE: Role[] = ROLES;
/** Everyone who uses agents; reviewers only review. */
const MEMBERS: Role[] = ["owner", "admin", "member"];
const OWNERS_AND_ADMINS: Role[] = ["owner", "admin"];

let upstream: ScriptedUpstream;
let receiver: WebhookReceiver;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const members = {} as Record<Role, { userId: string; token: string; key: string }>;
  for (const role of ROLES) {
    const member = await createMember(db, acme.org.id, `${role}@acme.test`, role);
    const key = await createKey(db, { orgId: acme.org.id, name: `${role}'s key`, createdByUserId: member.userId });
    members[role] = { ...member, key: key.secret };
  }
  // Background work: a tenant of its own, so switching its channel off touches nothing else.
  const queued = await createTenant(db, "Queued");
  const worker = await createMember(db, queued.org.id, "worker@queued.test", "owner");
  return { acme, members, queued, worker };
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, options: { token: string; key?: string; body?: unknown }): Promise<Reply> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Authorization: `Bearer ${options.token}` };
  if (options.key) headers["X-Api-Key"] = options.key;
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const code = (reply: Reply) => (reply.body.error as { code?: string } | undefined)?.code;

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
      KEY_CACHE_TTL_MS: "0",
      // One task at a time, so the ones behind a slow first task are still queued when the key goes.
      WORKER_CONCURRENCY: "1",
      JOB_RETRY_BASE_MS: "50",
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
});

/**
 * Every personal-token route with the roles it admits. Ids that name nothing show the role check
 * comes first: an admitted role gets past it (a 404), the others get a 403.
 */
const missing = randomUUID();
const matrix: Array<{ method: string; path: string; body?: unknown; withKey?: boolean; roles: Role[] }> = [
  { method: "GET", path: "/api/api-keys", roles: MEMBERS },
  { method: "POST", path: "/api/api-keys", body: { label: "minted" }, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: `/api/api-keys/${missing}`, roles: MEMBERS },
  { method: "PUT", path: `/api/api-keys/${missing}`, body: { budget_usd_cents: null }, roles: OWNERS_AND_ADMINS },
  { method: "DELETE", path: `/api/api-keys/${missing}`, roles: MEMBERS },
  { method: "POST", path: `/api/api-keys/${missing}/rotate`, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: "/api/personal-tokens", roles: EVERYONE },
  { method: "POST", path: "/api/personal-tokens", body: { name: "laptop" }, roles: EVERYONE },
  { method: "GET", path: `/api/personal-tokens/${missing}`, roles: EVERYONE },
  { method: "DELETE", path: `/api/personal-tokens/${missing}`, roles: EVERYONE },
  { method: "GET", path: "/api/organisation", roles: EVERYONE },
  { method: "PUT", path: "/api/organisation", body: { name: "Acme" }, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: "/api/gate/agents", roles: MEMBERS },
  { method: "POST", path: "/api/gate/agents", body: { name: "Support bot" }, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: `/api/gate/agents/${missing}`, roles: MEMBERS },
  { method: "PUT", path: `/api/gate/agents/${missing}`, body: { name: "Renamed" }, roles: OWNERS_AND_ADMINS },
  { method: "POST", path: `/api/gate/agents/${missing}/regenerate-key`, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: "/api/gate/tools", roles: MEMBERS },
  { method: "POST", path: "/api/gate/tools", body: { name: "issue_refund" }, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: `/api/gate/tools/${missing}`, roles: MEMBERS },
  { method: "PUT", path: `/api/gate/tools/${missing}`, body: { default_action: "review" }, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: "/api/gate/threads", roles: EVERYONE },
  { method: "GET", path: "/api/gate/threads/THR-00000000", roles: EVERYONE },
  { method: "POST", path: "/api/gate/threads/THR-00000000/decision", body: { action: "approve", message: "ok" }, roles: EVERYONE },
  { method: "GET", path: "/api/channels", roles: MEMBERS },
  {
    method: "POST",
    path: "/api/channels",
    body: { type: "email", agent_id: missing, settings: { from_address: "help@acme.test" } },
    roles: OWNERS_AND_ADMINS,
  },
  { method: "GET", path: `/api/channels/${missing}`, roles: MEMBERS },
  { method: "PATCH", path: `/api/channels/${missing}`, body: { enabled: false }, roles: OWNERS_AND_ADMINS },
  { method: "DELETE", path: `/api/channels/${missing}`, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: "/api/automations", roles: MEMBERS },
  { method: "POST", path: "/api/automations", body: { name: "Nightly sync" }, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: `/api/automations/${missing}`, roles: MEMBERS },
  { method: "PATCH", path: `/api/automations/${missing}`, body: { name: "Renamed" }, roles: OWNERS_AND_ADMINS },
  { method: "DELETE", path: `/api/automations/${missing}`, roles: OWNERS_AND_ADMINS },
  { method: "POST", path: `/api/automations/${missing}/publish`, roles: OWNERS_AND_ADMINS },
  { method: "POST", path: `/api/automations/${missing}/unpublish`, roles: OWNERS_AND_ADMINS },
  { method: "POST", path: `/api/automations/${missing}/trigger-secret`, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: `/api/automations/${missing}/runs`, roles: MEMBERS },
  { method: "GET", path: `/api/automation-runs/${missing}`, roles: MEMBERS },
  { method: "POST", path: `/api/automation-runs/${missing}/rerun`, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: "/api/webhook-endpoints", roles: MEMBERS },
  { method: "POST", path: "/api/webhook-endpoints", body: { url: "https://203.0.113.9/hook" }, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: `/api/webhook-endpoints/${missing}`, roles: MEMBERS },
  { method: "PATCH", path: `/api/webhook-endpoints/${missing}`, body: { enabled: false }, roles: OWNERS_AND_ADMINS },
  { method: "DELETE", path: `/api/webhook-endpoints/${missing}`, roles: OWNERS_AND_ADMINS },
  { method: "POST", path: `/api/webhook-endpoints/${missing}/rotate-secret`, roles: OWNERS_AND_ADMINS },
  { method: "POST", path: `/api/webhook-endpoints/${missing}/test`, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: `/api/webhook-endpoints/${missing}/deliveries`, roles: MEMBERS },
  { method: "POST", path: `/api/webhook-deliveries/${missing}/resend`, roles: OWNERS_AND_ADMINS },
  { method: "GET", path: "/api/widget-keys", roles: MEMBERS },
  {
    method: "POST",
    path: "/api/widget-keys",
    body: { agent_id: missing, allowed_origins: ["https://www.acme.test"] },
    roles: OWNERS_AND_ADMINS,
  },
  { method: "GET", path: `/api/widget-keys/${missing}`, roles: MEMBERS },
  { method: "PATCH", path: `/api/widget-keys/${missing}`, body: { name: "Renamed" }, roles: OWNERS_AND_ADMINS },
  { method: "DELETE", path: `/api/widget-keys/${missing}`, roles: OWNERS_AND_ADMINS },
  { method: "POST", path: `/api/widget-keys/${missing}/identity-secret`, roles: OWNERS_AND_ADMINS },
  { method: "POST", path: "/api/agent", body: { message: "hello" }, withKey: true, roles: MEMBERS },
  { method: "GET", path: `/api/agent/${missing}`, withKey: true, roles: MEMBERS },
];

const isNamed = (body: unknown): body is { name: string } => typeof body === "object" && body !== null && "name" in body;
/** Tasks the matrix queued: they finish before the background tests script the model. */
const acceptedTasks: Array<{ token: string; key: string; id: string }> = [];

/** `/api/gate/agents/{id}` for `/api/gate/agents/<uuid>`: the document's path template. */
const template = (path: string) =>
  path
    .replace(missing, "{id}")
    .replace(/^\/api\/agent\/\{id\}$/, "/api/agent/{conversation_uuid}")
    .replace("THR-00000000", "{thread_id}");

describe("roles on personal-token routes", () => {
  it("lists every operation the document serves with a personal access token", async () => {
    const document = (await (await fetch(`${world.app.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
    };
    const tokenRoutes = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, operation]) => operation.security?.some((requirement) => "accessToken" in requirement))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(matrix.map((row) => `${row.method} ${template(row.path)}`).sort()).toEqual(tokenRoutes.sort());
  });

  for (const row of matrix) {
    for (const role of ROLES) {
      const admitted = row.roles.includes(role);
      it(`${row.method} ${template(row.path)} as ${role}: ${admitted ? "admitted" : "403 FORBIDDEN"}`, async () => {
        const member = world.seeded.members[role];
        // Names are unique per organisation: each admitted role creates its own.
        const body = isNamed(row.body) ? { ...row.body, name: `${row.body.name}_${role}` } : row.body;
        const reply = await call(row.method, row.path, { token: member.token, key: row.withKey ? member.key : undefined, body });
        if (reply.status === 202) acceptedTasks.push({ ...member, id: String(reply.body.conversation_uuid) });
        if (admitted) {
          expect(reply.status, JSON.stringify(reply.body)).not.toBe(403);
          expect(reply.status).toBeLessThan(500);
        } else {
          expect(reply.status).toBe(403);
          expect(code(reply)).toBe("FORBIDDEN");
          expect(String((reply.body.error as { message: string }).message)).toContain(`your role is ${role}`);
        }
      });
    }
  }

  it("a member mints no key at all: none appears in their list", async () => {
    const { member } = world.seeded.members;
    expect((await call("POST", "/api/api-keys", { token: member.token, body: { label: "sneaky" } })).status).toBe(403);
    const listed = await call("GET", "/api/api-keys", { token: member.token });
    expect((listed.body.data as Array<{ label: string }>).map((key) => key.label)).not.toContain("sneaky");
  });
});

async function waitForTask(token: string, key: string, id: string, statuses: string[], timeoutMs = 20_000): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await call("GET", `/api/agent/${id}`, { token, key });
    if (statuses.includes(String(reply.body.status)) || Date.now() > deadline) return reply;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A key of the worker's with a reply webhook, made through key management like a customer would. */
async function keyWithWebhook(): Promise<{ id: string; key: string }> {
  const reply = await call("POST", "/api/api-keys", {
    token: world.seeded.worker.token,
    body: { label: "queued work", response_url: receiver.url },
  });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; key: string };
}

/** Queues `count` tasks behind a first one the model answers slowly; returns their ids in order. */
async function queueBehindSlowTask(key: string, count: number): Promise<string[]> {
  upstream.script({ content: "slow answer", delayMs: 2_500 });
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const reply = await call("POST", "/api/agent", { token: world.seeded.worker.token, key, body: { message: `task ${index}` } });
    expect(reply.status).toBe(202);
    ids.push(String(reply.body.conversation_uuid));
  }
  return ids;
}

describe("revocation and the channel switch reach queued work", () => {
  beforeAll(async () => {
    await Promise.all(acceptedTasks.map((task) => waitForTask(task.token, task.key, task.id, ["resolved", "failed"])));
  });

  it("tasks queued under a key revoked before they run fail without calling the model, and say so by webhook", async () => {
    const { worker } = world.seeded;
    const created = await keyWithWebhook();
    const ids = await queueBehindSlowTask(created.key, 20);
    expect((await call("DELETE", `/api/api-keys/${created.id}`, { token: worker.token })).status).toBe(200);
    // Every task answers by webhook; then read each once (polling needs a live key: a second one of the same user).
    const webhooks = await receiver.waitFor(20, 30_000);
    const reader = await keyWithWebhook();
    const finals = await Promise.all(ids.map((id) => call("GET", `/api/agent/${id}`, { token: worker.token, key: reader.key })));
    const failed = finals.filter((reply) => reply.body.status === "failed");
    // Only the task already running when the key was revoked may have reached the model.
    expect(upstream.requests.length).toBeLessThanOrEqual(1);
    expect(failed.length).toBeGreaterThanOrEqual(19);
    const failures = webhooks.map((hook) => JSON.parse(hook.rawBody.toString()) as { status: string; error?: string });
    expect(failures.filter((payload) => payload.status === "failed" && payload.error?.includes("revoked")).length).toBeGreaterThanOrEqual(
      19,
    );
  });

  // Expiry is set on the row while the first task holds the worker: that needs a second connection (Postgres).
  it.runIf(testBackend() !== "pglite")("tasks queued under a key that expires before they run fail the same way", async () => {
    const created = await keyWithWebhook();
    await queueBehindSlowTask(created.key, 5);
    await world
      .db!.update(tables.apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(tables.apiKeys.publicId, created.id));
    const webhooks = await receiver.waitFor(5, 30_000);
    expect(upstream.requests.length).toBeLessThanOrEqual(1);
    const payloads = webhooks.map((hook) => JSON.parse(hook.rawBody.toString()) as { status: string; error?: string });
    expect(payloads.filter((payload) => payload.status === "failed" && payload.error?.includes("expired")).length).toBeGreaterThanOrEqual(
      4,
    );
  });

  it("switching the API channel off refuses new tasks (403 CHANNEL_DISABLED) and stops queued ones", async () => {
    const { worker } = world.seeded;
    const created = await keyWithWebhook();
    const ids = await queueBehindSlowTask(created.key, 6);
    const off = await call("PUT", "/api/organisation", { token: worker.token, body: { api_channel_enabled: false } });
    expect(off.status).toBe(200);
    expect(off.body.api_channel_enabled).toBe(false);

    const refused = await call("POST", "/api/agent", { token: worker.token, key: created.key, body: { message: "more" } });
    expect(refused.status).toBe(403);
    expect(code(refused)).toBe("CHANNEL_DISABLED");

    const webhooks = await receiver.waitFor(6);
    const payloads = webhooks.map(
      (hook) => JSON.parse(hook.rawBody.toString()) as { conversation_uuid: string; status: string; error?: string },
    );
    expect(payloads.map((payload) => payload.conversation_uuid).sort()).toEqual([...ids].sort());
    expect(
      payloads.filter((payload) => payload.status === "failed" && payload.error?.includes("API channel")).length,
    ).toBeGreaterThanOrEqual(5);
    expect(upstream.requests.length).toBeLessThanOrEqual(1);

    const on = await call("PUT", "/api/organisation", { token: worker.token, body: { api_channel_enabled: true } });
    expect(on.body.api_channel_enabled).toBe(true);
  });
});
