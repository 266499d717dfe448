/**
 * Calls from web pages of other sites: the widget's endpoints answer the origins widget keys
 * allow (CORS, preflight included), and every API that takes a secret credential refuses pages
 * outright, whatever the credential.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createMember, createTenant } from "./support/fixtures";
import { uniqueIp } from "./support/http";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";

const SITE = "https://shop.example.test";
const OTHER_SITE = "https://other.example.test";
const STRANGER = "https://attacker.example.test";

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;
let widgetKey: string;
let otherWidgetKey: string;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme", { agent: { instructions: "You help shoppers." } });
  const admin = await createMember(db, acme.org.id, "admin@acme.test", "admin");
  return { acme, admin };
}

function send(method: string, path: string, options: { origin?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  return fetch(`${world.app.url}${path}`, {
    method,
    headers: {
      ...uniqueIp(),
      ...(options.origin ? { Origin: options.origin } : {}),
      ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

async function createWidgetKey(origins: string[]): Promise<string> {
  const { admin, acme } = world.seeded;
  const response = await send("POST", "/api/widget-keys", {
    headers: { Authorization: `Bearer ${admin.token}` },
    body: { agent_id: acme.agent.publicId, allowed_origins: origins },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

async function sessionFrom(origin: string, key = widgetKey, body: Record<string, unknown> = {}) {
  const response = await send("POST", "/api/embed/session", { origin, body: { key, ...body } });
  return { response, body: (await response.json()) as { token?: string; error?: { code: string; message: string } } };
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  world = await startWorld({
    seed,
    env: { OPENAI_BASE_URL: upstream.baseUrl, OPENAI_MODEL: "scripted-model", MODEL_MAX_RETRIES: "0", TRUST_PROXY_HOPS: "1" },
  });
  widgetKey = await createWidgetKey([SITE]);
  otherWidgetKey = await createWidgetKey([OTHER_SITE]);
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

describe("the widget's endpoints from another site's page", () => {
  it("answers the preflight for an origin a widget key allows, and not for others", async () => {
    for (const path of ["/api/embed/session", "/api/embed/chat"]) {
      const allowed = await send("OPTIONS", path, {
        origin: SITE,
        headers: { "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" },
      });
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get("access-control-allow-origin")).toBe(SITE);
      expect(allowed.headers.get("access-control-allow-methods")).toBe("POST");
      expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toBe("authorization, content-type");
      expect(allowed.headers.get("vary")).toContain("Origin");

      const stranger = await send("OPTIONS", path, { origin: STRANGER, headers: { "Access-Control-Request-Method": "POST" } });
      expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("starts a session for the page's own origin, taken from its Origin header", async () => {
    const { response, body } = await sessionFrom(SITE);
    expect(response.status).toBe(200);
    expect(body.token).toEqual(expect.any(String));
    expect(response.headers.get("access-control-allow-origin")).toBe(SITE);
    expect(response.headers.get("access-control-expose-headers")).toContain("Retry-After");
  });

  it("refuses a page whose origin the key does not allow, and a page naming another origin than its own", async () => {
    // OTHER_SITE may use the other key, so it may read the refusal; the key itself refuses it.
    const wrongKey = await sessionFrom(OTHER_SITE);
    expect(wrongKey.response.status).toBe(403);
    expect(wrongKey.response.headers.get("access-control-allow-origin")).toBe(OTHER_SITE);

    const stranger = await sessionFrom(STRANGER);
    expect(stranger.response.status).toBe(403);
    expect(stranger.response.headers.get("access-control-allow-origin")).toBeNull();

    const pretending = await sessionFrom(STRANGER, widgetKey, { origin: SITE });
    expect(pretending.response.status).toBe(403);
    expect(pretending.body.error?.message).toContain("own origin");
  });

  it("streams a chat to an allowed page, and refuses a visitor token used from a page the key does not allow", async () => {
    const { body: session } = await sessionFrom(SITE);
    const chat = await send("POST", "/api/embed/chat", {
      origin: SITE,
      headers: { Authorization: `Bearer ${session.token}` },
      body: { message: "Hello from my own chat UI" },
    });
    expect(chat.status).toBe(200);
    expect(chat.headers.get("access-control-allow-origin")).toBe(SITE);
    expect(await chat.text()).toContain('"type":"done"');
    expect(upstream.requests).toHaveLength(1);

    const elsewhere = await send("POST", "/api/embed/chat", {
      origin: OTHER_SITE,
      headers: { Authorization: `Bearer ${session.token}` },
      body: { message: "Taken to another site" },
    });
    expect(elsewhere.status).toBe(403);
    expect(upstream.requests).toHaveLength(1);
  });

  it("still needs the origin in the body from a server, which sends no Origin header", async () => {
    const missing = await send("POST", "/api/embed/session", { body: { key: otherWidgetKey } });
    expect(missing.status).toBe(400);
    const named = await send("POST", "/api/embed/session", { body: { key: otherWidgetKey, origin: OTHER_SITE } });
    expect(named.status).toBe(200);
    expect(named.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("secret credentials from a web page", () => {
  it("refuses a valid secret API key sent from another site's page, before the agent runs", async () => {
    const { acme } = world.seeded;
    const chat = (origin?: string) =>
      send("POST", `/api/agents/${acme.agent.publicId}/chat`, {
        origin,
        headers: { Authorization: `Bearer ${acme.key}` },
        body: { messages: [{ role: "user", content: "Hello" }], stream: false },
      });
    const fromPage = await chat(STRANGER);
    expect(fromPage.status).toBe(403);
    const body = (await fromPage.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("FORBIDDEN");
    expect(body.error.message).toContain("web page");
    expect(fromPage.headers.get("access-control-allow-origin")).toBeNull();
    // Not even the allowed widget origins may send secret keys.
    expect((await chat(SITE)).status).toBe(403);
    expect(upstream.requests).toHaveLength(0);

    // The same key from a server, and from Conduit's own pages, works.
    expect((await chat()).status).toBe(200);
    expect((await chat(world.app.url)).status).toBe(200);
  });

  it("refuses pages on every dialect that takes secrets, each in its own envelope", async () => {
    const { acme, admin } = world.seeded;
    const cases: { path: string; method: string; headers: Record<string, string>; body?: unknown; text?: boolean }[] = [
      { method: "POST", path: "/api/v1/chat", headers: { Authorization: `Bearer ${acme.key}` }, body: { message: "hi" } },
      { method: "GET", path: "/api/v1/agents", headers: { Authorization: `Bearer ${acme.key}` } },
      { method: "GET", path: "/api/api-keys", headers: { Authorization: `Bearer ${admin.token}` } },
      { method: "GET", path: "/api/widget-keys", headers: { Authorization: `Bearer ${admin.token}` } },
      {
        method: "POST",
        path: "/api/agent",
        headers: { Authorization: `Bearer ${admin.token}`, "X-Api-Key": acme.key },
        body: { message: "hi" },
      },
      { method: "GET", path: "/api/agent/decisions", headers: { Authorization: "Bearer sg_not_a_real_key" }, text: true },
    ];
    for (const { path, method, headers, body, text } of cases) {
      const response = await send(method, path, { origin: STRANGER, headers, body });
      expect(response.status, `${method} ${path}`).toBe(403);
      const payload = await response.text();
      expect(payload, `${method} ${path}`).toContain("web page");
      if (text) expect(response.headers.get("content-type")).toContain("text/plain");
    }
    // A server's call with the same credentials is not refused.
    const fromServer = await send("GET", "/api/widget-keys", { headers: { Authorization: `Bearer ${admin.token}` } });
    expect(fromServer.status).toBe(200);
  });
});
