/**
 * Channels end to end over loopback: vendors' signed callbacks into the running app, the agent
 * answering through the queue from a scripted model, and the replies observed on stand-ins for
 * Meta's Graph API, Twilio's REST API and an SMTP server.
 */
import { createHmac, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "@/lib/agents";
import { tables, type Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createMember, createTenant } from "./support/fixtures";
import { uniqueIp } from "./support/http";
import { expectDocumented } from "./support/openapi-contract";
import { DEFAULT_CONTENT, startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";
import { startSmtpStandIn, type SmtpStandIn } from "./support/smtp-stand-in";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

const PUBLIC_URL = "https://conduit.example.test";
const APP_SECRET = "meta-app-secret-for-tests";
const VERIFY_TOKEN = "verify-me-please";
const ACCESS_TOKEN = "EAAG-meta-access-token";
const TWILIO_SID = `AC${"0123456789abcdef".repeat(2)}`;
const TWILIO_TOKEN = "twilio-auth-token-for-tests";

let upstream: ScriptedUpstream;
let graph: WebhookReceiver;
let instagram: WebhookReceiver;
let twilioApi: WebhookReceiver;
let smtp: SmtpStandIn;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme", { agent: { instructions: "You answer customers." } });
  const sales = await createAgent(db, { orgId: acme.org.id, name: "Sales agent" });
  const admin = await createMember(db, acme.org.id, "admin@acme.test", "admin");
  const member = await createMember(db, acme.org.id, "member@acme.test", "member");
  const capped = await createTenant(db, "Capped");
  const cappedAdmin = await createMember(db, capped.org.id, "admin@capped.test", "admin");
  await db.update(tables.organisations).set({ monthlyMessageLimit: 0 }).where(eq(tables.organisations.id, capped.org.id));
  const globex = await createTenant(db, "Globex");
  const mallory = await createMember(db, globex.org.id, "mallory@globex.test", "admin");
  return { acme, sales, admin, member, capped, cappedAdmin, globex, mallory };
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function api(method: string, path: string, token: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${world.app.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expectDocumented(method, path, response, text);
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function connect(token: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const reply = await api("POST", "/api/channels", token, body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

const metaCredentials = { app_secret: APP_SECRET, verify_token: VERIFY_TOKEN, access_token: ACCESS_TOKEN };
const pathOf = (url: unknown) => new URL(String(url)).pathname;
const metaSignature = (raw: string, secret = APP_SECRET) => `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;

/** Posts a raw body to a callback path, from its own client address unless one is given. */
function deliver(path: string, raw: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${world.app.url}${path}`, { method: "POST", headers: { ...uniqueIp(), ...headers }, body: raw });
}

const deliverMeta = (path: string, payload: unknown, secret = APP_SECRET) => {
  const raw = JSON.stringify(payload);
  return deliver(path, raw, { "Content-Type": "application/json", "X-Hub-Signature-256": metaSignature(raw, secret) });
};

let sequence = 0;
const unique = (prefix: string) => `${prefix}${Date.now()}${++sequence}${randomBytes(3).toString("hex")}`;

function whatsappText(from: string, text: string, options: { id?: string; phoneNumberId?: string; at?: Date } = {}) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "WABA-1",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550001111", phone_number_id: options.phoneNumberId ?? "PNID-1" },
              contacts: [{ profile: { name: "Ada Customer" }, wa_id: from }],
              messages: [
                {
                  from,
                  id: options.id ?? unique("wamid."),
                  timestamp: String(Math.floor((options.at ?? new Date()).getTime() / 1000)),
                  type: "text",
                  text: { body: text },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

const userTurns = () =>
  upstream.requests.map((request) => {
    const messages = (request.body as { messages: Array<{ role: string; content: unknown }> }).messages;
    return messages.filter((message) => message.role === "user").map((message) => JSON.stringify(message.content));
  });

async function eventually<T>(read: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits, then checks nothing arrived: for things that must not happen. */
const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  graph = await startWebhookReceiver();
  instagram = await startWebhookReceiver();
  twilioApi = await startWebhookReceiver();
  smtp = await startSmtpStandIn();
  world = await startWorld({
    seed,
    env: {
      PUBLIC_URL,
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_MODEL: "scripted-model",
      MODEL_MAX_RETRIES: "0",
      META_GRAPH_URL: graph.origin,
      INSTAGRAM_GRAPH_URL: instagram.origin,
      TWILIO_API_URL: twilioApi.origin,
      SMTP_URL: smtp.url,
      JOB_RETRY_BASE_MS: "50",
      JOB_LEASE_MS: "3000",
      TRUST_PROXY_HOPS: "1",
      CHANNEL_INGRESS_PER_IP_PER_MINUTE: "30",
      // Each scripted call (12 + 6 tokens) costs 0.18 cents.
      MODEL_PRICES: JSON.stringify({ "scripted-model": { input: 10_000, output: 10_000 } }),
    },
  });
});

afterAll(async () => {
  await world?.close();
  await Promise.all([upstream?.close(), graph?.close(), instagram?.close(), twilioApi?.close(), smtp?.close()]);
});

beforeEach(() => {
  upstream.reset();
  for (const stand of [graph, instagram, twilioApi]) {
    stand.received.length = 0;
    stand.setFallback({ status: 200, body: { messages: [{ id: unique("wamid.out") }], message_id: unique("mid.out"), sid: unique("SM") } });
  }
});

describe("channel connections /api/channels", () => {
  it("connects an agent, gives the callback URL from PUBLIC_URL, and never returns a credential", async () => {
    const { admin, acme } = world.seeded;
    const created = await connect(admin.token, {
      type: "whatsapp",
      agent_id: acme.agent.publicId,
      name: "Support",
      credentials: metaCredentials,
    });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^chn_/),
      agent_id: acme.agent.publicId,
      type: "whatsapp",
      name: "Support",
      enabled: true,
      credentials_set: ["access_token", "app_secret", "verify_token"],
    });
    expect(created.callback_url).toBe(`${PUBLIC_URL}/api/webhooks/meta/${String(created.id)}`);
    const listed = await api("GET", `/api/channels?agent_id=${acme.agent.publicId}`, admin.token);
    const fetched = await api("GET", `/api/channels/${String(created.id)}`, admin.token);
    for (const body of [created, listed.body, fetched.body]) {
      for (const secret of Object.values(metaCredentials)) expect(JSON.stringify(body)).not.toContain(secret);
    }
    expect((listed.body.data as Array<{ id: string }>).map((entry) => entry.id)).toContain(created.id);
  });

  it("lets members read but only owners and admins change; other organisations see nothing", async () => {
    const { admin, member, mallory, acme } = world.seeded;
    const created = await connect(admin.token, { type: "messenger", agent_id: acme.agent.publicId, credentials: metaCredentials });
    expect((await api("GET", `/api/channels/${String(created.id)}`, member.token)).status).toBe(200);
    const body = { type: "messenger", agent_id: acme.agent.publicId, credentials: metaCredentials };
    expect((await api("POST", "/api/channels", member.token, body)).status).toBe(403);
    expect((await api("PATCH", `/api/channels/${String(created.id)}`, member.token, { enabled: false })).status).toBe(403);
    expect((await api("GET", `/api/channels/${String(created.id)}`, mallory.token)).status).toBe(404);
    expect((await api("DELETE", `/api/channels/${String(created.id)}`, mallory.token)).status).toBe(404);
    expect((await api("POST", "/api/channels", mallory.token, body)).status).toBe(404);
  });

  it("refuses incomplete credentials and keeps the others when some are replaced", async () => {
    const { admin, acme } = world.seeded;
    const missing = await api("POST", "/api/channels", admin.token, {
      type: "whatsapp",
      agent_id: acme.agent.publicId,
      credentials: { app_secret: "x" },
    });
    expect(missing.status).toBe(422);
    const twilio = await api("POST", "/api/channels", admin.token, {
      type: "twilio",
      agent_id: acme.agent.publicId,
      credentials: { account_sid: "not-a-sid", auth_token: "x" },
    });
    expect(twilio.status).toBe(422);
    const created = await connect(admin.token, { type: "whatsapp", agent_id: acme.agent.publicId, credentials: metaCredentials });
    const patched = await api("PATCH", `/api/channels/${String(created.id)}`, admin.token, {
      credentials: { verify_token: "a-new-token" },
    });
    expect(patched.status).toBe(200);
    const handshake = (token: string) =>
      fetch(`${world.app.url}${pathOf(created.callback_url)}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=42`, {
        headers: uniqueIp(),
      });
    expect((await handshake("a-new-token")).status).toBe(200);
    expect((await handshake(VERIFY_TOKEN)).status).toBe(403);
  });
});

describe("Meta callbacks", () => {
  let path: string;
  let connectionId: string;

  beforeAll(async () => {
    const { admin, acme } = world.seeded;
    const created = await connect(admin.token, { type: "whatsapp", agent_id: acme.agent.publicId, credentials: metaCredentials });
    path = pathOf(created.callback_url);
    connectionId = String(created.id);
  });

  it("answers the verification handshake with the raw challenge, and 403 for a wrong token or mode", async () => {
    const get = (query: string) => fetch(`${world.app.url}${path}?${query}`, { headers: uniqueIp() });
    const right = await get(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(right.status).toBe(200);
    expect(await right.text()).toBe("1158201444");
    expect((await get(`hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);
    expect((await get(`hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`)).status).toBe(403);
    expect(
      (await fetch(`${world.app.url}/api/webhooks/meta/chn_0000000000000000?hub.mode=subscribe`, { headers: uniqueIp() })).status,
    ).toBe(404);
  });

  it("runs the agent on a WhatsApp message and replies through the Graph API with the connection's token", async () => {
    const from = unique("4479");
    const response = await deliverMeta(path, whatsappText(from, "Where is my parcel?"));
    expect(response.status).toBe(200);
    const [sent] = await graph.waitFor(1);
    expect(sent!.method).toBe("POST");
    expect(sent!.path).toBe("/v21.0/PNID-1/messages");
    expect(sent!.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(JSON.parse(sent!.rawBody.toString())).toMatchObject({
      messaging_product: "whatsapp",
      to: from,
      type: "text",
      text: { body: DEFAULT_CONTENT },
    });
    expect(userTurns()).toEqual([[JSON.stringify("Where is my parcel?")]]);
  });

  it("keeps one conversation per contact: the second message sees the first exchange", async () => {
    const from = unique("4478");
    await deliverMeta(path, whatsappText(from, "First question"));
    await graph.waitFor(1);
    upstream.script({ content: "Second answer" });
    await deliverMeta(path, whatsappText(from, "Second question"));
    const [, second] = await graph.waitFor(2);
    expect(JSON.parse(second!.rawBody.toString()).text.body).toBe("Second answer");
    const last = upstream.requests.at(-1)!.body as { messages: Array<{ role: string; content: unknown }> };
    const turns = last.messages
      .filter((message) => message.role !== "system")
      .map((message) => [message.role, JSON.stringify(message.content)]);
    expect(turns.map(([role]) => role)).toEqual(["user", "assistant", "user"]);
    expect(turns[0]![1]).toContain("First question");
    expect(turns[1]![1]).toContain(DEFAULT_CONTENT);
    expect(turns[2]![1]).toContain("Second question");
  });

  it("runs a repeated delivery once", async () => {
    const payload = whatsappText(unique("4477"), "Only once", { id: unique("wamid.dupe") });
    expect((await deliverMeta(path, payload)).status).toBe(200);
    await graph.waitFor(1);
    expect((await deliverMeta(path, payload)).status).toBe(200);
    await quietFor(1_000);
    expect(upstream.requests).toHaveLength(1);
    expect(graph.received).toHaveLength(1);
  });

  it("refuses a wrong or missing signature, and a body re-serialised after signing, running nothing", async () => {
    const payload = whatsappText(unique("4476"), "Forged");
    expect((await deliverMeta(path, payload, "not-the-app-secret")).status).toBe(401);
    const raw = JSON.stringify(payload);
    expect((await deliver(path, raw, { "Content-Type": "application/json" })).status).toBe(401);
    const reformatted = JSON.stringify(payload, null, 2);
    expect(
      (await deliver(path, reformatted, { "Content-Type": "application/json", "X-Hub-Signature-256": metaSignature(raw) })).status,
    ).toBe(401);
    await quietFor(500);
    expect(upstream.requests).toHaveLength(0);
  });

  it("acknowledges statuses, receipts and echoes without running the agent", async () => {
    const statuses = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: "WABA-1",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15550001111", phone_number_id: "PNID-1" },
                statuses: [{ id: "wamid.x", status: "delivered", timestamp: "1700000000", recipient_id: "4470" }],
              },
            },
          ],
        },
      ],
    };
    expect((await deliverMeta(path, statuses)).status).toBe(200);
    await quietFor(500);
    expect(upstream.requests).toHaveLength(0);
  });

  it("answers 400 for a signed body that is not JSON, 413 past the size cap, 404 for an unknown or disabled connection", async () => {
    expect(
      (await deliver(path, "{not json", { "Content-Type": "application/json", "X-Hub-Signature-256": metaSignature("{not json") })).status,
    ).toBe(400);
    const huge = JSON.stringify({ object: "whatsapp_business_account", entry: [], pad: "x".repeat(1_100_000) });
    expect((await deliver(path, huge, { "Content-Type": "application/json", "X-Hub-Signature-256": metaSignature(huge) })).status).toBe(
      413,
    );
    expect((await deliverMeta("/api/webhooks/meta/chn_0000000000000000", whatsappText("1", "x"))).status).toBe(404);
    const { admin, acme } = world.seeded;
    const disabled = await connect(admin.token, {
      type: "whatsapp",
      agent_id: acme.agent.publicId,
      credentials: metaCredentials,
      enabled: false,
    });
    expect((await deliverMeta(pathOf(disabled.callback_url), whatsappText("1", "x"))).status).toBe(404);
    expect((await deliverMeta(`/api/webhooks/twilio/${connectionId}`, whatsappText("1", "x"))).status).toBe(404);
  });

  it("does not send free text outside the 24-hour window, and records why", async () => {
    const longAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    expect((await deliverMeta(path, whatsappText(unique("4475"), "Late", { at: longAgo }))).status).toBe(200);
    await eventually(
      () => upstream.requests.length,
      (count) => count === 1,
    );
    await quietFor(1_000);
    expect(graph.received).toHaveLength(0);
    if (world.db) {
      const [withheld] = await world.db.select().from(tables.channelMessages).where(eq(tables.channelMessages.status, "withheld"));
      expect(withheld?.note).toMatch(/24 hours/);
    }
  });

  it("limits each address per connection", async () => {
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const response = await fetch(`${world.app.url}${path}?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`, { headers: ip });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 30).every((status) => status === 403)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("Messenger and Instagram", () => {
  it("replies to a Messenger message on the page's endpoint and ignores echoes, deliveries and reads", async () => {
    const { admin, acme } = world.seeded;
    const created = await connect(admin.token, { type: "messenger", agent_id: acme.agent.publicId, credentials: metaCredentials });
    const psid = unique("PSID");
    const payload = {
      object: "page",
      entry: [
        {
          id: "PAGE-1",
          time: Date.now(),
          messaging: [
            { sender: { id: psid }, recipient: { id: "PAGE-1" }, timestamp: Date.now(), message: { mid: unique("m_"), text: "Hi page" } },
            {
              sender: { id: "PAGE-1" },
              recipient: { id: psid },
              timestamp: Date.now(),
              message: { mid: unique("m_"), text: "echo", is_echo: true },
            },
            { sender: { id: psid }, recipient: { id: "PAGE-1" }, timestamp: Date.now(), delivery: { mids: ["m_1"], watermark: 1 } },
            { sender: { id: psid }, recipient: { id: "PAGE-1" }, timestamp: Date.now(), read: { watermark: 1 } },
          ],
        },
      ],
    };
    expect((await deliverMeta(pathOf(created.callback_url), payload)).status).toBe(200);
    const [sent] = await graph.waitFor(1);
    expect(sent!.path).toBe("/v21.0/PAGE-1/messages");
    expect(JSON.parse(sent!.rawBody.toString())).toMatchObject({
      recipient: { id: psid },
      messaging_type: "RESPONSE",
      message: { text: DEFAULT_CONTENT },
    });
    await quietFor(500);
    expect(upstream.requests).toHaveLength(1);
  });

  it("replies to an Instagram message through Instagram's Graph API", async () => {
    const { admin, acme } = world.seeded;
    const created = await connect(admin.token, { type: "instagram", agent_id: acme.agent.publicId, credentials: metaCredentials });
    const igsid = unique("IGSID");
    const payload = {
      object: "instagram",
      entry: [
        {
          id: "IG-1",
          time: Date.now(),
          messaging: [
            { sender: { id: igsid }, recipient: { id: "IG-1" }, timestamp: Date.now(), message: { mid: unique("aWdf"), text: "Hi insta" } },
          ],
        },
      ],
    };
    expect((await deliverMeta(pathOf(created.callback_url), payload)).status).toBe(200);
    const [sent] = await instagram.waitFor(1);
    expect(sent!.path).toBe("/v21.0/IG-1/messages");
    expect(JSON.parse(sent!.rawBody.toString())).toMatchObject({ recipient: { id: igsid }, message: { text: DEFAULT_CONTENT } });
  });
});

/** Twilio's scheme, written out independently: base64 HMAC-SHA1 of the URL and the sorted parameters. */
function twilioSignature(url: string, params: Record<string, string>, token = TWILIO_TOKEN): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((name) => name + params[name])
      .join("");
  return createHmac("sha1", token).update(data).digest("base64");
}

describe("Twilio callbacks", () => {
  let path: string;

  beforeAll(async () => {
    const { admin, acme } = world.seeded;
    const created = await connect(admin.token, {
      type: "twilio",
      agent_id: acme.agent.publicId,
      credentials: { account_sid: TWILIO_SID, auth_token: TWILIO_TOKEN },
    });
    path = pathOf(created.callback_url);
  });

  const post = (params: Record<string, string>, signature: string) =>
    deliver(path, new URLSearchParams(params).toString(), {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Twilio-Signature": signature,
    });

  it("answers empty TwiML at once and sends the reply with the Messages API, signed against PUBLIC_URL", async () => {
    const params = {
      MessageSid: unique("SM"),
      AccountSid: TWILIO_SID,
      From: "+15005550006",
      To: "+15005550001",
      Body: "Opening hours?",
      NumMedia: "0",
    };
    const response = await post(params, twilioSignature(`${PUBLIC_URL}${path}`, params));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/xml/);
    expect(await response.text()).toMatch(/<Response\/>$/);
    const [sent] = await twilioApi.waitFor(1);
    expect(sent!.path).toBe(`/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`);
    expect(sent!.headers.authorization).toBe(`Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString("base64")}`);
    const form = new URLSearchParams(sent!.rawBody.toString());
    expect(Object.fromEntries(form)).toMatchObject({ From: "+15005550001", To: "+15005550006", Body: DEFAULT_CONTENT });
  });

  it("keeps whatsapp: addresses for WhatsApp over Twilio", async () => {
    const params = {
      MessageSid: unique("SM"),
      AccountSid: TWILIO_SID,
      From: "whatsapp:+15005550007",
      To: "whatsapp:+15005550001",
      Body: "Hola",
      ProfileName: "Ana",
      WaId: "15005550007",
    };
    expect((await post(params, twilioSignature(`${PUBLIC_URL}${path}`, params))).status).toBe(200);
    const [sent] = await twilioApi.waitFor(1);
    expect(Object.fromEntries(new URLSearchParams(sent!.rawBody.toString()))).toMatchObject({
      From: "whatsapp:+15005550001",
      To: "whatsapp:+15005550007",
    });
  });

  it("refuses a signature made for the URL the request arrived on instead of PUBLIC_URL, and a wrong token", async () => {
    const params = { MessageSid: unique("SM"), AccountSid: TWILIO_SID, From: "+15005550008", To: "+15005550001", Body: "x" };
    expect((await post(params, twilioSignature(`${world.app.url}${path}`, params))).status).toBe(401);
    expect((await post(params, twilioSignature(`${PUBLIC_URL}${path}`, params, "wrong-token"))).status).toBe(401);
    expect((await post(params, "")).status).toBe(401);
    await quietFor(500);
    expect(upstream.requests).toHaveLength(0);
  });

  it("acknowledges status callbacks without running the agent", async () => {
    const params = {
      MessageSid: unique("SM"),
      AccountSid: TWILIO_SID,
      From: "+15005550001",
      To: "+15005550006",
      MessageStatus: "delivered",
      SmsStatus: "delivered",
    };
    const response = await post(params, twilioSignature(`${PUBLIC_URL}${path}`, params));
    expect(response.status).toBe(200);
    await quietFor(500);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("email", () => {
  let path: string;
  let secret: string;

  beforeAll(async () => {
    const { admin, acme } = world.seeded;
    const created = await connect(admin.token, {
      type: "email",
      agent_id: acme.agent.publicId,
      settings: { from_address: "help@acme.test", from_name: "Acme Help" },
    });
    path = pathOf(created.callback_url);
    secret = String(created.inbox_secret);
    expect(secret.length).toBeGreaterThanOrEqual(24);
    expect(JSON.stringify((await api("GET", `/api/channels/${String(created.id)}`, admin.token)).body)).not.toContain(secret);
  });

  const mime = (from: string, messageId: string, body: string, extra = "") =>
    [
      `From: Grace Customer <${from}>`,
      "To: help@acme.test",
      "Subject: Refund",
      `Message-ID: <${messageId}>`,
      "Date: Thu, 26 Nov 2026 07:00:00 +0000",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      ...(extra ? [extra] : []),
      "",
      body,
    ].join("\r\n");

  it("runs the agent on raw mail and replies over SMTP in the same thread, without the quoted history", async () => {
    const messageId = `${unique("msg")}@mail.example`;
    const body = "Can I get a refund?\r\n\r\nOn Wed, 25 Nov 2026 at 10:00, Acme Help <help@acme.test> wrote:\r\n> Earlier answer\r\n> more";
    const response = await deliver(path, mime("grace@example.com", messageId, body), {
      "Content-Type": "message/rfc822",
      Authorization: `Bearer ${secret}`,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });
    const [mail] = await smtp.waitFor(1);
    expect(mail!.envelope.to).toEqual(["grace@example.com"]);
    expect(mail!.inReplyTo).toBe(`<${messageId}>`);
    expect(mail!.subject).toBe("Re: Refund");
    expect(mail!.text).toContain(DEFAULT_CONTENT);
    expect(userTurns().at(-1)?.join("")).toContain("Can I get a refund?");
    expect(userTurns().at(-1)?.join("")).not.toContain("Earlier answer");
  });

  it("drops auto-replies and bounces without running the agent", async () => {
    const auto = mime("grace@example.com", `${unique("ooo")}@mail.example`, "I am out of office", "Auto-Submitted: auto-replied");
    const bounce = mime("MAILER-DAEMON@mail.example", `${unique("bounce")}@mail.example`, "Delivery failed");
    for (const raw of [auto, bounce]) {
      const response = await deliver(path, raw, { "Content-Type": "message/rfc822", Authorization: `Bearer ${secret}` });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ received: false, ignored: expect.any(String) });
    }
    await quietFor(500);
    expect(upstream.requests).toHaveLength(0);
  });

  it("takes Postmark's inbound JSON with Basic auth, and answers a wrong secret 403 so Postmark stops retrying", async () => {
    const postmark = {
      From: "lin@example.com",
      FromName: "Lin",
      FromFull: { Email: "lin@example.com", Name: "Lin" },
      To: "help@acme.test",
      Subject: "Order",
      MessageID: unique("pm-"),
      TextBody: "Where is order 7?",
      StrippedTextReply: "",
      Headers: [{ Name: "Message-ID", Value: `<${unique("pm")}@mail.example>` }],
      MailboxHash: "",
    };
    const sentBefore = smtp.messages.length;
    const basic = (password: string) => `Basic ${Buffer.from(`postmark:${password}`).toString("base64")}`;
    const wrong = await deliver(path, JSON.stringify(postmark), { "Content-Type": "application/json", Authorization: basic("wrong") });
    expect(wrong.status).toBe(403);
    const right = await deliver(path, JSON.stringify(postmark), { "Content-Type": "application/json", Authorization: basic(secret) });
    expect(right.status).toBe(200);
    const mails = await smtp.waitFor(sentBefore + 1);
    expect(mails.at(-1)!.envelope.to).toEqual(["lin@example.com"]);
  });

  it("refuses raw mail without the secret (401) and other content types (415)", async () => {
    const raw = mime("eve@example.com", `${unique("x")}@mail.example`, "hello");
    expect((await deliver(path, raw, { "Content-Type": "message/rfc822" })).status).toBe(401);
    expect((await deliver(path, raw, { "Content-Type": "text/plain", Authorization: `Bearer ${secret}` })).status).toBe(415);
  });
});

describe("limits and durability", () => {
  it("records a plan limit instead of replying, and still answers the vendor 200", async () => {
    const { cappedAdmin, capped } = world.seeded;
    const created = await connect(cappedAdmin.token, { type: "whatsapp", agent_id: capped.agent.publicId, credentials: metaCredentials });
    expect((await deliverMeta(pathOf(created.callback_url), whatsappText(unique("4474"), "Hello?"))).status).toBe(200);
    await quietFor(1_500);
    expect(upstream.requests).toHaveLength(0);
    expect(graph.received).toHaveLength(0);
    if (world.db) {
      const [skipped] = await world.db.select().from(tables.channelMessages).where(eq(tables.channelMessages.status, "skipped"));
      expect(skipped?.note).toMatch(/MESSAGE_LIMIT_REACHED/);
    }
  });

  it("loses nothing when the server dies between receipt and reply", async () => {
    const { admin, acme } = world.seeded;
    const created = await connect(admin.token, { type: "whatsapp", agent_id: acme.agent.publicId, credentials: metaCredentials });
    // The first model call hangs past the kill; the job's lease lapses and the restarted server runs it again.
    upstream.script({ hang: true }, { content: "After the restart" });
    const from = unique("4473");
    expect((await deliverMeta(pathOf(created.callback_url), whatsappText(from, "Still there?"))).status).toBe(200);
    await eventually(
      () => upstream.requests.length,
      (count) => count === 1,
    );
    await world.app.stop("SIGKILL");
    await world.app.restart();
    const [sent] = await graph.waitFor(1, 30_000);
    expect(JSON.parse(sent!.rawBody.toString())).toMatchObject({ to: from, text: { body: "After the restart" } });
  });
});

describe("a channel paid by an API key", () => {
  it("charges the key's budget, and runs nothing once the key is revoked", async () => {
    const { admin, acme } = world.seeded;
    const key = await api("POST", "/api/api-keys", admin.token, {
      label: "WhatsApp budget",
      budget_usd_cents: 100,
      budget_period: "monthly",
    });
    expect(key.status).toBe(201);
    const created = await connect(admin.token, {
      type: "whatsapp",
      agent_id: acme.agent.publicId,
      credentials: metaCredentials,
      api_key_id: key.body.id,
    });
    expect(created.api_key_id).toBe(key.body.id);
    const path = pathOf(created.callback_url);
    expect((await deliverMeta(path, whatsappText(unique("4472"), "Charge me"))).status).toBe(200);
    await graph.waitFor(1);
    const usage = await eventually(
      async () =>
        (await api("GET", `/api/api-keys/${String(key.body.id)}`, admin.token)).body.usage as { requests: number; spent_usd_cents: number },
      (value) => value.requests >= 1,
    );
    expect(usage.requests).toBe(1);
    expect(usage.spent_usd_cents).toBeGreaterThan(0);

    expect((await api("DELETE", `/api/api-keys/${String(key.body.id)}`, admin.token)).status).toBe(200);
    upstream.reset();
    expect((await deliverMeta(path, whatsappText(unique("4471"), "Free ride?"))).status).toBe(200);
    await quietFor(1_000);
    expect(upstream.requests).toHaveLength(0);
  });

  it("takes only an unrevoked key of the organisation that may use the connection's agent", async () => {
    const { admin, acme, sales, mallory } = world.seeded;
    const foreign = await api("POST", "/api/api-keys", mallory.token, { label: "Globex key" });
    const narrow = await api("POST", "/api/api-keys", admin.token, { label: "Support only", agent_ids: [acme.agent.publicId] });
    const body = (agentId: string, keyId: unknown) => ({
      type: "whatsapp",
      agent_id: agentId,
      credentials: metaCredentials,
      api_key_id: keyId,
    });
    expect((await api("POST", "/api/channels", admin.token, body(acme.agent.publicId, foreign.body.id))).status).toBe(422);
    expect((await api("POST", "/api/channels", admin.token, body(sales.publicId, narrow.body.id))).status).toBe(422);
    const created = await connect(admin.token, body(acme.agent.publicId, narrow.body.id));
    const cleared = await api("PATCH", `/api/channels/${String(created.id)}`, admin.token, { api_key_id: null });
    expect(cleared.body.api_key_id).toBeNull();
  });
});
