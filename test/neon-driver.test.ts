/**
 * Neon's serverless driver, for real: Conduit talks to PostgreSQL over WebSockets through a local
 * WebSocket-to-PostgreSQL proxy (what Neon runs in front of its databases), whatever backend the
 * rest of the suite uses. The fixtures are written through the same driver and proxy.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import WebSocket from "ws";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "@/lib/agents";
import { openDatabase, tables, type Db } from "@/lib/db";
import {
  ADMIN_DATABASE_URL,
  createPostgresDatabase,
  dropPostgresDatabase,
  launchApp,
  postgresAddress,
  readDemoFile,
  startWorld,
  type World,
} from "./support/app";
import { createBudgetedKey, createKey, createMember, createTenant } from "./support/fixtures";
import { getJson, postJson } from "./support/http";
import { startNeonWsProxy } from "./support/neon-ws-proxy";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";

/** µ¢ per token: a default scripted call (12 + 6 tokens) costs 0.18 cents. */
const PRICE = 10_000;
const BUDGET_CENTS = 1;
const NEON_DRIVER_APPLICATION_NAME = /neondatabase\/serverless/;

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const acme = await createTenant(db, "Acme");
  const alice = await createMember(db, acme.org.id, "alice@acme.test");
  // Keys alice created, so the task gateway and the key details API accept them from her.
  const taskKey = await createKey(db, { orgId: acme.org.id, name: "tasks", createdByUserId: alice.userId });
  const budgeted = await createBudgetedKey(db, {
    orgId: acme.org.id,
    name: "budgeted",
    createdByUserId: alice.userId,
    budgetUsdCents: BUDGET_CENTS,
    budgetPeriod: "total",
  });
  const toolHolder = await createAgent(db, { orgId: acme.org.id, name: "Tool holder" });
  return { acme, alice, taskKey: taskKey.secret, budgetedKey: { secret: budgeted.secret, id: budgeted.publicId }, toolHolder };
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  world = await startWorld({
    seed,
    backend: "neon",
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_MODEL: "scripted-model",
      MODEL_MAX_RETRIES: "0",
      KEY_CACHE_TTL_MS: "0",
      MODEL_PRICES: JSON.stringify({ "scripted-model": { input: PRICE, output: PRICE } }),
      BUDGET_RESERVE_OUTPUT_TOKENS: "20",
      WORKER_POLL_MS: "100",
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}`, "Content-Type": "application/json" });

/** The model steps recorded for the agent's newest generation, read back through the Agents API. */
async function latestModelSteps(agentPublicId: string) {
  const { acme } = world.seeded;
  const traces = await getJson(`${world.app.url}/api/v1/agents/traces?agent_id=${agentPublicId}`, { key: acme.key });
  expect(traces.status).toBe(200);
  const [latest] = traces.body as Array<{ trace_id: string; status: string }>;
  expect(latest).toMatchObject({ status: "completed" });
  const trace = await getJson(`${world.app.url}/api/v1/agents/traces/${latest!.trace_id}`, { key: acme.key });
  const [generation] = (
    trace.body as { generations: Array<{ steps: Array<{ type: string; input_tokens: number; output_tokens: number }> }> }
  ).generations;
  return generation!.steps.filter((step) => step.type === "model");
}

/** Every connection PostgreSQL has open to `database`, as it sees them. */
async function connectionsTo(database: string): Promise<Array<{ application_name: string }>> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    const result = await admin.query<{ application_name: string }>("select application_name from pg_stat_activity where datname = $1", [
      database,
    ]);
    return result.rows;
  } finally {
    await admin.end();
  }
}

describe("the driver", () => {
  it("is Neon's, connected through the WebSocket proxy", async () => {
    const proxy = world.neonProxy!;
    expect(world.app.output()).toContain(
      `database: PostgreSQL (DATABASE_URL, Neon serverless driver, through the WebSocket proxy at ${new URL(proxy.url).host})`,
    );
    expect(proxy.accepted()).toBeGreaterThan(0);
    const connections = await connectionsTo(new URL(world.app.env.DATABASE_URL!).pathname.slice(1));
    expect(connections.length).toBeGreaterThan(0);
    for (const connection of connections) expect(connection.application_name).toMatch(NEON_DRIVER_APPLICATION_NAME);
  });
});

describe("the WebSocket proxy", () => {
  it("refuses any address other than the test PostgreSQL", async () => {
    const proxy = world.neonProxy!;
    const before = proxy.refused();
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${proxy.url}?address=127.0.0.1:6379`);
      socket.on("unexpected-response", (request, response) => {
        request.destroy();
        resolve(response.statusCode ?? 0);
      });
      socket.on("open", () => resolve(101));
      socket.on("error", () => undefined);
    });
    expect(status).toBe(403);
    expect(proxy.refused()).toBe(before + 1);
  });
});

describe("closing a handle", () => {
  it("resolves only once every connection of the pool has closed", async () => {
    const proxy = await startNeonWsProxy([postgresAddress()]);
    try {
      const handle = await openDatabase({
        url: world.app.env.DATABASE_URL,
        dataDir: world.app.dataDir,
        driver: "neon",
        neonWsProxy: proxy.url,
      });
      await Promise.all(Array.from({ length: 6 }, () => handle.db.execute(sql`select pg_sleep(0.05)`)));
      expect(proxy.open()).toBeGreaterThan(1);
      await handle.close();
      // The pool's own end() resolves with its connections still open; a caller dropping the
      // database then would cut them off mid-goodbye.
      expect(proxy.open()).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

describe("chat", () => {
  it("answers a non-streaming chat and records its generation with the usage", async () => {
    const { acme } = world.seeded;
    upstream.script({ content: "Hi through Neon.", usage: { prompt_tokens: 20, completion_tokens: 3 } });
    const response = await postJson(
      `${world.app.url}/api/agents/${acme.agent.id}/chat`,
      { messages: [{ role: "user", content: "Hello" }], stream: false },
      { key: acme.key },
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      message: { role: "assistant", content: "Hi through Neon." },
      usage: { input_tokens: 20, output_tokens: 3, total_tokens: 23 },
    });
    expect(await latestModelSteps(acme.agent.publicId)).toMatchObject([{ input_tokens: 20, output_tokens: 3 }]);
  });

  it("streams a chat and records its generation with the usage", async () => {
    const { acme } = world.seeded;
    upstream.script({ chunks: ["Stream", "ed ", "via ", "WebSocket"], usage: { prompt_tokens: 9, completion_tokens: 4 } });
    const response = await fetch(`${world.app.url}/api/agents/${acme.agent.id}/chat`, {
      method: "POST",
      headers: bearer(acme.key),
      body: JSON.stringify({ messages: [{ role: "user", content: "Stream please" }], stream: true }),
    });
    expect(response.status).toBe(200);
    const lines = (await response.text())
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.type === "delta").map((line) => line.content)).toEqual(["Stream", "ed ", "via ", "WebSocket"]);
    expect(lines.at(-1)).toMatchObject({ type: "done", usage: { input_tokens: 9, output_tokens: 4 } });
    expect(await latestModelSteps(acme.agent.publicId)).toMatchObject([{ input_tokens: 9, output_tokens: 4 }]);
  });
});

describe("async tasks", () => {
  it("are claimed by the worker and run to completion", async () => {
    const { alice, taskKey } = world.seeded;
    upstream.script({ content: "Task done over WebSockets." });
    const headers = { ...bearer(alice.token), "X-Api-Key": taskKey };
    const accepted = await fetch(`${world.app.url}/api/agent`, {
      method: "POST",
      headers,
      body: JSON.stringify({ message: "Do the thing" }),
    });
    expect(accepted.status).toBe(202);
    const { conversation_uuid: id } = (await accepted.json()) as { conversation_uuid: string };

    let polled: { status?: string; turns?: unknown[] } = {};
    for (const deadline = Date.now() + 15_000; polled.status !== "resolved" && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      polled = (await getJson(`${world.app.url}/api/agent/${id}`, { headers })).body as typeof polled;
    }
    expect(polled).toMatchObject({
      status: "resolved",
      turns: [{ role: "user" }, { role: "agent", payload: { content: "Task done over WebSockets." } }],
    });
    // One claim (FOR UPDATE SKIP LOCKED), one attempt, finished by the app's worker.
    const jobs = await world.db!.select().from(tables.jobs).where(eq(tables.jobs.kind, "task.run"));
    const job = jobs.find((row) => row.payload.taskId === id);
    expect(job).toMatchObject({ status: "done", attempts: 1, lockedBy: expect.any(String) });
  });
});

describe("budgets", () => {
  it("are not overspent by 40 concurrent chats", async () => {
    const { acme, alice, budgetedKey } = world.seeded;
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${world.app.url}/api/agents/${acme.agent.id}/chat`, {
          method: "POST",
          headers: bearer(budgetedKey.secret),
          body: JSON.stringify({ messages: [{ role: "user", content: "Spend" }], stream: i % 2 === 1 }),
        }).then(async (response) => {
          await response.text();
          return response.status;
        }),
      ),
    );
    const succeeded = statuses.filter((status) => status === 200).length;
    expect(
      statuses.every((status) => status === 200 || status === 429),
      statuses.join(","),
    ).toBe(true);
    expect(succeeded).toBeGreaterThan(0);
    expect(succeeded).toBeLessThan(40);
    expect(upstream.requests).toHaveLength(succeeded);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const details = await getJson(`${world.app.url}/api/api-keys/${budgetedKey.id}`, { key: alice.token });
    const usage = (details.body as { usage: { spent_usd_cents: number; reserved_usd_cents: number; requests: number } }).usage;
    expect(usage).toMatchObject({ requests: succeeded, reserved_usd_cents: 0 });
    expect(usage.spent_usd_cents).toBeLessThanOrEqual(BUDGET_CENTS);
    expect(usage.spent_usd_cents).toBeCloseTo(succeeded * 0.18, 5);
  });
});

describe("transactions", () => {
  it("roll back: an update refused half-way leaves the agent as it was", async () => {
    const { acme, toolHolder } = world.seeded;
    const tool = await postJson(
      `${world.app.url}/api/v1/agents/tools`,
      { name: "lookup", type: "client", parameters: { type: "object", properties: {} } },
      { key: acme.key },
    );
    expect(tool.status).toBe(201);
    const toolId = (tool.body as { id: string }).id;
    const agentUrl = `${world.app.url}/api/v1/agents/${toolHolder.publicId}`;
    const put = async (body: unknown) => {
      const response = await fetch(agentUrl, { method: "PUT", headers: bearer(acme.key), body: JSON.stringify(body) });
      await response.text();
      return response.status;
    };
    expect(await put({ tool_ids: [toolId] })).toBe(200);

    // Detaching every tool happens first in the transaction; naming a detached tool as active
    // then fails it, so the detachment must be undone.
    expect(await put({ tool_ids: [], active_tool_ids: [toolId] })).toBe(400);
    const agent = await getJson(agentUrl, { key: acme.key });
    expect(agent.body).toMatchObject({ tool_ids: [toolId] });
  });
});

describe("a first start on an empty database", () => {
  it("migrates and seeds it through the driver, then shuts down cleanly on SIGTERM", async () => {
    const proxy = await startNeonWsProxy([postgresAddress()]);
    const url = await createPostgresDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), "conduit-neon-"));
    try {
      const app = await launchApp({
        DATA_DIR: dataDir,
        CONDUIT_ENCRYPTION_KEY: process.env.CONDUIT_ENCRYPTION_KEY!,
        DATABASE_URL: url,
        DATABASE_DRIVER: "neon",
        NEON_WS_PROXY: proxy.url,
      });
      expect(proxy.accepted()).toBeGreaterThan(0);
      expect(app.output()).toContain("Neon serverless driver");

      // Every migration applied, by the app alone (nothing else touched this database).
      const journal = JSON.parse(readFileSync(path.join(__dirname, "../drizzle/meta/_journal.json"), "utf8")) as { entries: unknown[] };
      const direct = new pg.Client({ connectionString: url });
      await direct.connect();
      const applied = await direct.query<{ count: string }>("select count(*) from drizzle.__drizzle_migrations");
      await direct.end();
      expect(Number(applied.rows[0]!.count)).toBe(journal.entries.length);
      const connections = await connectionsTo(new URL(url).pathname.slice(1));
      expect(connections.length).toBeGreaterThan(0);
      for (const connection of connections) expect(connection.application_name).toMatch(NEON_DRIVER_APPLICATION_NAME);

      // The demo seeded in its transaction answers on the built-in model.
      const demo = readDemoFile(dataDir) as { agentId: string; apiKey: string };
      const chat = await postJson(
        `${app.url}/api/agents/${demo.agentId}/chat`,
        { messages: [{ role: "user", content: "Hello" }] },
        { key: demo.apiKey },
      );
      expect(chat.status).toBe(200);

      expect(await app.stop("SIGTERM")).toBe(0);
      // The pool said goodbye on every connection rather than leaving them to be cut off.
      for (const deadline = Date.now() + 2_000; proxy.open() > 0 && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(proxy.open()).toBe(0);
      expect(app.output()).not.toContain("[db]");
    } finally {
      await dropPostgresDatabase(url);
      await proxy.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("refuses NEON_WS_PROXY with DATABASE_DRIVER=pg, saying why", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "conduit-neon-"));
    try {
      await expect(
        launchApp({
          DATA_DIR: dataDir,
          CONDUIT_ENCRYPTION_KEY: process.env.CONDUIT_ENCRYPTION_KEY!,
          DATABASE_URL: "postgres://postgres@127.0.0.1:5432/unused",
          DATABASE_DRIVER: "pg",
          NEON_WS_PROXY: "ws://127.0.0.1:1/v2",
        }),
      ).rejects.toThrow(/NEON_WS_PROXY is for the neon driver/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
