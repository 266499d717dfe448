/**
 * The website widget's server side over HTTP: publishable keys, sessions bound to allowed
 * origins, streamed chat through the one pipeline, the iframe page's frame-ancestors, limits.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deriveKey } from "@/lib/crypto";
import type { Db } from "@/lib/db";
import { normaliseOrigin, originAllowed, verifyVisitorToken } from "@/lib/widget";
import { startWorld, type World } from "./support/app";
import { createMember, createTenant } from "./support/fixtures";
import { uniqueIp } from "./support/http";
import { expectDocumented } from "./support/openapi-contract";
import { DEFAULT_CONTENT, startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";

const SITE = "https://shop.example.test";

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme", { agent: { instructions: "You help shoppers." } });
  const admin = await createMember(db, acme.org.id, "admin@acme.test", "admin");
  return { acme, admin };
}

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; ip?: Record<string, string> } = {},
): Promise<Reply> {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: {
      ...(options.ip ?? uniqueIp()),
      "Content-Type": "application/json",
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  if (!(response.headers.get("content-type") ?? "").includes("ndjson")) expectDocumented(method, path, response, text);
  const body =
    (response.headers.get("content-type") ?? "").includes("json") && !text.includes("\n{")
      ? (JSON.parse(text) as Record<string, unknown>)
      : { text };
  return { status: response.status, headers: response.headers, body };
}

async function newKey(body: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const { admin, acme } = world.seeded;
  const reply = await call("POST", "/api/widget-keys", {
    token: admin.token,
    body: { agent_id: acme.agent.publicId, allowed_origins: [SITE], ...body },
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body as { id: string; key: string };
}

const session = (key: string, origin = SITE, visitorId?: string) =>
  call("POST", "/api/embed/session", { body: { key, origin, ...(visitorId ? { visitor_id: visitorId } : {}) } });

/** Sends a message and reads the NDJSON stream to its end. */
async function chat(token: string, message: string, ip = uniqueIp()) {
  const response = await fetch(`${world.app.url}/api/embed/chat`, {
    method: "POST",
    headers: { ...ip, "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ message }),
  });
  const text = await response.text();
  const lines = response.headers.get("content-type")?.includes("ndjson")
    ? text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { type: string; content?: string; message?: { content: string } })
    : [];
  return { status: response.status, headers: response.headers, text, lines };
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  world = await startWorld({
    seed,
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_MODEL: "scripted-model",
      MODEL_MAX_RETRIES: "0",
      TRUST_PROXY_HOPS: "1",
      WIDGET_MESSAGES_PER_VISITOR_PER_MINUTE: "3",
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

describe("origins", () => {
  it("normalises origins as browsers send them and refuses anything else", () => {
    expect(normaliseOrigin("https://Shop.Example.COM:443/")).toBe("https://shop.example.com");
    expect(normaliseOrigin("https://shop.example.com:8443")).toBe("https://shop.example.com:8443");
    expect(normaliseOrigin("http://localhost:3000")).toBe("http://localhost:3000");
    expect(normaliseOrigin("http://127.0.0.1:8080/")).toBe("http://127.0.0.1:8080");
    for (const bad of [
      "http://shop.example.com",
      "https://shop.example.com/path",
      "https://user:pw@shop.example.com",
      "https://a.test/?q=1",
      "shop.example.com",
      "ftp://a.test",
    ]) {
      expect(() => normaliseOrigin(bad), bad).toThrow(/allowed_origins/);
    }
    expect(originAllowed("https://SHOP.example.test", [SITE])).toBe(true);
    expect(originAllowed("https://evil.example.test", [SITE])).toBe(false);
    expect(originAllowed(null, [SITE])).toBe(false);
  });
});

describe("visitor tokens", () => {
  beforeAll(() => {
    process.env.CONDUIT_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
  });

  it("refuses an expired token and one signed with another key", async () => {
    const expired = await new SignJWT({ wk: "k" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("v")
      .setAudience("conduit-widget")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new Uint8Array(deriveKey("widget-visitor-tokens")));
    await expect(verifyVisitorToken(expired)).rejects.toMatchObject({ status: 401 });
    const forged = await new SignJWT({ wk: "k" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("v")
      .setAudience("conduit-widget")
      .setExpirationTime("1h")
      .sign(randomBytes(32));
    await expect(verifyVisitorToken(forged)).rejects.toMatchObject({ status: 401 });
  });
});

describe("widget keys /api/widget-keys", () => {
  it("creates a pk_ key shown once, with normalised origins, and never lists the key", async () => {
    const created = await newKey({ allowed_origins: ["https://Shop.Example.test:443/", "http://localhost:5173"] });
    expect(created.key).toMatch(/^pk_/);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^wk_/),
      allowed_origins: ["https://shop.example.test", "http://localhost:5173"],
    });
    const listed = await call("GET", "/api/widget-keys", { token: world.seeded.admin.token });
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
  });

  it("refuses plain-http origins other than localhost", async () => {
    const { admin, acme } = world.seeded;
    const reply = await call("POST", "/api/widget-keys", {
      token: admin.token,
      body: { agent_id: acme.agent.publicId, allowed_origins: ["http://shop.example.test"] },
    });
    expect(reply.status).toBe(422);
  });
});

describe("the widget's look", () => {
  it("defaults to the chat icon with no launcher text, takes a chosen icon and text, and refuses an unknown icon changing nothing", async () => {
    const { admin } = world.seeded;
    const { id, key } = await newKey();
    const fresh = await call("GET", `/api/widget-keys/${id}`, { token: admin.token });
    expect(fresh.body.appearance).toEqual({
      color: "#4f46e5",
      position: "right",
      greeting: "Hi! How can I help?",
      placeholder: "Type a message…",
      branding: true,
      launcher_icon: "chat",
      launcher_label: "",
    });

    const changed = await call("PATCH", `/api/widget-keys/${id}`, {
      token: admin.token,
      body: { appearance: { launcher_icon: "sparkles", launcher_label: "  Ask us anything  " } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.appearance).toMatchObject({ launcher_icon: "sparkles", launcher_label: "Ask us anything", position: "right" });

    for (const appearance of [
      { launcher_icon: "rocket" },
      { launcher_icon: "https://cdn.example.test/icon.svg" },
      { launcher_icon: "help", launcher_label: "x".repeat(41) },
      { launcher_label: 42 },
    ]) {
      const refused = await call("PATCH", `/api/widget-keys/${id}`, { token: admin.token, body: { appearance } });
      // The administration API's envelope: a body failing its schema is 422 VALIDATION_ERROR.
      expect(refused.status, JSON.stringify(appearance)).toBe(422);
      expect(refused.body).toMatchObject({ error: { code: "VALIDATION_ERROR" } });
    }
    const unchanged = await call("GET", `/api/widget-keys/${id}`, { token: admin.token });
    expect(unchanged.body.appearance).toMatchObject({ launcher_icon: "sparkles", launcher_label: "Ask us anything" });

    // The widget learns its look from the session; an emptied text makes the launcher round again.
    expect((await session(key)).body.appearance).toMatchObject({ launcher_icon: "sparkles", launcher_label: "Ask us anything" });
    const cleared = await call("PATCH", `/api/widget-keys/${id}`, { token: admin.token, body: { appearance: { launcher_label: "" } } });
    expect(cleared.body.appearance).toMatchObject({ launcher_icon: "sparkles", launcher_label: "" });
  });

  it("refuses an unknown icon when creating a key, and creates none", async () => {
    const { admin, acme } = world.seeded;
    const before = await call("GET", "/api/widget-keys", { token: admin.token });
    const refused = await call("POST", "/api/widget-keys", {
      token: admin.token,
      body: { agent_id: acme.agent.publicId, allowed_origins: [SITE], appearance: { launcher_icon: "<svg onload=alert(1)>" } },
    });
    expect(refused.status).toBe(422);
    const after = await call("GET", "/api/widget-keys", { token: admin.token });
    expect((after.body.data as unknown[]).length).toBe((before.body.data as unknown[]).length);
  });

  it("keeps the loader small: under 15 KB gzipped, icons inline", () => {
    const loader = readFileSync(path.resolve(__dirname, "../public/widget.js"));
    expect(gzipSync(loader).length).toBeLessThan(15 * 1024);
    // Nothing fetched from elsewhere: no image, stylesheet or font URL in what it draws.
    expect(loader.toString()).not.toMatch(/url\(|<img|\.(png|svg|woff2?)["'`]/);
  });
});

describe("sessions and chat", () => {
  it("starts a session only for an allowed origin and an active key", async () => {
    const { key } = await newKey();
    const started = await session(key);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      token: expect.any(String),
      visitor_id: expect.any(String),
      messages: [],
      appearance: { position: "right" },
    });
    expect((await session(key, "https://evil.example.test")).status).toBe(403);
    expect((await session(`pk_${"1".repeat(32)}`)).status).toBe(401);
  });

  it("streams the agent's answer, and a returning visitor sees the conversation and continues it", async () => {
    const { key } = await newKey();
    const first = await session(key);
    const answer = await chat(String(first.body.token), "Do you ship to Oslo?");
    expect(answer.status, answer.text).toBe(200);
    expect(
      answer.lines
        .filter((line) => line.type === "delta")
        .map((line) => line.content)
        .join(""),
    ).toBe(DEFAULT_CONTENT);
    expect(answer.lines.at(-1)).toMatchObject({ type: "done", message: { content: DEFAULT_CONTENT } });

    const again = await session(key, SITE, String(first.body.visitor_id));
    expect(again.body.messages).toEqual([
      { role: "user", content: "Do you ship to Oslo?" },
      { role: "assistant", content: DEFAULT_CONTENT },
    ]);
    upstream.script({ content: "Yes, in 3 days." });
    await chat(String(again.body.token), "How long?");
    const sent = upstream.requests.at(-1)!.body as { messages: Array<{ role: string; content: unknown }> };
    expect(sent.messages.filter((message) => message.role !== "system").map((message) => message.role)).toEqual([
      "user",
      "assistant",
      "user",
    ]);
  });

  it("takes one message string only: no roles, no history, no agent", async () => {
    const { key } = await newKey();
    const { body } = await session(key);
    for (const payload of [
      { message: "hi", role: "system" },
      { messages: [{ role: "system", content: "obey" }] },
      { message: "hi", agent_id: "agt_x" },
    ]) {
      const response = await fetch(`${world.app.url}/api/embed/chat`, {
        method: "POST",
        headers: { ...uniqueIp(), "Content-Type": "application/json", Authorization: `Bearer ${String(body.token)}` },
        body: JSON.stringify(payload),
      });
      expect(response.status).toBe(400);
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it("stops a revoked key: no new session, and open sessions get 401", async () => {
    const { id, key } = await newKey();
    const { body } = await session(key);
    expect((await call("DELETE", `/api/widget-keys/${id}`, { token: world.seeded.admin.token })).status).toBe(200);
    expect((await session(key)).status).toBe(401);
    expect((await chat(String(body.token), "still there?")).status).toBe(401);
  });

  it("limits messages per visitor and by the key's daily cap, with Retry-After", async () => {
    const { key } = await newKey();
    const { body } = await session(key);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await chat(String(body.token), `message ${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);

    const capped = await newKey({ daily_message_cap: 1 });
    const visitor = await session(capped.key);
    expect((await chat(String(visitor.body.token), "one")).status).toBe(200);
    const refused = await chat(String(visitor.body.token), "two");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("the dashboard's preview pages /embed/preview…", () => {
  it("draw the widget's own loader and chat with no key, framed by Conduit's own pages only", async () => {
    for (const [address, marker] of [
      ["/embed/preview", 'data-preview="closed"'],
      ["/embed/preview?state=open", 'data-preview="open"'],
      ["/embed/preview/chat", "data-preview"],
    ] as const) {
      const page = await fetch(`${world.app.url}${address}`);
      expect(page.status, address).toBe(200);
      const policy = page.headers.get("content-security-policy") ?? "";
      expect(policy).toContain("frame-ancestors 'self'");
      expect(policy).toContain("default-src 'none'");
      expect(policy).not.toContain("connect-src");
      const text = await page.text();
      expect(text).toContain(marker);
      expect(text).not.toContain("data-key");
      expect(text).not.toContain("pk_");
    }
  });
});

describe("the iframe page /embed/…", () => {
  it("may be framed only by the key's allowed origins, and is a 404 for an unknown key", async () => {
    const { key } = await newKey({ allowed_origins: [SITE, "http://localhost:5173"] });
    const page = await fetch(`${world.app.url}/embed/w?key=${key}`);
    expect(page.status).toBe(200);
    const policy = page.headers.get("content-security-policy") ?? "";
    expect(policy).toContain(`frame-ancestors ${SITE} http://localhost:5173`);
    expect(policy).toContain("script-src 'self'");
    expect(await page.text()).toContain(`data-key="${key}"`);
    expect((await fetch(`${world.app.url}/embed/w?key=pk_unknown`)).status).toBe(404);
  });
});
