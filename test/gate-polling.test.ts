/**
 * Polling for an approved decision, as a gate agent with signed tokens does: the approval token
 * comes with the decision only while it can still be used. Its own app, with approval tokens
 * that live 5 seconds, so expiry is seen without waiting a quarter of an hour.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createMember, createTenant } from "./support/fixtures";
import { expectDocumented } from "./support/openapi-contract";

const TOKEN_TTL_SECONDS = 5;
let world: World<Awaited<ReturnType<typeof seed>>>;
let gateKey: string;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  return { alice: await createMember(db, acme.org.id, "alice@acme.test") };
}

async function call(method: string, path: string, bearer: string, body?: unknown) {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  return { status: response.status, json: JSON.parse(text) as Record<string, unknown> };
}

let taskCounter = 0;

/** A task whose refund a reviewer approved, and its first poll. */
async function approvedTask() {
  const taskId = `task-${Date.now()}-${++taskCounter}`;
  const pending = await call("POST", `/api/agent/tasks/${taskId}/requests`, gateKey, {
    workflow_name: "Customer Support",
    task_label: "Refund request - Order #8821",
    tool_name: "issue_refund",
    subject: "Issue refund of $500 to customer cus_99",
    payload: { amount: 500 },
  });
  const threadId = pending.json.thread_id as string;
  await call("POST", `/api/gate/threads/${threadId}/decision`, world.seeded.alice.token, { action: "approve", message: "Verified." });
  const poll = () => call("GET", `/api/agent/decisions?thread_id=${threadId}`, gateKey);
  return { taskId, poll, first: await poll() };
}

beforeAll(async () => {
  world = await startWorld({ seed, env: { APPROVAL_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS) } });
  const token = world.seeded.alice.token;
  expect((await call("POST", "/api/gate/tools", token, { name: "issue_refund", default_action: "review" })).status).toBe(201);
  gateKey = (await call("POST", "/api/gate/agents", token, { name: "Support bot", signed_tokens_enabled: true })).json.key as string;
});

afterAll(async () => {
  await world?.close();
});

describe("polling an approved decision", () => {
  it("stops returning the approval token once it was used", async () => {
    const { taskId, poll, first } = await approvedTask();
    expect(first.json).toMatchObject({ status: "approved", approval_token: expect.any(String), token_expires_at: expect.any(String) });
    const validated = await call("POST", "/api/agent/approvals/validate", gateKey, {
      task_id: taskId,
      signature: first.json.approval_token,
    });
    expect(validated).toEqual({ status: 200, json: { valid: true } });

    const after = await poll();
    expect(after.json).toMatchObject({ status: "approved", message: "Verified." });
    expect(after.json).not.toHaveProperty("approval_token");
    expect(after.json).not.toHaveProperty("token_expires_at");
  });

  it("stops returning the approval token once it expired; validating it then is a 410", async () => {
    const { taskId, poll, first } = await approvedTask();
    const expiresAt = Date.parse(first.json.token_expires_at as string);
    expect(first.json.approval_token).toEqual(expect.any(String));
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 200));

    const after = await poll();
    expect(after.json).toMatchObject({ status: "approved" });
    expect(after.json).not.toHaveProperty("approval_token");
    const validated = await call("POST", "/api/agent/approvals/validate", gateKey, {
      task_id: taskId,
      signature: first.json.approval_token,
    });
    expect(validated).toEqual({ status: 410, json: { valid: false, reason: "expired" } });
  });
});
