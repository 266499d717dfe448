/**
 * The database round trips of the task gateway, counted from the statement log
 * (DB_LOG_STATEMENTS): accepting a task is its agent's lookup, then the task and its job in one
 * statement; running it and delivering its webhook add a bounded number more. The worker's
 * claims are counted apart: polling claims on a clock, whatever the tasks do.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { startWorld, type World } from "./support/app";
import { createMember, createTenant } from "./support/fixtures";
import { postJson } from "./support/http";
import { startScriptedUpstream, type ScriptedUpstream } from "./support/scripted-upstream";
import { isJobClaim, statementsDuring } from "./support/statement-log";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

/** Accepting: the organisation's first agent (a key that names none), then task and job together. */
const ACCEPT_STATEMENTS = 2;
/** Accepted, run and answered by webhook, claims aside (measured: 14 on both databases). */
const TASK_STATEMENTS = 14;
/**
 * The claims one task causes: one per nudge (task, delivery) and per finished job (measured: 4 on
 * both databases); one more when a nudge comes while a claim is under way.
 */
const TASK_CLAIMS = 5;

let upstream: ScriptedUpstream;
let receiver: WebhookReceiver;
let world: World<Awaited<ReturnType<typeof seed>>>;
let apiKey: string;

async function seed(db: Db) {
  const tenant = await createTenant(db, "Task round trips");
  const member = await createMember(db, tenant.org.id, "tasks@round-trips.test");
  return { token: member.token };
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  receiver = await startWebhookReceiver();
  world = await startWorld({
    seed,
    env: {
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_API_KEY: "sk-test",
      OPENAI_MODEL: "scripted-model",
      MODEL_MAX_RETRIES: "0",
      SEED_DEMO: "false",
      TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
      DB_LOG_STATEMENTS: "true",
      // Claims then come from nudges and finished jobs only, not from the clock.
      WORKER_POLL_MS: "60000",
    },
  });
  const created = await postJson(
    `${world.app.url}/api/api-keys`,
    { label: "Round trips", response_url: receiver.url },
    {
      key: world.seeded.token,
    },
  );
  expect(created.status).toBe(201);
  apiKey = (created.body as { key: string }).key;
  // The first task fills the caches (token, key, agent) and notes the credentials' use.
  await statementsDuring(world.app, runTask);
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
  await receiver?.close();
});

/** Submits a task and waits for its webhook. */
async function runTask(): Promise<void> {
  const delivered = receiver.received.length;
  const accepted = await postJson(
    `${world.app.url}/api/agent`,
    { message: "Summarise the last order" },
    { key: world.seeded.token, headers: { "X-Api-Key": apiKey } },
  );
  expect(accepted.status).toBe(202);
  const [webhook] = (await receiver.waitFor(delivered + 1)).slice(delivered);
  expect(JSON.parse(webhook!.rawBody.toString())).toMatchObject({ status: "resolved" });
}

describe("a task's database round trips", () => {
  it(`accepting a task is ${ACCEPT_STATEMENTS} statements: the task and its job go in as one`, async () => {
    const statements = await statementsDuring(world.app, runTask);
    // The worker's statements all come after the insert: before it, there was no job to claim.
    const inserted = statements.findIndex((statement) => statement.includes('insert into "agent_tasks"'));
    const accepting = statements.slice(0, inserted + 1).filter((statement) => !isJobClaim(statement));
    expect(accepting).toHaveLength(ACCEPT_STATEMENTS);
    expect(accepting[0]).toMatch(/^\[db\] select "id" from "agents"/);
    expect(accepting[1]).toMatch(/^\[db\] with "task_job" as \(insert into "jobs" .*\) insert into "agent_tasks"/);
  });

  it(`accepted, run and answered by webhook: at most ${TASK_STATEMENTS} statements and ${TASK_CLAIMS} claims`, async () => {
    const statements = await statementsDuring(world.app, runTask);
    const claims = statements.filter(isJobClaim);
    expect(statements.length - claims.length, statements.join("\n")).toBeLessThanOrEqual(TASK_STATEMENTS);
    expect(claims.length).toBeLessThanOrEqual(TASK_CLAIMS);
    // The reply's delivery and its job are one statement too.
    expect(statements.filter((statement) => statement.includes('insert into "jobs"'))).toHaveLength(2);
  });
});
