/**
 * Identified website visitors over HTTP: each widget key's identity secret (shown once, rotated by
 * owners and admins), identity tokens a site's backend signs with it, and sessions that are the
 * identified person's on every device, refused (never made anonymous) when the token is not valid.
 */
import { eq } from "drizzle-orm";
import { SignJWT, type JWTPayload } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { newPublicId, tables, type Db } from "@/lib/db";
import { newSecret } from "@/lib/crypto/secrets";
import { startWorld, type World } from "./support/app";
import { createMember, createTenant } from "./support/fixtures";
import { uniqueIp } from "./support/http";
import { expectDocumented } from "./support/openapi-contract";
import { DEFAULT_CONTENT, startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";

const SITE = "https://shop.example.test";

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const admin = await createMember(db, acme.org.id, "admin@acme.test", "admin");
  const member = await createMember(db, acme.org.id, "member@acme.test", "member");
  const globex = await createTenant(db, "Globex");
  const globexOwner = await createMember(db, globex.org.id, "owner@globex.test", "owner");
  // A key as it was before identities existed: no identity secret.
  const legacy = newSecret("pk_");
  const [legacyKey] = await db
    .insert(tables.widgetKeys)
    .values({
      publicId: newPublicId("widgetKey"),
      orgId: acme.org.id,
      agentId: acme.agent.id,
      name: "Legacy widget",
      hash: legacy.hash,
      start: legacy.start,
      allowedOrigins: [SITE],
    })
    .returning();
  return { acme, admin, member, globexOwner, legacy: { id: legacyKey!.publicId, key: legacy.secret } };
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Reply> {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: {
      ...uniqueIp(),
      "Content-Type": "application/json",
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

interface CreatedKey {
  id: string;
  key: string;
  identity_secret: string;
}

async function newKey(): Promise<CreatedKey> {
  const { admin, acme } = world.seeded;
  const reply = await call("POST", "/api/widget-keys", {
    token: admin.token,
    body: { agent_id: acme.agent.publicId, allowed_origins: [SITE] },
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body as unknown as CreatedKey;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An identity token as a site's backend signs it (Node, jose). */
function sign(secret: string, claims: JWTPayload = {}, options: { expiresIn?: number | null } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuedAt();
  if (options.expiresIn !== null) jwt.setExpirationTime(nowSeconds() + (options.expiresIn ?? 600));
  return jwt.sign(new TextEncoder().encode(secret));
}

/** A token without a signature (`alg: none`), which no verifier may accept. */
function unsigned(claims: JWTPayload): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

const session = (key: string, extra: Record<string, unknown> = {}) =>
  call("POST", "/api/embed/session", { body: { key, origin: SITE, ...extra } });

async function chat(token: string, message: string): Promise<number> {
  const response = await fetch(`${world.app.url}/api/embed/chat`, {
    method: "POST",
    headers: { ...uniqueIp(), "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ message }),
  });
  await response.text();
  return response.status;
}

/** The visitors of a key with this subject (the PostgreSQL project reads the database; PGlite is the app's alone). */
async function visitorsWithSubject(sub: string): Promise<number | null> {
  if (!world.db) return null;
  const rows = await world.db.select().from(tables.widgetVisitors).where(eq(tables.widgetVisitors.subject, sub));
  return rows.length;
}

const errorMessage = (reply: Reply) => String((reply.body.error as { message?: string } | undefined)?.message);

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  world = await startWorld({
    seed,
    env: { OPENAI_BASE_URL: upstream.baseUrl, OPENAI_MODEL: "scripted-model", MODEL_MAX_RETRIES: "0", TRUST_PROXY_HOPS: "1" },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

describe("identity secrets", () => {
  it("are shown once, at creation, and never in the key's reads or the list", async () => {
    const created = await newKey();
    expect(created.identity_secret).toMatch(/^wis_[1-9A-HJ-NP-Za-km-z]{32}$/);
    expect(created).toMatchObject({ identity_secret_set: true, identity_secret_start: created.identity_secret.slice(0, 8) });
    const { admin } = world.seeded;
    const read = await call("GET", `/api/widget-keys/${created.id}`, { token: admin.token });
    const listed = await call("GET", "/api/widget-keys", { token: admin.token });
    for (const reply of [read, listed]) {
      expect(reply.status).toBe(200);
      expect(JSON.stringify(reply.body)).not.toContain(created.identity_secret);
    }
    expect(read.body).toMatchObject({ identity_secret_set: true, identity_secret_start: created.identity_secret.slice(0, 8) });
    expect(read.body).not.toHaveProperty("identity_secret");
    if (world.db) {
      const [row] = await world.db.select().from(tables.widgetKeys).where(eq(tables.widgetKeys.publicId, created.id));
      expect(JSON.stringify(row)).not.toContain(created.identity_secret);
    }
  });

  it("are missing on keys made before identities existed, until rotated", async () => {
    const { admin, legacy } = world.seeded;
    const read = await call("GET", `/api/widget-keys/${legacy.id}`, { token: admin.token });
    expect(read.body).toMatchObject({ identity_secret_set: false, identity_secret_start: null });
    const refused = await session(legacy.key, { identity: await sign("wis_anything-at-all-will-do-here-00", { sub: "u1" }) });
    expect(refused.status).toBe(401);
    expect(errorMessage(refused)).toMatch(/no identity secret/);

    const rotated = await call("POST", `/api/widget-keys/${legacy.id}/identity-secret`, { token: admin.token });
    expect(rotated.status).toBe(200);
    const secret = String(rotated.body.identity_secret);
    expect(rotated.body).toMatchObject({ id: legacy.id, identity_secret_set: true, identity_secret_start: secret.slice(0, 8) });
    expect((await session(legacy.key, { identity: await sign(secret, { sub: "legacy-user" }) })).status).toBe(200);
  });

  it("rotation refuses tokens signed with the old secret at once, and accepts the new one's", async () => {
    const created = await newKey();
    const old = await sign(created.identity_secret, { sub: "rotating-user", name: "Rita" });
    expect((await session(created.key, { identity: old })).status).toBe(200);
    const rotated = await call("POST", `/api/widget-keys/${created.id}/identity-secret`, { token: world.seeded.admin.token });
    expect(rotated.status).toBe(200);
    const refused = await session(created.key, { identity: old });
    expect(refused.status).toBe(401);
    expect(errorMessage(refused)).toMatch(/signature does not match/);
    const renewed = await session(created.key, { identity: await sign(String(rotated.body.identity_secret), { sub: "rotating-user" }) });
    expect(renewed.status).toBe(200);
    expect(renewed.body.identity).toMatchObject({ sub: "rotating-user", name: "Rita" });
  });

  it("are rotated by owners and admins of the key's organisation only", async () => {
    const created = await newKey();
    const { member, globexOwner } = world.seeded;
    const byMember = await call("POST", `/api/widget-keys/${created.id}/identity-secret`, { token: member.token });
    expect(byMember.status).toBe(403);
    const byOtherOrg = await call("POST", `/api/widget-keys/${created.id}/identity-secret`, { token: globexOwner.token });
    expect(byOtherOrg.status).toBe(404);
    // Neither touched the secret.
    expect((await session(created.key, { identity: await sign(created.identity_secret, { sub: "still-valid" }) })).status).toBe(200);
  });

  it("of a revoked key are not rotated", async () => {
    const created = await newKey();
    const { admin } = world.seeded;
    await call("DELETE", `/api/widget-keys/${created.id}`, { token: admin.token });
    expect((await call("POST", `/api/widget-keys/${created.id}/identity-secret`, { token: admin.token })).status).toBe(409);
  });
});

describe("identified sessions", () => {
  it("are the person the site signed for, named as claimed, with one conversation on every device", async () => {
    const created = await newKey();
    const identity = await sign(created.identity_secret, { sub: "user-42", name: "Ada Lovelace", email: "ada@example.test" });
    const laptop = await session(created.key, { identity, visitor_id: "laptop-browser-1" });
    expect(laptop.status, JSON.stringify(laptop.body)).toBe(200);
    expect(laptop.body).toMatchObject({
      visitor_id: null,
      identity: { sub: "user-42", name: "Ada Lovelace", email: "ada@example.test" },
      messages: [],
    });
    expect(await chat(String(laptop.body.token), "Where is my order?")).toBe(200);

    // Another browser, another anonymous id, the same person: the same conversation.
    const phone = await session(created.key, {
      identity: await sign(created.identity_secret, { sub: "user-42" }),
      visitor_id: "phone-browser-2",
    });
    expect(phone.status).toBe(200);
    expect(phone.body.messages).toEqual([
      { role: "user", content: "Where is my order?" },
      { role: "assistant", content: DEFAULT_CONTENT },
    ]);
    // Claims left out keep what was stored.
    expect(phone.body.identity).toEqual({ sub: "user-42", name: "Ada Lovelace", email: "ada@example.test" });

    if (world.db) {
      const [row] = await world.db
        .select({ name: tables.actors.name, type: tables.actors.type, externalId: tables.actors.externalId })
        .from(tables.widgetVisitors)
        .innerJoin(tables.actors, eq(tables.actors.id, tables.widgetVisitors.actorId))
        .where(eq(tables.widgetVisitors.subject, "user-42"));
      expect(row).toEqual({ name: "Ada Lovelace", type: "widget_user", externalId: "user-42" });
      expect(await visitorsWithSubject("user-42")).toBe(1);
    }
  });

  it("keep the name and email as the site last signed them", async () => {
    const created = await newKey();
    await session(created.key, {
      identity: await sign(created.identity_secret, { sub: "user-7", name: "Grace", email: "grace@old.test" }),
    });
    const renamed = await session(created.key, {
      identity: await sign(created.identity_secret, { sub: "user-7", name: "Grace Hopper", email: "grace@new.test" }),
    });
    expect(renamed.body.identity).toEqual({ sub: "user-7", name: "Grace Hopper", email: "grace@new.test" });
  });

  it("and anonymous ones never reach each other's conversation", async () => {
    const created = await newKey();
    // An anonymous visitor whose browser id happens to equal a signed-in user's id.
    const anonymous = await session(created.key, { visitor_id: "user-99-abc" });
    expect(anonymous.body).toMatchObject({ visitor_id: "user-99-abc", identity: null });
    expect(await chat(String(anonymous.body.token), "anonymous secret")).toBe(200);

    const identified = await session(created.key, { identity: await sign(created.identity_secret, { sub: "user-99-abc" }) });
    expect(identified.status).toBe(200);
    expect(identified.body.messages).toEqual([]);
    expect(await chat(String(identified.body.token), "identified secret")).toBe(200);

    const anonymousAgain = await session(created.key, { visitor_id: "user-99-abc" });
    expect(JSON.stringify(anonymousAgain.body.messages)).toContain("anonymous secret");
    expect(JSON.stringify(anonymousAgain.body.messages)).not.toContain("identified secret");
  });

  it("are per key: another key's secret cannot vouch for this key's visitors", async () => {
    const first = await newKey();
    const second = await newKey();
    const wrongKey = await session(first.key, { identity: await sign(second.identity_secret, { sub: "cross-key" }) });
    expect(wrongKey.status).toBe(401);
  });

  it("refuse a token that is not valid, naming why, and create nothing", async () => {
    const created = await newKey();
    const secret = created.identity_secret;
    const otherSecret = secret.slice(0, -1) + (secret.endsWith("x") ? "y" : "x");
    const cases: Array<[string, string, RegExp]> = [
      ["wrong secret", await sign(otherSecret, { sub: "mallory" }), /signature does not match/],
      ["expired", await sign(secret, { sub: "mallory" }, { expiresIn: -3600 }), /expired/],
      ["no exp", await sign(secret, { sub: "mallory" }, { expiresIn: null }), /"exp"/],
      ["too long", await sign(secret, { sub: "mallory" }, { expiresIn: 8 * 24 * 3600 }), /within 24 hours/],
      ["no sub", await sign(secret, { name: "Mallory" }), /"sub"/],
      ["long sub", await sign(secret, { sub: "m".repeat(201) }), /sub must be at most 200/],
      ["alg none", unsigned({ sub: "mallory", exp: nowSeconds() + 600 }), /HS256/],
      [
        "HS512",
        await new SignJWT({ sub: "mallory" })
          .setProtectedHeader({ alg: "HS512" })
          .setExpirationTime("10m")
          .sign(new TextEncoder().encode(secret.padEnd(64, "x"))),
        /HS256/,
      ],
      ["not a JWT", "not-a-token", /not a JWT/],
    ];
    for (const [label, identity, reason] of cases) {
      const reply = await session(created.key, { identity, visitor_id: "mallory-browser" });
      expect(reply.status, label).toBe(401);
      expect(errorMessage(reply), label).toMatch(/^Identity token refused: /);
      expect(errorMessage(reply), label).toMatch(reason);
      expect(reply.body, label).not.toHaveProperty("token");
    }
    if (world.db) {
      expect(await visitorsWithSubject("mallory")).toBe(0);
      const anonymous = await world.db.select().from(tables.widgetVisitors).where(eq(tables.widgetVisitors.visitorId, "mallory-browser"));
      expect(anonymous).toHaveLength(0);
    }
  });

  it("leave neither identity secrets nor identity tokens in the log", async () => {
    const created = await newKey();
    const identity = await sign(created.identity_secret, { sub: "logged-user", name: "Log Checker" });
    await session(created.key, { identity });
    await session(created.key, { identity: `${identity}tampered` });
    const rotated = await call("POST", `/api/widget-keys/${created.id}/identity-secret`, { token: world.seeded.admin.token });
    const log = world.app.output();
    for (const secret of [created.identity_secret, String(rotated.body.identity_secret), identity]) expect(log).not.toContain(secret);
  });
});
