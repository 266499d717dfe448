/**
 * Secrets stay where they belong: a provider's key only travels to a public (or allow-listed)
 * base URL, tool credentials are encrypted at rest and never returned, and logs and the start
 * banner carry neither secrets nor message text.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "@/lib/agents";
import { encryptSecret } from "@/lib/crypto";
import { newPublicId, tables, type Db } from "@/lib/db";
import { openMcpConnection } from "@/lib/tools/mcp";
import { executeHttpTool } from "@/lib/tools/http";
import { postWebhook } from "@/lib/webhooks/post";
import { readDemoFile, startWorld, type World } from "../support/app";
import { createTenant } from "../support/fixtures";
import { expectDocumented } from "../support/openapi-contract";
import { startScriptedUpstream, type ScriptedUpstream } from "../support/scripted-upstream";

/** Ways to write a loopback or metadata address that URL parsers and resolvers accept. */
const SSRF_SPELLINGS = [
  "http://127.1/v1",
  "http://0x7f000001/v1",
  "http://2130706433/v1",
  "http://[::ffff:127.0.0.1]/v1",
  "http://169.254.169.254/latest/meta-data",
  "http://localhost/v1",
  "http://127.0.0.1/v1#",
];

interface Reply {
  status: number;
  body: unknown;
}

async function call(baseUrl: string, method: string, urlPath: string, key: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expectDocumented(method, urlPath, response, text);
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/** A loopback server that records each request's headers and answers `{ ok: true }`. */
async function startHeaderRecorder(host: string): Promise<{ url: string; seen: IncomingHttpHeaders[]; server: Server }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on("end", () => response.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, seen, server };
}

describe("outbound guard on every user-supplied URL", () => {
  // Trusted: the operator's OPENAI_BASE_URL. Allow-listed: 127.0.0.2 (TOOL_ALLOWED_PRIVATE_HOSTS).
  let trusted: ScriptedUpstream;
  let allowListed: ScriptedUpstream;
  let world: World<Awaited<ReturnType<typeof seed>>>;

  async function seed(db: Db) {
    const acme = await createTenant(db, "Acme");
    // A provider row stored before base URLs were checked, pointing at a loopback server.
    const [legacy] = await db
      .insert(tables.aiProviders)
      .values({
        publicId: newPublicId("aiProvider"),
        orgId: acme.org.id,
        name: "legacy loopback provider",
        type: "openai_compatible",
        baseUrl: trusted.baseUrl,
        apiKeyCiphertext: encryptSecret("sk-provider-key-must-not-leak"),
      })
      .returning();
    const legacyAgent = await createAgent(db, { orgId: acme.org.id, name: "legacy", aiProviderId: legacy!.id });
    return { acme, legacy: legacy!, legacyAgent };
  }

  const api = (method: string, urlPath: string, body?: unknown) => call(world.app.url, method, urlPath, world.seeded.acme.key, body);
  const errorOf = (reply: Reply) => String((reply.body as { error?: unknown }).error);

  beforeAll(async () => {
    trusted = await startScriptedUpstream();
    allowListed = await startScriptedUpstream({ host: "127.0.0.2" });
    world = await startWorld({
      seed,
      env: {
        OPENAI_BASE_URL: trusted.baseUrl,
        OPENAI_MODEL: "scripted-model",
        MODEL_MAX_RETRIES: "0",
        TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.2",
        KEY_CACHE_TTL_MS: "0",
      },
    });
  });

  afterAll(async () => {
    await world?.close();
    await trusted?.close();
    await allowListed?.close();
  });

  beforeEach(() => {
    trusted.reset();
    allowListed.reset();
  });

  describe.each(SSRF_SPELLINGS)("%s", (spelling) => {
    it("is refused as a provider base_url on create and on update (400, the Agents API's envelope)", async () => {
      const created = await api("POST", "/api/v1/ai-providers", {
        name: "sneaky",
        type: "openai_compatible",
        base_url: spelling,
        api_key: "sk-provider-key-must-not-leak",
      });
      expect(created.status).toBe(400);
      expect(errorOf(created)).toMatch(/base_url refused/);

      const fine = await api("POST", "/api/v1/ai-providers", { name: "fine", type: "openai_compatible", base_url: allowListed.baseUrl });
      expect(fine.status).toBe(201);
      const id = (fine.body as { id: string }).id;
      const updated = await api("PUT", `/api/v1/ai-providers/${id}`, { base_url: spelling });
      expect(updated.status).toBe(400);
      expect(((await api("GET", `/api/v1/ai-providers/${id}`)).body as { base_url: string }).base_url).toBe(allowListed.baseUrl);
      await api("DELETE", `/api/v1/ai-providers/${id}`);
    });

    it("is refused by the http tool, the MCP tool and webhook deliveries", async () => {
      // These run in this process, where TOOL_ALLOWED_PRIVATE_HOSTS is unset: nothing private is allowed.
      await expect(executeHttpTool({ config: { url: spelling, method: "GET" }, args: {} })).rejects.toThrow(
        /Refusing to call|Could not resolve/,
      );
      await expect(openMcpConnection({ url: spelling })).rejects.toThrow(/Refusing to call|Could not resolve/);
      await expect(postWebhook(spelling, "{}", {})).rejects.toThrow(/Refusing to call|Could not resolve/);
    });
  });

  it("checks again at connect time: a stored loopback provider gets no request, and no key", async () => {
    const reply = await api("POST", `/api/v1/agents/${world.seeded.legacyAgent.publicId}/generate`, {
      messages: [{ role: "user", content: "hello" }],
    });
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toMatch(/base_url refused.*loopback/);
    expect(trusted.requests).toHaveLength(0);
  });

  it("lets an allow-listed provider through, with its key", async () => {
    const created = await api("POST", "/api/v1/ai-providers", {
      name: "allowed",
      type: "openai_compatible",
      base_url: allowListed.baseUrl,
      api_key: "sk-allowed-provider",
      default_model: "scripted-model",
    });
    expect(created.status).toBe(201);
    const agent = await api("POST", "/api/v1/agents", { ai_provider_id: (created.body as { id: string }).id, name: "allowed" });
    const reply = await api("POST", `/api/v1/agents/${(agent.body as { id: string }).id}/generate`, {
      messages: [{ role: "user", content: "hello" }],
    });
    expect(reply.status).toBe(200);
    expect(allowListed.requests).toHaveLength(1);
    expect(allowListed.requests[0]!.headers.authorization).toBe("Bearer sk-allowed-provider");
  });

  it("trusts the operator's own OPENAI_BASE_URL, although it is loopback", async () => {
    const reply = await call(world.app.url, "POST", `/api/agents/${world.seeded.acme.agent.id}/chat`, world.seeded.acme.key, {
      messages: [{ role: "user", content: "hello" }],
    });
    expect(reply.status).toBe(200);
    expect(trusted.requests).toHaveLength(1);
  });

  describe("tool credentials", () => {
    const HTTP_SECRET = "Bearer tool-secret-3f9a1c";
    const MCP_SECRET = "mcp-secret-77d2e0";
    let recorder: Awaited<ReturnType<typeof startHeaderRecorder>>;

    beforeAll(async () => {
      recorder = await startHeaderRecorder("127.0.0.2");
    });
    afterAll(async () => {
      recorder.server.closeAllConnections();
      await new Promise<void>((resolve) => recorder.server.close(() => resolve()));
    });

    it("are encrypted at rest, never returned (masked names), kept by updates without headers, and sent when the tool runs", async () => {
      const created = await api("POST", "/api/v1/agents/tools", {
        name: "lookup",
        type: "http",
        parameters: { type: "object", properties: {} },
        execute: { url: `${recorder.url}/lookup`, method: "POST", headers: { Authorization: HTTP_SECRET, "X-Plain": "visible-by-name" } },
      });
      expect(created.status).toBe(201);
      const mcp = await api("POST", "/api/v1/agents/tools", {
        name: "remote",
        type: "mcp",
        mcp: { url: `${recorder.url}/mcp`, headers: { "X-Api-Key": MCP_SECRET } },
      });
      expect(mcp.status).toBe(201);
      const toolId = (created.body as { id: string }).id;
      const mcpId = (mcp.body as { id: string }).id;

      // Renaming with new execute settings but no headers keeps the stored ones.
      const renamed = await api("PUT", `/api/v1/agents/tools/${toolId}`, {
        name: "lookup_order",
        execute: { url: `${recorder.url}/lookup`, method: "POST" },
      });
      expect(renamed.status).toBe(200);

      const responses = [
        created,
        mcp,
        renamed,
        await api("GET", `/api/v1/agents/tools/${toolId}`),
        await api("GET", `/api/v1/agents/tools/${mcpId}`),
        await api("GET", "/api/v1/agents/tools"),
      ];
      for (const response of responses) {
        expect(JSON.stringify(response.body)).not.toContain("tool-secret-3f9a1c");
        expect(JSON.stringify(response.body)).not.toContain(MCP_SECRET);
      }
      expect((renamed.body as { execute: unknown }).execute).toEqual({
        url: `${recorder.url}/lookup`,
        method: "POST",
        headers: { Authorization: "********", "X-Plain": "********" },
      });
      expect((mcp.body as { mcp: { headers: unknown } }).mcp.headers).toEqual({ "X-Api-Key": "********" });

      if (world.db) {
        const rows = await world.db.select().from(tables.tools).where(eq(tables.tools.orgId, world.seeded.acme.org.id));
        expect(JSON.stringify(rows)).not.toContain("tool-secret-3f9a1c");
        expect(JSON.stringify(rows)).not.toContain(MCP_SECRET);
      }

      const provider = await api("POST", "/api/v1/ai-providers", {
        name: "tools",
        type: "openai_compatible",
        base_url: allowListed.baseUrl,
        default_model: "scripted-model",
      });
      const agent = await api("POST", "/api/v1/agents", { ai_provider_id: (provider.body as { id: string }).id, tool_ids: [toolId] });
      allowListed.script({ toolCalls: [{ id: "call_1", name: "lookup_order", arguments: "{}" }] }, { content: "done" });
      recorder.seen.length = 0;
      const run = await api("POST", `/api/v1/agents/${(agent.body as { id: string }).id}/generate`, {
        messages: [{ role: "user", content: "look it up" }],
      });
      expect(run.status).toBe(200);
      expect(recorder.seen).toHaveLength(1);
      expect(recorder.seen[0]!.authorization).toBe(HTTP_SECRET);
      expect(recorder.seen[0]!["x-plain"]).toBe("visible-by-name");
    });

    it("a masked value sent back keeps the stored secret; a new value replaces it", async () => {
      const created = await api("POST", "/api/v1/agents/tools", {
        name: "roundtrip",
        type: "http",
        execute: { url: `${recorder.url}/x`, headers: { Authorization: "Bearer first", "X-Other": "one" } },
      });
      const id = (created.body as { id: string }).id;
      const read = (await api("GET", `/api/v1/agents/tools/${id}`)).body as { execute: { url: string; headers: Record<string, string> } };
      const sentBack = await api("PUT", `/api/v1/agents/tools/${id}`, {
        execute: { url: read.execute.url, headers: { ...read.execute.headers, "X-Other": "two" } },
      });
      expect(sentBack.status).toBe(200);
      if (world.db) {
        const [row] = await world.db.select().from(tables.tools).where(eq(tables.tools.publicId, id));
        const headers = row!.execute!.headers!;
        expect(Object.keys(headers).sort()).toEqual(["Authorization", "X-Other"]);
        expect(JSON.stringify(headers)).not.toContain("first");
        expect(JSON.stringify(headers)).not.toContain("two");
      }
    });

    it("the API description says header values are masked", async () => {
      const document = (await (await fetch(`${world.app.url}/api/openapi.json`)).json()) as {
        components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      };
      const execute = JSON.stringify(document.components.schemas.AgentToolResponse!.properties.execute);
      expect(execute).toContain('"const":"********"');
      expect(execute).toContain("never returned");
    });
  });
});

describe("tool headers written in plaintext before encryption", () => {
  let upstream: ScriptedUpstream;
  let recorder: Awaited<ReturnType<typeof startHeaderRecorder>>;
  let world: World<{ key: string; agentId: string; toolId: string }>;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    recorder = await startHeaderRecorder("127.0.0.1");
    world = await startWorld({
      seed: async (db) => {
        const acme = await createTenant(db, "Legacy");
        const [tool] = await db
          .insert(tables.tools)
          .values({
            publicId: newPublicId("tool"),
            orgId: acme.org.id,
            name: "legacy_lookup",
            type: "http",
            parameters: { type: "object", properties: {} },
            execute: { url: `${recorder.url}/legacy`, method: "POST", headers: { Authorization: "Bearer legacy-plaintext" } },
          })
          .returning();
        await db.insert(tables.agentTools).values({ agentId: acme.agent.id, toolId: tool!.id, position: 0 });
        return { key: acme.key, agentId: acme.agent.id, toolId: tool!.publicId };
      },
      env: {
        OPENAI_BASE_URL: upstream.baseUrl,
        OPENAI_MODEL: "scripted-model",
        TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
        MODEL_MAX_RETRIES: "0",
      },
    });
  });

  afterAll(async () => {
    await world?.close();
    await upstream?.close();
    recorder?.server.closeAllConnections();
    await new Promise<void>((resolve) => recorder?.server.close(() => resolve()));
  });

  it("keep working, and are masked in responses too", async () => {
    upstream.script({ toolCalls: [{ id: "call_1", name: "legacy_lookup", arguments: "{}" }] }, { content: "done" });
    const run = await call(world.app.url, "POST", `/api/agents/${world.seeded.agentId}/chat`, world.seeded.key, {
      messages: [{ role: "user", content: "go" }],
    });
    expect(run.status).toBe(200);
    expect(recorder.seen.map((headers) => headers.authorization)).toEqual(["Bearer legacy-plaintext"]);
    const read = await call(world.app.url, "GET", `/api/v1/agents/tools/${world.seeded.toolId}`, world.seeded.key);
    expect(JSON.stringify(read.body)).not.toContain("legacy-plaintext");
    expect((read.body as { execute: { headers: unknown } }).execute.headers).toEqual({ Authorization: "********" });
  });
});

describe("logs and the start banner", () => {
  let world: World<null>;

  beforeAll(async () => {
    // Nothing seeded by the test: the app seeds its demo on this first start.
    world = await startWorld({ seed: async () => null, env: { KEY_CACHE_TTL_MS: "0" } });
  });

  afterAll(async () => {
    await world?.close();
  });

  it("input that could not be stored is refused at the door, and the log carries neither secrets nor message text", async () => {
    const demo = readDemoFile(world.app.dataDir) as { apiKey: string; userToken: string; agentId: string };
    const secret = "sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    const text = "Please wire the refund to account 4471-2290";
    // A NUL character cannot be stored in a text column; a write that fails anyway is logged by
    // code only (records.test.ts covers the batch writer with a row the database refuses).
    const content = `${text} ${secret}\u0000`;
    const task = await fetch(`${world.app.url}/api/agent`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${demo.userToken}`, "X-Api-Key": demo.apiKey },
      body: JSON.stringify({ message: content }),
    });
    expect(task.status).toBeGreaterThanOrEqual(400);
    expect(task.status).toBeLessThan(500);
    const chat = await fetch(`${world.app.url}/api/agents/${demo.agentId}/chat`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${demo.apiKey}` },
      body: JSON.stringify({ messages: [{ role: "user", content }] }),
    });
    expect(chat.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const log = world.app.output();
    expect(log).not.toContain(secret);
    expect(log).not.toContain(text);
    expect(log).not.toContain("params:");
  });

  it("only the first start's banner shows the demo key; a restart points at demo.json", async () => {
    const demo = readDemoFile(world.app.dataDir) as { apiKey: string; userToken: string; admin: { password: string } };
    expect(world.app.output()).toContain(demo.apiKey);
    await world.app.restart();
    const banner = world.app.output();
    expect(banner).toContain(path.join(world.app.dataDir, "demo.json"));
    for (const secret of [demo.apiKey, demo.userToken, demo.admin.password]) expect(banner).not.toContain(secret);
  });
});
