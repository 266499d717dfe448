/**
 * The database round trips a chat costs, counted from the statement log (DB_LOG_STATEMENTS):
 * with a budget, one reservation before the model call; the call's charge and the run's records
 * are written behind the reply, batched with other requests'. Everything else a chat reads (key,
 * agent, tools, endpoints) comes from caches.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tables, type Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createKey, createTenant } from "./support/fixtures";
import { postJson } from "./support/http";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";
import { statementsDuring } from "./support/statement-log";

const CHATS = 12;

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const tenant = await createTenant(db, "Round trips");
  const budgeted = await createKey(db, { orgId: tenant.org.id, name: "budgeted" });
  await db.update(tables.apiKeys).set({ budgetUsdCents: 100_000, budgetPeriod: "monthly" }).where(eq(tables.apiKeys.id, budgeted.id));
  const unbudgeted = await createKey(db, { orgId: tenant.org.id, name: "unbudgeted" });
  return { agentId: tenant.agent.id, budgeted: budgeted.secret, unbudgeted: unbudgeted.secret };
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  world = await startWorld({
    seed,
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_API_KEY: "sk-test",
      OPENAI_MODEL: "scripted-model",
      MODEL_MAX_RETRIES: "0",
      SEED_DEMO: "false",
      DB_LOG_STATEMENTS: "true",
      // The worker polls the jobs table; these statements are the chats' alone.
      WORKER_ENABLED: "false",
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

/** The statements `chats` sequential chats cost, after one chat has filled the caches. */
async function statementsOf(key: string, stream: boolean): Promise<string[]> {
  const chat = async () => {
    const response = await postJson(
      `${world.app.url}/api/agents/${world.seeded.agentId}/chat`,
      {
        messages: [{ role: "user", content: "Hello" }],
        stream,
      },
      { key },
    );
    expect(response.status).toBe(200);
  };
  await statementsDuring(world.app, chat);
  return statementsDuring(world.app, async () => {
    for (let i = 0; i < CHATS; i++) await chat();
  });
}

describe("a chat's database round trips", () => {
  it.each([false, true])("are one reservation plus batched writes with a budget (stream: %s)", async (stream) => {
    const statements = await statementsOf(world.seeded.budgeted, stream);
    const reservations = statements.filter((sql) => sql.includes("insert into budget_reservations"));
    expect(reservations).toHaveLength(CHATS);
    // Charges and records: at most one batch each per chat, usually fewer.
    expect(statements.length).toBeLessThanOrEqual(3 * CHATS);
    expect(statements.filter((sql) => /^\[db\] select/i.test(sql))).toEqual([]);
  });

  it("are only batched writes without a budget", async () => {
    const statements = await statementsOf(world.seeded.unbudgeted, false);
    expect(statements.filter((sql) => sql.includes("budget_reservations") && !sql.includes("delete from budget_reservations"))).toEqual([]);
    expect(statements.length).toBeLessThanOrEqual(2 * CHATS);
    expect(statements.filter((sql) => /^\[db\] select/i.test(sql))).toEqual([]);
  });

  it("log statements without their parameters", async () => {
    const statements = await statementsOf(world.seeded.unbudgeted, false);
    expect(statements.join("\n")).not.toContain("Hello");
    expect(statements.join("\n")).not.toContain(world.seeded.unbudgeted);
  });
});
