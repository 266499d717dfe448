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
    expect((await validate(taskId)).json).toEqual({ valid: true });

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
    expect(results.filter((reply) => reply.status === 200 && reply.json.valid === true)).toHaveLength(1);
    expect(results.filter((reply) => reply.status === 409 && reply.json.reason === "already_used")).toHaveLength(49);
  });

  it("answers every token that does not validate with a 4xx and a JSON reason, so a client checking the status never proceeds", async () => {
    const agent = await registerAgent({ webhook_url: null });
    const taskId = newTask();
    const pending = await request(agent.key, taskId, { amount: 500 });
    await admin("POST", `/api/gate/threads/${pending.json.thread_id as string}/decision`, { action: "approve", message: "ok" });
    const token = (await call("GET", `/api/agent/decisions?task_id=${taskId}`, agent.key)).json.approval_token as string;
    // As the seed's client does it: the status first, then the JSON body.
    const validate = async (body: unknown) => {
      const reply = await call("POST", "/api/agent/approvals/validate", agent.key, body);
      expect(reply.contentType).toContain("application/json");
      return { status: reply.status, body: reply.json };
    };
    expect(await validate({ task_id: taskId, signature: `${token.slice(0, -2)}xx` })).toEqual({
      status: 403,
      body: { valid: false, reason: "invalid" },
    });
    expect(await validate({ task_id: "another-task", signature: token })).toEqual({
      status: 403,
      body: { valid: false, reason: "task_mismatch" },
    });
    const noToken = await validate({ task_id: taskId });
    expect(noToken.status).toBe(400);
    expect(noToken.body).toMatchObject({ valid: false, reason: "malformed", message: expect.stringContaining("signature") });
    const noTask = await validate({ signature: token });
    expect(noTask.status).toBe(400);
    expect(noTask.body).toMatchObject({ valid: false, reason: "malformed", message: expect.stringContaining("task_id") });
    expect((await validate({ task_id: "", signature: "" })).status).toBe(400);
    const notJson = await fetch(`${world.app.url}/api/agent/approvals/validate`, {
      method: "POST",
      headers: { Authorization: `Bearer ${agent.key}`, "Content-Type": "application/json" },
      body: "task_id=x",
    });
    const notJsonText = await notJson.text();
    expectDocumented("POST", "/api/agent/approvals/validate", notJson, notJsonText);
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJsonText)).toMatchObject({ valid: false, reason: "malformed" });

    // None of the refusals above used the token up.
    expect(await validate({ task_id: taskId, signature: token })).toEqual({ status: 200, body: { valid: true } });
    expect(await validate({ task_id: taskId, signature: token })).toEqual({ status: 409, body: { valid: false, reason: "already_used" } });
    // Errors of the key itself stay plain text, like everywhere on the gate.
    const badKey = await call("POST", "/api/agent/approvals/validate", "sg_not_a_real_key", { task_id: taskId, signature: token });
    expect(badKey.status).toBe(401);
    expect(badKey.contentType).toContain("text/plain");
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
    // The thread keeps every step, where its own row keeps only the last message.
    const opened = await admin("GET", `/api/gate/threads/${threadId}`);
    expect(
      (opened.json.decisions as Array<Record<string, unknown>>).map(({ status, decided_by, message }) => ({ status, decided_by, message })),
    ).toEqual([
      { status: "needs_review", decided_by: "rules", message: expect.stringContaining("human review") },
      { status: "escalated", decided_by: "reviewer", message: "Needs a manager" },
      { status: "rejected", decided_by: "reviewer", message: "Refund denied" },
    ]);
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

const revise = (key: string, taskId: string, threadId: string, revisionId: string, payload: Record<string, unknown>) =>
  call("POST", `/api/agent/tasks/${encodeURIComponent(taskId)}/events`, key, {
    event_type: `revision.${taskId}.${threadId}`,
    event_summary: "Agent revised the request after reviewer feedback.",
    payload: {
      revision: { revision_id: revisionId, subject: "Approve conditional refund for customer cus_99", request_payload: payload },
    },
  });

describe("revisions", () => {
  it("supersede a pending request, are re-evaluated by the rules, and are refused after a final decision", async () => {
    const agent = await registerAgent({ webhook_url: null });
    const taskId = newTask();
    const pending = await request(agent.key, taskId, { amount: 500 });
    const threadId = pending.json.thread_id as string;
    expect((await revise(agent.key, taskId, threadId, "rev-002", { amount: 300, release_condition: "return_label_scanned" })).status).toBe(
      201,
    );
    const opened = await admin("GET", `/api/gate/threads/${threadId}`);
    expect(opened.json).toMatchObject({
      status: "needs_review",
      revision_id: "rev-002",
      subject: "Approve conditional refund for customer cus_99",
      payload: { amount: 300, release_condition: "return_label_scanned" },
    });

    // The next revision falls under the allow rule: the rules approve it.
    expect((await revise(agent.key, taskId, threadId, "rev-003", { amount: 10 })).status).toBe(201);
    const decided = await call("GET", `/api/agent/decisions?thread_id=${threadId}`, agent.key);
    expect(decided.json.status).toBe("approved");

    const late = await revise(agent.key, taskId, threadId, "rev-004", { amount: 600 });
    expect(late.status).toBe(400);
    expect(late.text).toMatch(/final/);
  });

  it("never lower an escalated thread: it stays escalated until a reviewer decides, unless the rules reject the revision", async () => {
    const agent = await registerAgent({ webhook_url: null });
    const status = async (threadId: string) => (await call("GET", `/api/agent/decisions?thread_id=${threadId}`, agent.key)).json;

    // A reviewer escalates; the agent's revisions (one for review, one the rules would allow) leave it escalated.
    const byReviewer = newTask();
    const reviewed = (await request(agent.key, byReviewer, { amount: 500 })).json.thread_id as string;
    await admin("POST", `/api/gate/threads/${reviewed}/decision`, { action: "escalate", message: "Needs a manager" });
    expect((await revise(agent.key, byReviewer, reviewed, "rev-002", { amount: 400 })).status).toBe(201);
    expect(await status(reviewed)).toMatchObject({ status: "pending_review", review_status: "escalated" });
    expect((await revise(agent.key, byReviewer, reviewed, "rev-003", { amount: 10 })).status).toBe(201);
    expect(await status(reviewed)).toMatchObject({ status: "pending_review", review_status: "escalated" });
    const opened = await admin("GET", `/api/gate/threads/${reviewed}`);
    expect(opened.json).toMatchObject({ status: "escalated", elevated: true, revision_id: "rev-003", payload: { amount: 10 } });
    expect((await admin("GET", "/api/gate/threads?status=escalated")).json.data).toContainEqual(
      expect.objectContaining({ thread_id: reviewed }),
    );

    // Escalated by the rules: the same.
    const byRule = newTask();
    const ruled = (await request(agent.key, byRule, { amount: 5000 })).json.thread_id as string;
    expect((await revise(agent.key, byRule, ruled, "rev-002", { amount: 300 })).status).toBe(201);
    expect(await status(ruled)).toMatchObject({ status: "pending_review", review_status: "escalated" });

    // A reject by the rules still decides: it is stronger than escalate.
    expect((await revise(agent.key, byReviewer, reviewed, "rev-004", { amount: 10, reason: "fraud suspected" })).status).toBe(201);
    expect(await status(reviewed)).toMatchObject({ status: "rejected" });
  });
});

describe("task ids", () => {
  it("any task id that opens a thread can revise it, `:` and `#` included", async () => {
    const agent = await registerAgent({ webhook_url: null });
    const taskId = `order:8821#${++taskCounter}`;
    const pending = await call("POST", `/api/agent/tasks/${encodeURIComponent(taskId)}/requests`, agent.key, {
      workflow_name: "Customer Support",
      task_label: "Refund request - Order #8821",
      tool_name: "issue_refund",
      subject: "Issue refund of $500 to customer cus_99",
      payload: { amount: 500 },
    });
    expect(pending.json).toMatchObject({ status: "pending_review", task_id: taskId });
    const threadId = pending.json.thread_id as string;
    expect((await revise(agent.key, taskId, threadId, "rev-002", { amount: 300 })).status).toBe(201);
    const opened = await admin("GET", `/api/gate/threads/${threadId}`);
    expect(opened.json).toMatchObject({ task_id: taskId, revision_id: "rev-002", payload: { amount: 300 } });
    const polled = await call("GET", `/api/agent/decisions?task_id=${encodeURIComponent(taskId)}`, agent.key);
    expect(polled.json).toMatchObject({ status: "pending_review", thread_id: threadId, task_id: taskId });

    // A revision must name its task exactly.
    const misnamed = await call("POST", `/api/agent/tasks/${encodeURIComponent(taskId)}/events`, agent.key, {
      event_type: `revision.order.8821.${threadId}`,
      event_summary: "x",
      payload: { revision: { revision_id: "rev-003" } },
    });
    expect(misnamed.status).toBe(400);
    expect(misnamed.text).toContain(`revision.${taskId}.THR-`);

    // The one limit on task ids, its length, is the same on every endpoint.
    const long = "t".repeat(501);
    expect((await request(agent.key, long, { amount: 500 })).status).toBe(400);
    const event = await call("POST", `/api/agent/tasks/${long}/events`, agent.key, { event_type: "task.started", event_summary: "x" });
    expect(event.status).toBe(400);
    expect((await call("GET", `/api/agent/decisions?task_id=${long}`, agent.key)).status).toBe(400);
    const validated = await call("POST", "/api/agent/approvals/validate", agent.key, { task_id: long, signature: "x.y" });
    expect(validated).toMatchObject({ status: 400, json: { valid: false, reason: "malformed" } });
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

  it("takes images as plain base64, the type read from the bytes, or as data URLs; a shortened example is a clear 400", async () => {
    const agent = await registerAgent({ webhook_url: null });
    const taskId = newTask();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString("base64");
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]).toString("base64");
    const gif = Buffer.from("GIF89a\x01\x00\x01\x00", "latin1").toString("base64");
    const webp = Buffer.from("RIFF\x1a\x00\x00\x00WEBPVP8 ", "latin1").toString("base64");
    const logged = await call("POST", `/api/agent/tasks/${taskId}/events`, agent.key, {
      event_type: "task.started",
      event_summary: "Customer sent photos of the parcel",
      images: [png, jpeg, gif, webp, `data:image/png;base64,${png}`],
    });
    expect(logged.status, logged.text).toBe(201);
    const pending = await request(agent.key, taskId, { amount: 500 }, { images: [jpeg] });
    const opened = await admin("GET", `/api/gate/threads/${pending.json.thread_id as string}`);
    expect(opened.json.images).toEqual([`data:image/jpeg;base64,${jpeg}`]);
    expect((opened.json.timeline as Array<{ images: string[] }>)[0]!.images).toEqual([
      `data:image/png;base64,${png}`,
      `data:image/jpeg;base64,${jpeg}`,
      `data:image/gif;base64,${gif}`,
      `data:image/webp;base64,${webp}`,
      `data:image/png;base64,${png}`,
    ]);

    // The seed's own example is shortened with "...": the answer names the field and why.
    for (const example of ["data:image/png;base64,iVBORw0KG...", "iVBORw0KG..."]) {
      const refused = await call("POST", `/api/agent/tasks/${newTask()}/events`, agent.key, {
        event_type: "task.started",
        event_summary: "x",
        images: [png, example],
      });
      expect(refused.status).toBe(400);
      expect(refused.text).toMatch(/^images\[1\] is not valid base64: "\." is not a base64 character/);
    }
    const notAnImage = await request(agent.key, newTask(), { amount: 500 }, { images: [Buffer.from("%PDF-1.7").toString("base64")] });
    expect(notAnImage.status).toBe(400);
    expect(notAnImage.text).toMatch(/images\[0\] is not a PNG, JPEG, GIF or WebP image/);
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
