import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { createGateAgent } from "@/lib/gate/agents";
import { startWorld, type World } from "./support/app";
import { createKey, createMember, createTenant } from "./support/fixtures";
import { uniqueIp } from "./support/http";

let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  const gate = await createGateAgent(db, acme.org.id, { name: "Support bot" });
  const aliceKey = await createKey(db, { orgId: acme.org.id, name: "alice's tasks", createdByUserId: alice.userId });
  return { acme, alice, aliceKey: aliceKey.secret, gateKey: gate.key };
}

beforeAll(async () => {
  // Every request comes from its own address, so the many unauthenticated probes below never
  // spend a failed-authentication budget.
  world = await startWorld({ seed, env: { TRUST_PROXY_HOPS: "1" } });
});

afterAll(async () => {
  await world?.close();
});

type Surface =
  | "conduit"
  | "sistava"
  | "agents-api"
  | "task-gateway"
  | "gate-agent"
  | "admin"
  | "channels"
  | "automations"
  | "embed"
  | "mcp"
  | "a2a"
  | "openai";

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

async function send(
  method: string,
  urlPath: string,
  options: { bearer?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const response = await fetch(`${world.app.url}${urlPath}`, {
    method,
    headers: {
      ...uniqueIp(),
      ...options.headers,
      ...(options.bearer ? { Authorization: `Bearer ${options.bearer}` } : {}),
      ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: options.body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Asserts that an error reply is in the given surface's envelope and carries a request id. */
function expectEnvelope(surface: Surface, reply: Reply, code: string): void {
  const requestId = reply.headers.get("x-request-id");
  expect(requestId, reply.text).toMatch(/^[0-9a-f-]{36}$/);
  if (surface === "gate-agent") {
    expect(reply.headers.get("content-type")).toContain("text/plain");
    expect(reply.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(reply.text) as unknown).toThrow();
    return;
  }
  const body = JSON.parse(reply.text) as { error: unknown };
  switch (surface) {
    case "mcp":
    case "a2a":
      expect(body).toEqual({
        jsonrpc: "2.0",
        error: { code: expect.any(Number), message: expect.any(String), data: { code, status: reply.status, request_id: requestId } },
        id: null,
      });
      return;
    case "conduit":
    case "sistava":
    case "channels":
    case "automations":
    case "embed":
      expect(body).toEqual({ error: { code, message: expect.any(String), request_id: requestId } });
      return;
    case "agents-api":
      expect(body).toEqual({ error: expect.any(String) });
      return;
    case "task-gateway":
    case "admin":
      expect(body).toEqual({ error: { code, message: expect.any(String) } });
      return;
    case "openai":
      // OpenAI names no code for a path it does not serve; for the rest, Conduit's own in lower case.
      expect(body).toEqual({
        error: {
          message: expect.any(String),
          type: "invalid_request_error",
          param: null,
          code: code === "NOT_FOUND" ? null : code.toLowerCase(),
        },
      });
      return;
  }
}

const API_ROOT = path.resolve(__dirname, "../app/api");

/** Every route file: its surface (route group), a URL that reaches it, and its file for messages. */
function routeFiles(): Array<{ surface: Surface; url: string; file: string }> {
  return (
    readdirSync(API_ROOT, { recursive: true, encoding: "utf8" })
      // Auth.js's own endpoints (dashboard sign-in) speak its protocol, not one of the API dialects.
      .filter((file) => path.basename(file) === "route.ts" && !file.startsWith("[[...path]]") && !file.startsWith("(auth-js)"))
      .map((file) => {
        const segments = path.dirname(file).split(path.sep);
        const group = segments[0]!.match(/^\((.+)\)$/)?.[1];
        const urlSegments = segments.slice(1).map((segment) => (segment.startsWith("[") ? "sample-id" : segment));
        return { surface: group as Surface, url: `/api/${urlSegments.join("/")}`, file };
      })
  );
}

describe("methods a route does not serve", () => {
  it("every route lives in a surface's route group", () => {
    const surfaces = new Set<string>([
      "conduit",
      "sistava",
      "agents-api",
      "task-gateway",
      "gate-agent",
      "admin",
      "channels",
      "automations",
      "embed",
      "mcp",
      "a2a",
      "openai",
    ]);
    const routes = routeFiles();
    expect(routes.length).toBeGreaterThan(30);
    for (const route of routes) expect(surfaces.has(route.surface), route.file).toBe(true);
  });

  it("answer 405 with Allow in the surface's envelope, and OPTIONS lists the same methods", async () => {
    for (const route of routeFiles()) {
      const served = new Set<string>();
      const allowHeaders: Array<string | null> = [];
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        const reply = await send(method, route.url, method === "GET" ? {} : { body: "{}" });
        if (reply.status !== 405) {
          served.add(method);
          continue;
        }
        expectEnvelope(route.surface, reply, "METHOD_NOT_ALLOWED");
        allowHeaders.push(reply.headers.get("allow"));
      }
      expect(served.size, route.file).toBeGreaterThan(0);
      const allow = [...served, ...(served.has("GET") ? ["HEAD"] : []), "OPTIONS"].sort().join(", ");
      for (const header of allowHeaders) expect(header, route.file).toBe(allow);
      const options = await send("OPTIONS", route.url);
      expect(options.status, route.file).toBe(204);
      expect(options.headers.get("allow"), route.file).toBe(allow);
    }
  });

  it("e.g. DELETE /api/v1/chat, PATCH /api/v1/agents, DELETE /api/agent, PUT /api/agent/decisions, PATCH /api/api-keys", async () => {
    const cases: Array<[string, string, Surface, string]> = [
      ["DELETE", "/api/v1/chat", "sistava", "OPTIONS, POST"],
      ["POST", "/api/health", "conduit", "GET, HEAD, OPTIONS"],
      ["PATCH", "/api/v1/agents", "agents-api", "GET, HEAD, OPTIONS, POST"],
      ["DELETE", "/api/agent", "task-gateway", "OPTIONS, POST"],
      ["PUT", "/api/agent/decisions", "gate-agent", "GET, HEAD, OPTIONS"],
      ["PATCH", "/api/api-keys", "admin", "GET, HEAD, OPTIONS, POST"],
      ["GET", "/api/mcp", "mcp", "OPTIONS, POST"],
      ["GET", "/api/a2a/agents/agt_x", "a2a", "OPTIONS, POST"],
      ["POST", "/api/a2a/agents/agt_x/.well-known/agent-card.json", "a2a", "GET, HEAD, OPTIONS"],
      ["DELETE", "/api/openai/v1/chat/completions", "openai", "OPTIONS, POST"],
    ];
    for (const [method, urlPath, surface, allow] of cases) {
      const reply = await send(method, urlPath);
      expect(reply.status, `${method} ${urlPath}`).toBe(405);
      expect(reply.headers.get("allow")).toBe(allow);
      expectEnvelope(surface, reply, "METHOD_NOT_ALLOWED");
    }
  });
});

describe("unknown paths under a surface's prefix", () => {
  it("answer 404 in that surface's envelope", async () => {
    const cases: Array<[string, Surface]> = [
      ["/api/nope/nothing", "conduit"],
      ["/api/agents/sample-id/chat/more", "conduit"],
      ["/api/agentsx", "conduit"],
      ["/api/v1/nope", "sistava"],
      ["/api/v1/chat/more", "sistava"],
      ["/api/v1/agents/x/y/z/w", "agents-api"],
      ["/api/v1/ai-providers/x/y", "agents-api"],
      ["/api/v1/documents/x/y", "agents-api"],
      ["/api/v1/memories/x/entries/y/z", "agents-api"],
      ["/api/agent/x/y", "task-gateway"],
      ["/api/agent/tasks/x", "gate-agent"],
      ["/api/agent/decisions/x", "gate-agent"],
      ["/api/gate/nope", "admin"],
      ["/api/api-keys/x/y", "admin"],
      ["/api/organisation/members", "admin"],
      ["/api/channels/x/y", "admin"],
      ["/api/webhook-endpoints/x/y", "admin"],
      ["/api/webhook-deliveries/x", "admin"],
      ["/api/webhooks/nope/x", "channels"],
      ["/api/automations/x/y/z", "admin"],
      ["/api/automation-runs/x/y/z", "admin"],
      ["/api/webhooks/automations/x/y", "automations"],
      ["/api/mcp/x", "mcp"],
      ["/api/a2a", "a2a"],
      ["/api/a2a/agents/x/y", "a2a"],
      ["/api/openai/v1/embeddings", "openai"],
      ["/api/openai/v1/models/x/y", "openai"],
      ["/api/openaix", "conduit"],
    ];
    for (const [urlPath, surface] of cases) {
      for (const method of ["GET", "DELETE"]) {
        const reply = await send(method, urlPath);
        expect(reply.status, `${method} ${urlPath}`).toBe(404);
        expectEnvelope(surface, reply, "NOT_FOUND");
      }
    }
  });
});

describe("query strings", () => {
  it("are validated like bodies, in each surface's envelope", async () => {
    const { acme, alice, gateKey } = world.seeded;

    const badLimit = await send("GET", "/api/v1/agents/traces?limit=0", { bearer: acme.key });
    expect(badLimit.status).toBe(400);
    expectEnvelope("agents-api", badLimit, "VALIDATION_FAILED");
    expect(badLimit.text).toMatch(/limit/);
    // Past authentication, errors carry the key's rate-limit headers too.
    expect(badLimit.headers.get("x-ratelimit-limit")).toBe("120");

    const twoProjects = await send("GET", `/api/v1/agents?project_id=${acme.org.id}&project_id=${acme.org.id}`, { bearer: acme.key });
    expect(twoProjects.status).toBe(400);
    expectEnvelope("agents-api", twoProjects, "VALIDATION_FAILED");

    const badStatus = await send("GET", "/api/gate/threads?status=bogus", { bearer: alice.token });
    expect(badStatus.status).toBe(422);
    expectEnvelope("admin", badStatus, "VALIDATION_ERROR");
    expect(badStatus.text).toMatch(/status/);
    expect((await send("GET", "/api/gate/threads?status=needs_review&risk_level=high", { bearer: alice.token })).status).toBe(200);

    const twoThreads = await send("GET", "/api/agent/decisions?thread_id=THR-1&thread_id=THR-2", { bearer: gateKey });
    expect(twoThreads.status).toBe(400);
    expectEnvelope("gate-agent", twoThreads, "VALIDATION_FAILED");
    expect(twoThreads.text).toMatch(/thread_id/);
    expect(twoThreads.headers.get("x-ratelimit-limit")).toBe("120");
  });
});

describe("rate-limit headers", () => {
  it("come with every response after authentication, 400 and 404 errors included, on every keyed surface", async () => {
    const { acme, alice, aliceKey, gateKey } = world.seeded;
    const missingUuid = "00000000-0000-4000-8000-000000000000";
    const chat = JSON.stringify({ messages: [{ role: "user", content: "Hello" }] });
    const taskCaller = { bearer: alice.token, headers: { "X-Api-Key": aliceKey } };
    const cases: Array<[Surface, number, string, string, { bearer: string; body?: string; headers?: Record<string, string> }]> = [
      ["conduit", 400, "POST", "/api/agents/not-an-agent/chat", { bearer: acme.key, body: chat }],
      ["conduit", 404, "POST", `/api/agents/${missingUuid}/chat`, { bearer: acme.key, body: chat }],
      ["sistava", 400, "POST", "/api/v1/chat", { bearer: acme.key, body: JSON.stringify({ employee_id: "agt_x", prompt: "Hi" }) }],
      ["sistava", 404, "POST", "/api/v1/chat", { bearer: acme.key, body: JSON.stringify({ employee_id: missingUuid, prompt: "Hi" }) }],
      ["agents-api", 400, "POST", `/api/v1/agents/${acme.agent.id}/generate`, { bearer: acme.key, body: JSON.stringify({ messages: [] }) }],
      ["agents-api", 404, "GET", "/api/v1/agents/agt_0000000000000000", { bearer: acme.key }],
      // The task gateway answers what other surfaces call a 400 with its 422.
      ["task-gateway", 422, "POST", "/api/agent", { ...taskCaller, body: JSON.stringify({ message: "" }) }],
      ["task-gateway", 404, "GET", `/api/agent/${missingUuid}`, taskCaller],
      ["gate-agent", 400, "GET", "/api/agent/decisions", { bearer: gateKey }],
      ["gate-agent", 404, "GET", "/api/agent/decisions?thread_id=THR-00000000", { bearer: gateKey }],
    ];
    for (const [surface, status, method, urlPath, options] of cases) {
      const reply = await send(method, urlPath, options);
      const label = `${surface}: ${method} ${urlPath}`;
      expect(reply.status, `${label} ${reply.text}`).toBe(status);
      expect(reply.headers.get("x-ratelimit-limit"), label).toBe("120");
      expect(Number(reply.headers.get("x-ratelimit-remaining")), label).toBeLessThan(120);
      expect(Number(reply.headers.get("x-ratelimit-reset")), label).toBeGreaterThan(Date.now() / 1000);
    }
  });
});

describe("the admin surface (personal access token)", () => {
  it("answers every endpoint in Sois's envelope: 422 VALIDATION_ERROR for bodies that fail their schema", async () => {
    const { alice } = world.seeded;
    const invalid: Array<[string, string, string]> = [
      ["POST", "/api/api-keys", JSON.stringify({ budget_period: "weekly" })],
      ["POST", "/api/gate/agents", JSON.stringify({ webhook_url: "ftp://x" })],
      ["POST", "/api/gate/tools", JSON.stringify({ rules: [] })],
      ["PUT", "/api/organisation", JSON.stringify({ monthly_token_limit: -1 })],
      ["PUT", "/api/organisation", '{"billing_mode":'],
    ];
    for (const [method, urlPath, body] of invalid) {
      const reply = await send(method, urlPath, { bearer: alice.token, body });
      expect(reply.status, `${method} ${urlPath}`).toBe(422);
      expectEnvelope("admin", reply, "VALIDATION_ERROR");
    }
  });

  it("keeps other errors' own status and code, in the same envelope", async () => {
    const { alice } = world.seeded;
    for (const urlPath of ["/api/api-keys", "/api/gate/agents", "/api/organisation"]) {
      const anonymous = await send("GET", urlPath);
      expect(anonymous.status).toBe(401);
      expectEnvelope("admin", anonymous, "UNAUTHENTICATED");
    }
    const missing = await send("GET", "/api/gate/threads/THR-00000000", { bearer: alice.token });
    expect(missing.status).toBe(404);
    expectEnvelope("admin", missing, "NOT_FOUND");

    const tool = JSON.stringify({ name: "issue_refund", rules: [] });
    expect((await send("POST", "/api/gate/tools", { bearer: alice.token, body: tool })).status).toBe(201);
    const duplicate = await send("POST", "/api/gate/tools", { bearer: alice.token, body: tool });
    expect(duplicate.status).toBe(409);
    expectEnvelope("admin", duplicate, "CONFLICT");
  });
});
