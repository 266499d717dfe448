import { spawn } from "node:child_process";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tables } from "@/lib/db";
import { readDemoFile, startWorld, type World } from "./support/app";
import { createTenant } from "./support/fixtures";
import { getJson, postJson } from "./support/http";

let world: World<undefined>;

beforeAll(async () => {
  // An empty, migrated database and no model configured: exactly a fresh install.
  world = await startWorld({ seed: async () => undefined });
});

afterAll(async () => {
  await world?.close();
});

interface Demo {
  url: string;
  orgId: string;
  agentId: string;
  agentPublicId: string;
  apiKey: string;
  userToken: string;
  admin: { email: string; password: string };
}

describe("start-up checks", () => {
  it("refuses to start on an external database without an encryption key, and says why", async ({ skip }) => {
    if (!world.app.env.DATABASE_URL) return skip("the embedded setup generates its own key");
    const { launchApp } = await import("./support/app");
    const env = { ...world.app.env, CONDUIT_ENCRYPTION_KEY: "" };
    await expect(launchApp(env)).rejects.toThrow(/CONDUIT_ENCRYPTION_KEY is required when DATABASE_URL is set/);
  });

  it("exits at once on a busy port, naming it, before touching any database", async () => {
    const dataDir = path.join(tmpdir(), `conduit-busy-port-${process.pid}-${Date.now()}`);
    // An unreachable database: had the second instance connected before binding, it would fail
    // on the connection instead, and an embedded one would have created its data directory.
    const env = { ...world.app.env, DATA_DIR: dataDir, DATABASE_URL: "postgres://postgres@127.0.0.1:1/unreachable" };
    const started = Date.now();
    const second = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
      cwd: path.resolve(__dirname, ".."),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    second.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    second.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => second.once("exit", resolve));

    expect(exitCode).toBe(1);
    expect(output).toContain(`port ${world.app.port} on 127.0.0.1 is already in use`);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(existsSync(dataDir)).toBe(false);
    // The running instance is untouched.
    expect((await fetch(`${world.app.url}/api/health`)).status).toBe(200);
  });

  it("refuses an invalid setting with a readable message", async () => {
    const { launchApp } = await import("./support/app");
    await expect(launchApp({ ...world.app.env, RUN_TIMEOUT_MS: "soon" })).rejects.toThrow(/RUN_TIMEOUT_MS/);
  });
});

describe("first start", () => {
  it("seeds a demo, writes demo.json (0600) and prints a ready-to-paste curl", async () => {
    const demo = readDemoFile(world.app.dataDir) as unknown as Demo;
    expect(demo).toMatchObject({
      url: `http://localhost:${world.app.port}`,
      orgId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      agentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      agentPublicId: expect.stringMatching(/^agt_/),
      apiKey: expect.stringMatching(/^cdt_/),
      userToken: expect.stringMatching(/^cdtu_/),
      admin: { email: "admin@conduit.local", password: expect.any(String) },
    });
    expect(statSync(path.join(world.app.dataDir, "demo.json")).mode & 0o777).toBe(0o600);
    const output = world.app.output();
    expect(output).toContain(`/api/agents/${demo.agentId}/chat`);
    expect(output).toContain(`Authorization: Bearer ${demo.apiKey}`);
    // The demo admin's token is a personal access token like any other: listed (without itself), revocable.
    const tokens = await fetch(`${world.app.url}/api/personal-tokens`, { headers: { Authorization: `Bearer ${demo.userToken}` } });
    expect(tokens.status).toBe(200);
    const listed = await tokens.text();
    expect(JSON.parse(listed)).toMatchObject({ data: [{ name: "Demo token", start: demo.userToken.slice(0, 9), revoked_at: null }] });
    expect(listed).not.toContain(demo.userToken);
  });

  it("answers the demo key with the built-in offline demo model, streaming too", async () => {
    const demo = readDemoFile(world.app.dataDir) as unknown as Demo;
    const chatUrl = `${world.app.url}/api/agents/${demo.agentId}/chat`;
    const response = await postJson(chatUrl, { messages: [{ role: "user", content: "Hello" }], stream: false }, { key: demo.apiKey });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ model: "conduit-demo" });
    const content = (response.body as { message: { content: string } }).message.content;
    expect(content).toContain("offline demo model");
    expect(content).toContain('"Hello"');

    const stream = await fetch(chatUrl, {
      method: "POST",
      headers: { Authorization: `Bearer ${demo.apiKey}` },
      body: JSON.stringify({ messages: [{ role: "user", content: "Hello" }], stream: true }),
    });
    const lines = (await stream.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; content?: string; message?: { content: string } });
    const text = lines
      .filter((line) => line.type === "delta")
      .map((line) => line.content)
      .join("");
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.at(-1)?.message?.content).toBe(text);
  });

  it("runs the demo agent on a seeded demo provider, with a real ai_provider_id", async () => {
    const demo = readDemoFile(world.app.dataDir) as unknown as Demo;
    const agent = await getJson(`${world.app.url}/api/v1/agents/${demo.agentPublicId}`, { key: demo.apiKey });
    expect(agent.status).toBe(200);
    expect(agent.body).toMatchObject({ id: demo.agentPublicId, uuid: demo.agentId, ai_provider_id: expect.stringMatching(/^aip_/) });
    const providerId = (agent.body as { ai_provider_id: string }).ai_provider_id;
    const provider = await getJson(`${world.app.url}/api/v1/ai-providers/${providerId}`, { key: demo.apiKey });
    expect(provider.body).toMatchObject({ id: providerId, type: "demo", has_api_key: false });
  });

  it("keeps the same demo across a restart", async () => {
    const before = readDemoFile(world.app.dataDir);
    await world.app.restart();
    expect(readDemoFile(world.app.dataDir)).toEqual(before);
    const demo = before as unknown as Demo;
    // Only the first start shows the key; later banners point at the file.
    expect(world.app.output()).toContain(path.join(world.app.dataDir, "demo.json"));
    expect(world.app.output()).not.toContain(demo.apiKey);
    const response = await postJson(
      `${world.app.url}/api/v1/chat`,
      { employee_id: demo.agentId, prompt: "still there?" },
      { key: demo.apiKey },
    );
    expect(response.status).toBe(200);
    if (world.db) {
      const orgs = await world.db.select().from(tables.organisations);
      expect(orgs.map((org) => org.id)).toEqual([demo.orgId]);
    }
  });
});

describe("a demo seeded by an older version (agent without a provider)", () => {
  let old: World<Demo>;

  beforeAll(async () => {
    old = await startWorld({
      seed: async (db, dataDir) => {
        const tenant = await createTenant(db, "Demo organisation", { agent: { name: "Demo agent" } });
        const demo: Demo = {
          url: "http://localhost:3000",
          orgId: tenant.org.id,
          agentId: tenant.agent.id,
          agentPublicId: tenant.agent.publicId,
          apiKey: tenant.key,
          userToken: "cdtu_unused",
          admin: { email: "admin@conduit.local", password: "unused" },
        };
        writeFileSync(path.join(dataDir, "demo.json"), JSON.stringify(demo), { mode: 0o600 });
        return demo;
      },
    });
  });

  afterAll(async () => {
    await old?.close();
  });

  it("gets its demo provider at start, once", async () => {
    const demo = old.seeded;
    const providerOf = async () => {
      const agent = await getJson(`${old.app.url}/api/v1/agents/${demo.agentPublicId}`, { key: demo.apiKey });
      return (agent.body as { ai_provider_id: string | null }).ai_provider_id;
    };
    const providerId = await providerOf();
    expect(providerId).toMatch(/^aip_/);
    await old.app.restart();
    expect(await providerOf()).toBe(providerId);
    const providers = await getJson(`${old.app.url}/api/v1/ai-providers`, { key: demo.apiKey });
    expect(providers.body).toEqual([expect.objectContaining({ id: providerId, type: "demo" })]);
    const reply = await postJson(`${old.app.url}/api/v1/chat`, { employee_id: demo.agentId, prompt: "Hello" }, { key: demo.apiKey });
    expect(reply.body).toMatchObject({ content: expect.stringContaining("offline demo model") });
  });
});
