/**
 * Bad input is a 4xx in the surface's own envelope, never a 500, and a refused request stores
 * nothing: the cases the fuzzer found, one by one, against the running app.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { tables, type Db } from "@/lib/db";
import { createGateAgent } from "@/lib/gate/agents";
import { createGateTool } from "@/lib/gate/tools";
import { createManagedKey } from "@/lib/keys/manage";
import { startWorld, type World } from "../support/app";
import { withDatabase } from "../support/database";
import { createMember, createTenant } from "../support/fixtures";

let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  const gate = await createGateAgent(db, acme.org.id, { name: "Support bot" });
  const tool = await createGateTool(db, acme.org.id, { name: "issue_refund", description: "Refunds", default_action: "allow", rules: [] });
  return { acme, alice, gateKey: gate.key, toolId: tool.id };
}

beforeAll(async () => {
  world = await startWorld({ seed });
});

afterAll(async () => {
  await world?.close();
});

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

async function send(method: string, path: string, options: { bearer?: string; body?: string } = {}): Promise<Reply> {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: {
      ...(options.bearer ? { Authorization: `Bearer ${options.bearer}` } : {}),
      ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: options.body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

const token = () => world.seeded.alice.token;
const key = () => world.seeded.acme.key;
const chatPath = () => `/api/agents/${world.seeded.acme.agent.publicId}/chat`;
const requestId = (reply: Reply) => reply.headers.get("x-request-id");

describe("paths Next.js cannot decode", () => {
  it("are a 400 in the envelope of the surface owning the path, with a request id", async () => {
    const conduit = await send("POST", "/api/agents/%zz/chat", { bearer: key(), body: "{}" });
    expect(conduit.status).toBe(400);
    expect(conduit.json()).toEqual({
      error: { code: "BAD_REQUEST", message: expect.stringMatching(/percent-encoded/), request_id: requestId(conduit) },
    });

    const agentsApi = await send("GET", "/api/v1/agents/%C0%80", { bearer: key() });
    expect(agentsApi.status).toBe(400);
    expect(agentsApi.json()).toEqual({ error: expect.stringMatching(/percent-encoded/) });

    const admin = await send("GET", "/api/gate/tools/%ED%A0%80", { bearer: token() });
    expect(admin.status).toBe(400);
    expect(admin.json()).toEqual({ error: { code: "BAD_REQUEST", message: expect.any(String) } });

    const gate = await send("POST", "/api/agent/tasks/%E0%A4%A/events", { bearer: world.seeded.gateKey, body: "{}" });
    expect(gate.status).toBe(400);
    expect(gate.headers.get("content-type")).toContain("text/plain");

    const outside = await send("GET", "/%zz");
    expect(outside.status).toBe(400);
    expect(outside.headers.get("content-type")).toContain("application/json");
    for (const reply of [conduit, agentsApi, admin, gate, outside]) expect(requestId(reply)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("text PostgreSQL cannot store", () => {
  it("a NUL or an unpaired surrogate in any string of a body is refused before anything runs", async () => {
    for (const content of ["a\u0000b", "a\ud800b", "\udc00"]) {
      const reply = await send("POST", chatPath(), { bearer: key(), body: JSON.stringify({ messages: [{ role: "user", content }] }) });
      expect(reply.status).toBe(400);
      expect(reply.json()).toMatchObject({
        error: { code: "VALIDATION_FAILED", message: expect.stringMatching(/messages\.0\.content: must not contain NUL/) },
      });
    }
    const key422 = await send("PUT", "/api/organisation", { bearer: token(), body: JSON.stringify({ name: "ok", "\u0000": 1 }) });
    expect(key422.status).toBe(422);
    expect(key422.json()).toMatchObject({ error: { code: "VALIDATION_ERROR" } });
  });

  it("in path parameters and query strings too", async () => {
    const path = await send("GET", "/api/v1/agents/agt_%00x", { bearer: key() });
    expect(path.status).toBe(400);
    expect(path.json().error).toMatch(/agent_id: must not contain NUL/);
    const query = await send("GET", "/api/v1/agents/traces?agent_id=%00", { bearer: key() });
    expect(query.status).toBe(400);
    expect(query.json().error).toMatch(/Invalid query: agent_id/);
    const decisions = await send("GET", "/api/agent/decisions?thread_id=THR-%00", { bearer: world.seeded.gateKey });
    expect(decisions.status).toBe(400);
    expect(decisions.text).toMatch(/thread_id: must not contain NUL/);
  });
});

describe("JSON nested deeper than 64 levels", () => {
  it("is refused before it is parsed", async () => {
    const deep = "[".repeat(5_000) + "]".repeat(5_000);
    const reply = await send("POST", chatPath(), { bearer: key(), body: deep });
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ error: { code: "INVALID_JSON", message: expect.stringMatching(/nested deeper than 64/) } });
    // Brackets inside strings are text, not nesting.
    const brackets = await send("POST", chatPath(), {
      bearer: key(),
      body: JSON.stringify({ messages: [{ role: "user", content: "[".repeat(500) }] }),
    });
    expect(brackets.status).toBe(200);
  });
});

describe("integers beyond their column", () => {
  it("are a validation error, and the key that could not take its budget is not stored", async () => {
    const before = await send("GET", "/api/api-keys", { bearer: token() });
    for (const budget of [2_147_483_648, 1e20]) {
      const reply = await send("POST", "/api/api-keys", {
        bearer: token(),
        body: JSON.stringify({ label: "big", budget_usd_cents: budget }),
      });
      expect(reply.status).toBe(422);
      expect(reply.json()).toMatchObject({ error: { code: "VALIDATION_ERROR", message: expect.stringMatching(/budget_usd_cents/) } });
    }
    const limit = await send("PUT", "/api/organisation", { bearer: token(), body: JSON.stringify({ monthly_token_limit: 2 ** 31 }) });
    expect(limit.status).toBe(422);
    const after = await send("GET", "/api/api-keys", { bearer: token() });
    expect(after.json()).toEqual(before.json());
  });
});

describe("gate tools", () => {
  it("an update naming no field changes nothing and answers the tool", async () => {
    const reply = await send("PUT", `/api/gate/tools/${world.seeded.toolId}`, { bearer: token(), body: "{}" });
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ name: "issue_refund", description: "Refunds", default_action: "allow" });
  });

  it("of many concurrent creations of one name, one succeeds and the others are 409", async () => {
    const body = JSON.stringify({ name: "wire_transfer", default_action: "review" });
    const replies = await Promise.all(Array.from({ length: 12 }, () => send("POST", "/api/gate/tools", { bearer: token(), body })));
    expect(replies.filter((reply) => reply.status === 201)).toHaveLength(1);
    const conflicts = replies.filter((reply) => reply.status !== 201);
    expect(conflicts).toHaveLength(11);
    for (const reply of conflicts) {
      expect(reply.status).toBe(409);
      expect(reply.json()).toEqual({ error: { code: "CONFLICT", message: "A tool named wire_transfer already exists" } });
    }
  });
});

describe("a multi-step write that fails part-way", () => {
  it("leaves nothing behind: a key whose settings cannot be stored is not created", async () => {
    // Straight to the service, past the request schema, so that the second step (storing the
    // key's budget) is the one that fails, in the database.
    await withDatabase(async (db) => {
      const tenant = await createTenant(db, "Tx");
      const member = await createMember(db, tenant.org.id, "tx@tx.test");
      const owner = { userId: member.userId, orgId: tenant.org.id };
      const keys = async () => db.select().from(tables.apiKeys).where(eq(tables.apiKeys.orgId, owner.orgId));
      const before = await keys();
      await expect(createManagedKey(db, owner, { label: "unbounded", budget_usd_cents: 2 ** 40 })).rejects.toThrow();
      expect(await keys()).toEqual(before);
    });
  });
});
