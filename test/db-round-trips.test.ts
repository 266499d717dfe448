/**
 * The database round trips a chat costs, counted from the statement log (DB_LOG_STATEMENTS):
 * none before the model call. With a budget, the call's reservation was made ahead, several at a
 * time (lib/billing/ahead.ts); the call's charge and the run's records are written behind the
 * reply, batched with other requests'. Everything else a chat reads (key, agent, tools,
 * endpoints) comes from caches.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createBudgetedKey, createKey, createMember, createTenant } from "./support/fixtures";
import { postJson } from "./support/http";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";
import { statementsDuring } from "./support/statement-log";

const CHATS = 12;
/** Short, so reservations held ahead and left unused are given back within the test. */
const RESERVE_AHEAD_MS = 2_000;

let upstream: ScriptedUpstream;
let world: World<Awaited<ReturnType<typeof seed>>>;

async function seed(db: Db) {
  const tenant = await createTenant(db, "Round trips");
  const member = await createMember(db, tenant.org.id, "owner@round-trips.test");
  const budgeted = await createBudgetedKey(db, {
    orgId: tenant.org.id,
    name: "budgeted",
    createdByUserId: member.userId,
    budgetUsdCents: 100_000,
    budgetPeriod: "monthly",
  });
  const unbudgeted = await createKey(db, { orgId: tenant.org.id, name: "unbudgeted" });
  return {
    agentId: tenant.agent.id,
    budgeted: budgeted.secret,
    budgetedId: budgeted.publicId,
    unbudgeted: unbudgeted.secret,
    memberToken: member.token,
  };
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
      BUDGET_RESERVE_AHEAD_MS: String(RESERVE_AHEAD_MS),
    },
  });
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

async function chat(key: string, stream: boolean): Promise<void> {
  const response = await postJson(
    `${world.app.url}/api/agents/${world.seeded.agentId}/chat`,
    {
      messages: [{ role: "user", content: "Hello" }],
      stream,
    },
    { key },
  );
  expect(response.status).toBe(200);
}

/** The statements `chats` sequential chats cost, after one chat has filled the caches. */
async function statementsOf(key: string, stream: boolean): Promise<string[]> {
  await statementsDuring(world.app, () => chat(key, stream));
  return statementsDuring(world.app, async () => {
    for (let i = 0; i < CHATS; i++) await chat(key, stream);
  });
}

const isReservation = (sql: string) => sql.includes("insert into budget_reservations");
/** Several reservations made ahead of the calls they will cover; any other was made on a call's own path. */
const isMadeAhead = (sql: string) => isReservation(sql) && sql.includes("as ahead(id)");

/** What the key details API reports the budgeted key holds reserved, in cents. */
async function reservedCents(): Promise<number> {
  const response = await fetch(`${world.app.url}/api/api-keys/${world.seeded.budgetedId}`, {
    headers: { Authorization: `Bearer ${world.seeded.memberToken}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { usage: { reserved_usd_cents: number } }).usage.reserved_usd_cents;
}

describe("a chat's database round trips", () => {
  it.each([false, true])("are batched writes with a budget, its reservation made ahead (stream: %s)", async (stream) => {
    const statements = await statementsOf(world.seeded.budgeted, stream);
    const reservations = statements.filter(isReservation);
    // No chat waited for its reservation: each took one made before it came, several at a time.
    expect(reservations.filter((sql) => !isMadeAhead(sql))).toEqual([]);
    expect(reservations.length).toBeGreaterThan(0);
    expect(reservations.length).toBeLessThanOrEqual(CHATS / 2);
    // Charges and records: at most one batch each per chat, usually fewer.
    expect(statements.length).toBeLessThanOrEqual(3 * CHATS);
    expect(statements.filter((sql) => /^\[db\] select/i.test(sql))).toEqual([]);
  });

  it("give back the budget reserved ahead once it waited too long", async () => {
    await chat(world.seeded.budgeted, false);
    expect(await reservedCents()).toBeGreaterThan(0);
    // Unused for RESERVE_AHEAD_MS, then swept at the next sweep (as often): given back as a charge of nothing.
    const deadline = Date.now() + 4 * RESERVE_AHEAD_MS;
    while ((await reservedCents()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await reservedCents()).toBe(0);
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
