/**
 * What gate agents may store is capped: per request (body size, number, size and total of the
 * images, payload size) and per organisation (GATE_IMAGE_STORAGE_MAX_MB); refusals are 413s in
 * the gate's plain-text envelope, and a refused event stores nothing, not even its revision.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { createGateAgent } from "@/lib/gate/agents";
import { createGateTool } from "@/lib/gate/tools";
import { startWorld, type World } from "../support/app";
import { createMember, createTenant } from "../support/fixtures";

const STORAGE_MB = 3;

let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const globex = await createTenant(db, "Globex");
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  await createGateTool(db, acme.org.id, { name: "issue_refund", default_action: "review", rules: [] });
  const acmeGate = await createGateAgent(db, acme.org.id, { name: "Acme bot" });
  const globexGate = await createGateAgent(db, globex.org.id, { name: "Globex bot" });
  return { alice, acmeGateKey: acmeGate.key, globexGateKey: globexGate.key };
}

beforeAll(async () => {
  world = await startWorld({ seed, env: { GATE_IMAGE_STORAGE_MAX_MB: String(STORAGE_MB), RATE_LIMIT_PER_KEY_PER_MINUTE: "10000" } });
});

afterAll(async () => {
  await world?.close();
});

const MB = 1024 * 1024;
const image = (bytes: number) => `data:image/png;base64,${Buffer.alloc(bytes, 7).toString("base64")}`;

async function post(gateKey: string, path: string, body: unknown) {
  const response = await fetch(`${world.app.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${gateKey}`, "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

const event = (images: string[], extra: Record<string, unknown> = {}) => ({
  event_type: "task.progress",
  event_summary: "Screenshot",
  images,
  ...extra,
});

describe("per request", () => {
  it("refuses an image above 2 MB, images above 8 MB together, and more than 10 images", async () => {
    const key = world.seeded.globexGateKey;
    const large = await post(key, "/api/agent/tasks/t1/events", event([image(2 * MB + 1)]));
    expect(large.status).toBe(413);
    expect(large.text).toMatch(/images\[0\] exceeds 2 MB/);
    expect(large.headers.get("content-type")).toContain("text/plain");

    const together = await post(key, "/api/agent/tasks/t1/events", event(Array.from({ length: 5 }, () => image(1.9 * MB))));
    expect(together.status).toBe(413);
    expect(together.text).toMatch(/total 8 MB/);

    const many = await post(key, "/api/agent/tasks/t1/events", event(Array.from({ length: 11 }, () => image(10))));
    expect(many.status).toBe(400);
    expect(many.text).toMatch(/at most 10 images/);
  });

  it("refuses a body above 16 MB and a payload above 64 KB", async () => {
    const key = world.seeded.globexGateKey;
    const body = await post(key, "/api/agent/tasks/t1/events", JSON.stringify(event([], { event_summary: "x".repeat(17 * MB) })));
    expect(body.status).toBe(413);
    const payload = await post(key, "/api/agent/tasks/t1/events", event([], { payload: { notes: "n".repeat(70_000) } }));
    expect(payload.status).toBe(400);
    expect(payload.text).toMatch(/payload must be at most 64 KB/);
  });
});

describe("per organisation", () => {
  it("stores images up to GATE_IMAGE_STORAGE_MAX_MB, then refuses with 413; other organisations are unaffected", async () => {
    const key = world.seeded.acmeGateKey;
    const statuses: number[] = [];
    // 1.5 MB each: two fit in 3 MB, the third does not, whatever the order concurrent posts commit in.
    const replies = await Promise.all(Array.from({ length: 4 }, () => post(key, "/api/agent/tasks/t2/events", event([image(1.5 * MB)]))));
    for (const reply of replies) statuses.push(reply.status);
    expect(statuses.sort()).toEqual([201, 201, 413, 413]);
    const full = replies.find((reply) => reply.status === 413)!;
    expect(full.text).toBe(`This organisation's image storage (${STORAGE_MB} MB) is full`);
    expect(full.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

    // Events without images still work, and another organisation still stores images.
    expect((await post(key, "/api/agent/tasks/t2/events", event([]))).status).toBe(201);
    expect((await post(world.seeded.globexGateKey, "/api/agent/tasks/t3/events", event([image(MB)]))).status).toBe(201);
  });

  it("a revision refused for its images leaves the thread as it was", async () => {
    const key = world.seeded.acmeGateKey;
    const request = await post(key, "/api/agent/tasks/t4/requests", {
      workflow_name: "Support",
      task_label: "Refund",
      tool_name: "issue_refund",
      subject: "Refund $5",
      payload: { amount: 5 },
    });
    expect(request.status).toBe(200);
    const threadId = (JSON.parse(request.text) as { thread_id: string }).thread_id;
    const revision = await post(key, "/api/agent/tasks/t4/events", {
      event_type: `revision.t4.${threadId}`,
      event_summary: "Revised amount",
      payload: { revision: { revision_id: "r1", subject: "Refund $500", request_payload: { amount: 500 } } },
      images: [image(1.5 * MB)],
    });
    expect(revision.status).toBe(413);
    const thread = await fetch(`${world.app.url}/api/gate/threads/${threadId}`, {
      headers: { Authorization: `Bearer ${world.seeded.alice.token}` },
    });
    const body = (await thread.json()) as Record<string, unknown>;
    expect(JSON.stringify(body)).not.toContain("Refund $500");
    expect(JSON.stringify(body)).not.toContain("Revised amount");
  });
});
