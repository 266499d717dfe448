import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { GateDecisionWebhook } from "@/lib/contracts";
import { startWorld, type World } from "./support/app";
import { createMember, createTenant } from "./support/fixtures";
import { expectDocumented } from "./support/openapi-contract";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

let receiver: WebhookReceiver;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  const globex = await createTenant(db, "Globex");
  const mallory = await createMember(db, globex.org.id, "mallory@globex.test");
  return { alice, mallory };
}

interface Reply {
  status: number;
  text: string;
  json: Record<string, unknown>;
  contentType: string;
}

async function call(method: string, path: string, bearer: string | null, body?: unknown): Promise<Reply> {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}), "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // plain text
  }
  return { status: response.status, text, json, contentType: response.headers.get("content-type") ?? "" };
}

const admin = (method: string, path: string, body?: unknown) => call(method, path, world.seeded.alice.token, body);

async function registerAgent(settings: Record<string, unknown> = {}) {
  const reply = await admin("POST", "/api/gate/agents", {
    name: "Support bot",
    signed_tokens_enabled: true,
    webhook_url: receiver.url,
    ...settings,
  });
  expect(reply.status, reply.text).toBe(201);
  return reply.json as { id: string; key: string; webhook_secret: string };
}

let refundToolCreated = false;
async function refundTool() {
  if (refundToolCreated) return;
  const reply = await admin("POST", "/api/gate/tools", {
    name: "issue_refund",
    default_action: "review",
    rules: [
      { type: "lower_limit", parameter: "amount", value: 50, action: "allow" },
      { type: "between", parameter: "amount", min: 250, max: 1000, action: "review" },
      { type: "upper_limit", parameter: "amount", value: 1000, action: "escalate" },
      { type: "contains", parameter: "reason", value: "fraud", action: "reject" },
      { type: "regex", parameter: "email", pattern: ".*@competitor\\.com$", action: "review" },
    ],
  });
  expect(reply.status, reply.text).toBe(201);
  refundToolCreated = true;
}

const request = (key: string, taskId: string, payload: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  call("POST", `/api/agent/tasks/${taskId}/requests`, key, {
    workflow_name: "Customer Support",
    task_label: `Refund request - ${taskId}`,
    tool_name: "issue_refund",
    subject: "Issue refund to customer cus_99",
    preview: "Item never arrived per carrier.",
    risk_level: "high",
    summary: ["Order placed 14 days ago via web", "No tracking movement after day 2"],
    payload,
    ...extra,
  });

let taskCounter = 0;
const newTask = () => `task-${Date.now()}-${++taskCounter}`;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  world = await startWorld({ seed, env: { TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1", JOB_RETRY_BASE_MS: "50", KEY_CACHE_TTL_MS: "0" } });
  await refundTool();
});

afterAll(async () => {
  await world?.close();
  await receiver?.close();
});

beforeEach(() => {
  receiver.received.length = 0;
  receiver.setFallback({ status: 200 });
});

describe("rules decide requests", () => {
  it("allow, review, escalate and reject by rule, strongest action winning", async () => {
    const { key } = await registerAgent();
    const allow = await request(key, newTask(), { amount: 20 });
    expect(allow.json).toMatchObject({ status: "allow", message: expect.any(String), recommended_poll_after_seconds: 0 });
    expect(allow.json.thread_id).toBeUndefined();

    const review = await request(key, newTask(), { amount: 500 });
    expect(review.json).toMatchObject({
      status: "pending_review",
      thread_id: expect.stringMatching(/^THR-[0-9A-F]{8}$/),
      recommended_poll_after_seconds: expect.any(Number),
    });

    const escalate = await request(key, newTask(), { amount: 5000 });
    expect(escalate.json.status).toBe("pending_review");
    const opened = await admin("GET", `/api/gate/threads/${escalate.json.thread_id as string}`);
    expect(opened.json).toMatchObject({ status: "escalated", elevated: true });

    // allow (amount < 50) and reject (contains "fraud", any case) both match: reject wins.
    const reject = await request(key, newTask(), { amount: 20, reason: "Possible FRAUD ring" });
    expect(reject.json.status).toBe("reject");

    // No rule matches: the tool's default action (review).
    const fallback = await request(key, newTask(), { amount: 100 });
    expect(fallback.json.status).toBe("pending_review");

    const regex = await request(key, newTask(), { amount: 20, email: "spy@competitor.com" });
    expect(regex.json.status).toBe("pending_review");
  });

  it("answers 400 in plain text for missing fields, unknown tools and unsafe or invalid rules", async () => {
    const { key } = await registerAgent();
    const missing = await call("POST", `/api/agent/tasks/${newTask()}/requests`, key, { workflow_name: "x" });
    expect(missing.status).toBe(400);
    expect(missing.contentType).toContain("text/plain");
    expect(missing.text).toMatch(/task_label/);
    const unknown = await request(key, newTask(), {}, { tool_name: "launch_missiles" });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/Unknown tool_name/);
    const badRegex = await admin("POST", "/api/gate/tools", {
      name: "bad",
      rules: [{ type: "regex", parameter: "x", pattern: "(a", action: "review" }],
    });
    expect(badRegex.status).toBe(400);
    const redos = await admin("POST", "/api/gate/tools", {
      name: "redos",
      rules: [{ type: "regex", parameter: "x", pattern: "^(a+)+$", action: "review" }],
    });
    if (redos.status === 201) {
      await admin("POST", "/api/gate/tools", { name: "redos-probe", rules: [] });
      const started = Date.now();
      const probe = await request(key, newTask(), { x: `${"a".repeat(50_000)}!` }, { tool_name: "redos" });
      expect(probe.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);
    } else {
      expect(redos.status).toBe(400);
    }
  });
});

describe("threads, decisions and approval tokens", () => {
  it("runs a thread from request to approval, with a one-time token and a signed webhook", async () => {
    const agent = await registerAgent();
    const taskId = newTask();
    const logged = await call("POST", `/api/agent/tasks/${taskId}/events`, agent.key, {
      event_type: "task.started",
      event_summary: "Customer requested refund for order #8821",
      payload: { order_id: "ord_8821" },
      images: ["data:image/png;base64,iVBORw0KGgo="],
    });
    expect(logged.status).toBe(201);
    expect(logged.text).toBe("");
    const pending = await request(agent.key, taskId, { amount: 500 }, { images: ["data:image/png;base64,iVBORw0KGgo="] });
    const threadId = pending.json.thread_id as string;

    const poll = await call("GET", `/api/agent/decisions?thread_id=${threadId}`, agent.key);
    expect(poll.json).toMatchObject({ status: "pending_review", thread_id: threadId, task_id: taskId });
    expect(poll.json.approval_token).toBeUndefined();

    const listed = await admin("GET", "/api/gate/threads?status=needs_review&risk_level=high");
    expect((listed.json.data as Array<{ thread_id: string }>).map((thread) => thread.thread_id)).toContain(threadId);
    const opened = await admin("GET", `/api/gate/threads/${threadId}`);
    expect(opened.json).toMatchObject({
      subject: "Issue refund to customer cus_99",
      summary: ["Order placed 14 days ago via web", "No tracking movement after day 2"],
      payload: { amount: 500 },
      images: ["data:image/png;base64,iVBORw0KGgo="],
      timeline: [
        {
          event_type: "task.started",
          event_summary: "Customer requested refund for order #8821",
          images: ["data:image/png;base64,iVBORw0KGgo="],
        },
      ],
    });

    const approved = await admin("POST", `/api/gate/threads/${threadId}/decision`, {
      action: "approve",
      message: "Approved. Verified with customer history.",
    });
    expect(approved.json.status).toBe("approved");

    const decision = await call("GET", `/api/agent/decisions?task_id=${taskId}`, agent.key);
    expect(decision.json).toMatchObject({
      status: "approved",
      thread_id: threadId,
      message: "Approved. Verified with customer history.",
      approval_token: expect.any(String),
    });
    expect(decision.json.token_expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const token = decision.json.approval_token as string;

    const validate = (task: string) => call("POST", "/api/agent/approvals/validate", agent.key, { task_id: task, signature: token });
    expect((await validate("another-task")).json).toEqual({ valid: false, reason: "task_mismatch" });
    expect((await validate(taskId)).json).toEqual({ valid: true });
    expect((await validate(taskId)).json).toEqual({ valid: false, reason: "already_used" });
    const forged = await call("POST", "/api/agent/approvals/validate", agent.key, {
      task_id: taskId,
      signature: `${token.slice(0, -2)}xx`,
    });
    expect(forged.json).toEqual({ valid: false, reason: "invalid" });

    const [webhook] = await receiver.waitFor(1);
    const body = webhook!.rawBody.toString();
    expect(JSON.parse(body)).toEqual({
      thread_id: threadId,
      task_id: taskId,
      decision: "approved",
      message: "Approved. Verified with customer history.",
      tenant_id: world.seeded.alice && expect.any(String),
      workflow_name: "Customer Support",
      task_label: `Refund request - ${taskId}`,
    });
    expect(GateDecisionWebhook.safeParse(JSON.parse(body)).error).toBeUndefined();
    const id = String(webhook!.headers["webhook-id"]);
    const timestamp = String(webhook!.headers["webhook-timestamp"]);
    const expected = createHmac("sha256", Buffer.from(agent.webhook_secret.replace(/^whsec_/, ""), "base64"))
      .update(`${id}.${timestamp}.${body}`)
      .digest("base64");
    expect(webhook!.headers["webhook-signature"]).toBe(`v1,${expected}`);

    const again = await admin("POST", `/api/gate/threads/${threadId}/decision`, { action: "reject", message: "too late" });
    expect(again.status).toBe(400);
  });

  it("lets exactly one of 50 concurrent validations of a token succeed", async () => {
    const agent = await registerAgent();
    const taskId = newTask();
    const pending = await request(agent.key, taskId, { amount: 600 });
    await admin("POST", `/api/gate/threads/${pending.json.thread_id as string}/decision`, { action: "approve", message: "ok" });
    const token = (await call("GET", `/api/agent/decisions?thread_id=${pending.json.thread_id as string}`, agent.key)).json
      .approval_token as string;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => call("POST", "/api/agent/approvals/validate", agent.key, { task_id: taskId, signature: token })),
    );
    expect(results.filter((reply) => reply.json.valid === true)).toHaveLength(1);
    expect(results.filter((reply) => reply.json.reason === "already_used")).toHaveLength(49);
  });

  it("rejects without a token; escalation keeps the thread open and flags it", async () => {
    const agent = await registerAgent({ webhook_url: null });
    const pending = await request(agent.key, newTask(), { amount: 700 });
    const threadId = pending.json.thread_id as string;
    const escalated = await admin("POST", `/api/gate/threads/${threadId}/decision`, { action: "escalate", message: "Needs a manager" });
    expect(escalated.json).toMatchObject({ status: "escalated", elevated: true });
    await admin("POST", `/api/gate/threads/${threadId}/decision`, { action: "reject", message: "Refund denied" });
    const decision = await call("GET", `/api/agent/decisions?thread_id=${threadId}`, agent.key);
    expect(decision.json).toEqual({ status: "rejected", thread_id: threadId, task_id: pending.json.task_id, message: "Refund denied" });
  });

  it("retries decision webhooks that fail", async () => {
    const agent = await registerAgent();
    receiver.script({ status: 500 }, { status: 503 });
    const pending = await request(agent.key, newTask(), { amount: 300 });
    await admin("POST", `/api/gate/threads/${pending.json.thread_id as string}/decision`, { action: "approve", message: "fine" });
    const deliveries = await receiver.waitFor(3, 15_000);
    expect(new Set(deliveries.map((delivery) => delivery.rawBody.toString())).size).toBe(1);
  });
});

describe("revisions", () => {
  it("supersede a pending request, are re-evaluated by the rules, and are refused after a final decision", async () => {
    const agent = await registerAgent({ webhook_url: null });
    const taskId = newTask();
    const pending = await request(agent.key, taskId, { amount: 500 });
    const threadId = pending.json.thread_id as string;
    const revise = (revisionId: string, payload: Record<string, unknown>) =>
      call("POST", `/api/agent/tasks/${taskId}/events`, agent.key, {
        event_type: `revision.${taskId}.${threadId}`,
        event_summary: "Agent revised the request after reviewer feedback.",
        payload: {
          revision: { revision_id: revisionId, subject: "Approve conditional refund for customer cus_99", request_payload: payload },
        },
      });
    expect((await revise("rev-002", { amount: 5000, release_condition: "return_label_scanned" })).status).toBe(201);
    const opened = await admin("GET", `/api/gate/threads/${threadId}`);
    expect(opened.json).toMatchObject({
      status: "escalated",
      elevated: true,
      revision_id: "rev-002",
      subject: "Approve conditional refund for customer cus_99",
      payload: { amount: 5000 },
    });

    // The next revision falls under the allow rule: the rules approve it.
    expect((await revise("rev-003", { amount: 10 })).status).toBe(201);
    const decided = await call("GET", `/api/agent/decisions?thread_id=${threadId}`, agent.key);
    expect(decided.json.status).toBe("approved");

    const late = await revise("rev-004", { amount: 600 });
    expect(late.status).toBe(400);
    expect(late.text).toMatch(/final/);
  });
});

describe("agent keys and access", () => {
  it("401 for a bad key, 403 when paused, revoked or polling is off; regenerating replaces the key", async () => {
    const agent = await registerAgent();
    expect((await call("GET", "/api/agent/decisions?task_id=x", "sg_not_a_real_key")).status).toBe(401);
    expect((await call("GET", "/api/agent/decisions?task_id=x", null)).status).toBe(401);

    await admin("PUT", `/api/gate/agents/${agent.id}`, { polling_enabled: false });
    const polling = await call("GET", "/api/agent/decisions?task_id=x", agent.key);
    expect(polling.status).toBe(403);
    expect(polling.text).toMatch(/Polling is disabled/);
    await admin("PUT", `/api/gate/agents/${agent.id}`, { polling_enabled: true, status: "paused" });
    expect((await request(agent.key, newTask(), { amount: 20 })).status).toBe(403);
    await admin("PUT", `/api/gate/agents/${agent.id}`, { status: "active" });
    expect((await request(agent.key, newTask(), { amount: 20 })).status).toBe(200);

    const regenerated = await admin("POST", `/api/gate/agents/${agent.id}/regenerate-key`);
    const newKey = regenerated.json.key as string;
    expect(newKey).toMatch(/^sg_/);
    expect((await request(agent.key, newTask(), { amount: 20 })).status).toBe(401);
    expect((await request(newKey, newTask(), { amount: 20 })).status).toBe(200);

    await admin("PUT", `/api/gate/agents/${agent.id}`, { status: "revoked" });
    expect((await request(newKey, newTask(), { amount: 20 })).status).toBe(403);
  });

  it("404 for another organisation's threads and tasks", async () => {
    const agent = await registerAgent();
    const taskId = newTask();
    const pending = await request(agent.key, taskId, { amount: 400 });
    const threadId = pending.json.thread_id as string;
    const stranger = await call("GET", `/api/gate/threads/${threadId}`, world.seeded.mallory.token);
    expect(stranger.status).toBe(404);
    expect(
      (await call("POST", `/api/gate/threads/${threadId}/decision`, world.seeded.mallory.token, { action: "approve", message: "mine now" }))
        .status,
    ).toBe(404);
    const otherAgent = await call("POST", "/api/gate/agents", world.seeded.mallory.token, { name: "Other" });
    const otherKey = otherAgent.json.key as string;
    expect((await call("GET", `/api/agent/decisions?thread_id=${threadId}`, otherKey)).status).toBe(404);
    expect((await call("GET", `/api/agent/decisions?task_id=${taskId}`, otherKey)).status).toBe(404);
    // A second agent of the same organisation does not see the first one's threads either.
    const sibling = await registerAgent();
    expect((await call("GET", `/api/agent/decisions?thread_id=${threadId}`, sibling.key)).status).toBe(404);
  });

  it("caps image sizes and validates event types", async () => {
    const agent = await registerAgent();
    const big = `data:image/png;base64,${Buffer.alloc(3 * 1024 * 1024).toString("base64")}`;
    const tooBig = await call("POST", `/api/agent/tasks/${newTask()}/events`, agent.key, {
      event_type: "step.completed",
      event_summary: "x",
      images: [big],
    });
    expect(tooBig.status).toBe(413);
    const notImage = await call("POST", `/api/agent/tasks/${newTask()}/events`, agent.key, {
      event_type: "step.completed",
      event_summary: "x",
      images: ["hello"],
    });
    expect(notImage.status).toBe(400);
    const badType = await call("POST", `/api/agent/tasks/${newTask()}/events`, agent.key, {
      event_type: "no spaces allowed",
      event_summary: "x",
    });
    expect(badType.status).toBe(400);
  });
});
