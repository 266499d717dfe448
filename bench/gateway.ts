/**
 * `npm run bench:gateway`: the async task gateway on PostgreSQL, with one web process and with two.
 *
 *   npm run bench:gateway -- [--tasks 2000] [--deliveries 3000] [--concurrency 32] [--seconds 5]
 *
 * For each WEB_CONCURRENCY (1, then 2) starts the scripted upstream, a loopback webhook receiver
 * and Conduit's production build on a fresh PostgreSQL database (dropped after), then measures:
 * tasks accepted (POST /api/agent over `--concurrency` connections) while the workers run them;
 * their webhooks, from the first task sent to the last webhook received; deliveries already queued
 * (the delivery engine alone); and non-streaming chat throughput. Every webhook's signature is
 * checked the documented way and repeats are counted. Prints the figures, the targets and
 * `BENCH_JSON {...}`.
 */
import { randomUUID } from "node:crypto";
import { availableParallelism } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { encryptSecret } from "@/lib/crypto";
import { tables, type Db } from "@/lib/db";
import { newWebhookSecret, queueWebhook, signBody } from "@/lib/webhooks";
import { startWorld, type World } from "../test/support/app";
import { verifyAsDocumented } from "../test/support/documented-signature";
import { createKey, createMember, createTenant } from "../test/support/fixtures";
import { DEFAULT_CONTENT } from "../test/support/scripted-upstream";
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from "../test/support/webhook-receiver";
import { numberFlag } from "./flags";
import { runClosedLoop, runCount, type Target } from "./load";
import { ensureProductionBuild, startUpstreamProcess, type ListeningProcess } from "./processes";
import { formatTargets, type TargetCheck } from "./report";
import { benchJson, percentiles, type Percentiles } from "./stats";

const ROOT = path.resolve(__dirname, "..");
const MODEL = "bench-model";
/** Far above the load generated, so the per-key limit (120/min by default) never answers 429. */
const BENCH_RATE_LIMIT_PER_MINUTE = 100_000_000;
/** Tasks and chats sent before anything is measured, so both paths are compiled and cached. */
const WARMUP_TASKS = 200;
const CHAT_WARMUP_MS = 3_000;
/** How long the webhooks of one phase may take in all before the run counts the rest as missing. */
const WEBHOOK_TIMEOUT_MS = 180_000;
const PROCESS_COUNTS = [1, 2] as const;

interface GatewayOptions {
  tasks: number;
  deliveries: number;
  concurrency: number;
  chatSeconds: number;
}

function gatewayOptions(): GatewayOptions {
  const { values } = parseArgs({
    options: {
      tasks: { type: "string", default: "2000" },
      deliveries: { type: "string", default: "3000" },
      concurrency: { type: "string", default: "32" },
      seconds: { type: "string", default: "5" },
    },
  });
  return {
    tasks: numberFlag(values.tasks, "tasks", { integer: true }),
    deliveries: numberFlag(values.deliveries, "deliveries", { integer: true }),
    concurrency: numberFlag(values.concurrency, "concurrency", { integer: true }),
    chatSeconds: numberFlag(values.seconds, "seconds", { integer: true }),
  };
}

async function seed(db: Db, receiverUrl: string) {
  const tenant = await createTenant(db, "Gateway bench");
  const member = await createMember(db, tenant.org.id, "bench@gateway.test");
  const key = await createKey(db, {
    orgId: tenant.org.id,
    name: "gateway bench",
    rateLimitPerMinute: BENCH_RATE_LIMIT_PER_MINUTE,
    createdByUserId: member.userId,
  });
  // What POST /api/api-keys with a response_url sets: where replies go, and the secret that signs them.
  const signingSecret = newWebhookSecret();
  await db
    .update(tables.apiKeys)
    .set({ responseUrl: receiverUrl, signingSecretCiphertext: encryptSecret(signingSecret) })
    .where(eq(tables.apiKeys.id, key.id));
  return { orgId: tenant.org.id, agentId: tenant.agent.id, token: member.token, key: key.secret, signingSecret };
}

type Seeded = Awaited<ReturnType<typeof seed>>;

function taskTarget(appUrl: string, seeded: Seeded): Target {
  return {
    url: `${appUrl}/api/agent`,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${seeded.token}`, "X-Api-Key": seeded.key },
    body: JSON.stringify({ message: "Summarise the last order", context: { entity_type: "order", action: "summarise" } }),
    expectedStatus: 202,
    isComplete: (text) => text.includes('"status":"accepted"'),
  };
}

function chatTarget(appUrl: string, seeded: Seeded): Target {
  return {
    url: `${appUrl}/api/agents/${seeded.agentId}/chat`,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${seeded.key}` },
    body: JSON.stringify({ messages: [{ role: "user", content: "Hello" }], stream: false }),
    isComplete: (text) => text.includes(DEFAULT_CONTENT),
  };
}

/** What the receiver made of a phase's webhooks. */
interface WebhookTally {
  received: number;
  badSignatures: number;
  /** Deliveries received more than once (same X-Webhook-Id). */
  repeats: number;
  /** Task replies that say the task failed. */
  failedTasks: number;
  /** From the phase's start to the last webhook received. */
  seconds: number;
  perSecond: number;
}

function tally(webhooks: ReceivedWebhook[], signingSecret: string, startedAt: number): WebhookTally {
  const ids = new Set<string>();
  let badSignatures = 0;
  let repeats = 0;
  let failedTasks = 0;
  for (const webhook of webhooks) {
    try {
      verifyAsDocumented(signingSecret, webhook.rawBody, webhook);
    } catch {
      badSignatures++;
    }
    const id = String(webhook.headers["x-webhook-id"]);
    if (ids.has(id)) repeats++;
    ids.add(id);
    if ((JSON.parse(webhook.rawBody.toString()) as { status?: string }).status === "failed") failedTasks++;
  }
  const last = Math.max(startedAt, ...webhooks.map((webhook) => webhook.receivedAt));
  const seconds = (last - startedAt) / 1000;
  return { received: webhooks.length, badSignatures, repeats, failedTasks, seconds, perSecond: seconds > 0 ? ids.size / seconds : 0 };
}

/** Waits until `count` webhooks arrived (or the time is up), then a moment more so late repeats are counted too. */
async function collect(receiver: WebhookReceiver, count: number): Promise<ReceivedWebhook[]> {
  await receiver.waitFor(count, WEBHOOK_TIMEOUT_MS).catch((error: unknown) => console.warn(`  ${String(error)}`));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return receiver.received.splice(0);
}

interface TaskPhase {
  tasks: number;
  accepted: number;
  errors: number;
  acceptedPerSecond: number;
  acceptLatencyMs: Percentiles | null;
  /** Accepted tasks with no reply. */
  missing: number;
  webhooks: WebhookTally;
}

async function submitTasks(
  target: Target,
  receiver: WebhookReceiver,
  seeded: Seeded,
  tasks: number,
  concurrency: number,
): Promise<TaskPhase> {
  const ids = new Set<string>();
  const startedAt = Date.now();
  const sent = await runCount(target, {
    requests: tasks,
    concurrency,
    onBody: (text) => ids.add((JSON.parse(text) as { conversation_uuid: string }).conversation_uuid),
  });
  const webhooks = await collect(receiver, sent.requests);
  const answered = new Set(webhooks.map((webhook) => String(webhook.headers["x-conversation-uuid"])));
  return {
    tasks,
    accepted: sent.requests,
    errors: sent.errors,
    acceptedPerSecond: sent.requests / sent.seconds,
    acceptLatencyMs: percentiles(sent.latencyMs),
    missing: [...ids].filter((id) => !answered.has(id)).length,
    webhooks: tally(webhooks, seeded.signingSecret, startedAt),
  };
}

interface DeliveryPhase {
  deliveries: number;
  missing: number;
  webhooks: WebhookTally;
}

/**
 * The delivery engine alone: `count` signed deliveries committed at once (one transaction), which
 * the running workers find at their next poll; timed from the commit to the last one received.
 */
async function deliverQueued(db: Db, receiver: WebhookReceiver, seeded: Seeded, count: number): Promise<DeliveryPhase> {
  const body = (i: number) => JSON.stringify({ conversation_uuid: `bench-${i}`, status: "resolved", response: DEFAULT_CONTENT });
  await db.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      const text = body(i);
      await queueWebhook(tx, {
        orgId: seeded.orgId,
        subjectId: randomUUID(),
        url: receiver.url,
        body: text,
        headers: { "X-Signature": signBody(seeded.signingSecret, text), "X-Webhook-Id": `bench-${i}` },
      });
    }
  });
  const committedAt = Date.now();
  const webhooks = await collect(receiver, count);
  return {
    deliveries: count,
    missing: Math.max(0, count - new Set(webhooks.map((w) => w.headers["x-webhook-id"])).size),
    webhooks: tally(webhooks, seeded.signingSecret, committedAt),
  };
}

interface ProcessRun {
  webConcurrency: number;
  tasks: TaskPhase;
  deliveries: DeliveryPhase;
  chat: { requestsPerSecond: number; errors: number };
}

async function waitForProcesses(world: World<Seeded>, count: number): Promise<void> {
  if (count === 1) return;
  const deadline = Date.now() + 60_000;
  while (!new RegExp(`${count} web processes serving`).test(world.app.output())) {
    if (Date.now() > deadline) throw new Error(`Conduit did not report ${count} web processes:\n${world.app.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function measureProcesses(webConcurrency: number, upstream: ListeningProcess, options: GatewayOptions): Promise<ProcessRun> {
  const receiver = await startWebhookReceiver();
  try {
    const world = await startWorld({
      backend: "postgres",
      seed: (db) => seed(db, receiver.url),
      env: {
        OPENAI_BASE_URL: upstream.baseUrl,
        OPENAI_API_KEY: "bench",
        OPENAI_MODEL: MODEL,
        MODEL_MAX_RETRIES: "0",
        SEED_DEMO: "false",
        TOOL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
        WEB_CONCURRENCY: String(webConcurrency),
      },
    });
    try {
      await waitForProcesses(world, webConcurrency);
      const db = world.db;
      if (!db) throw new Error("The gateway bench needs PostgreSQL");
      const tasks = taskTarget(world.app.url, world.seeded);
      const chat = chatTarget(world.app.url, world.seeded);
      console.log(`WEB_CONCURRENCY=${webConcurrency}: Conduit at ${world.app.url}`);
      console.log(`· warming up: ${WARMUP_TASKS} tasks, ${CHAT_WARMUP_MS / 1000} s of chat…`);
      await submitTasks(tasks, receiver, world.seeded, WARMUP_TASKS, options.concurrency);
      await runClosedLoop(chat, { concurrency: options.concurrency, warmupMs: CHAT_WARMUP_MS, measureMs: 0 });
      console.log(`· ${options.tasks} tasks over ${options.concurrency} connections, until every webhook is in…`);
      const taskPhase = await submitTasks(tasks, receiver, world.seeded, options.tasks, options.concurrency);
      console.log(`· ${options.deliveries} deliveries queued at once…`);
      const deliveryPhase = await deliverQueued(db, receiver, world.seeded, options.deliveries);
      console.log(`· non-streaming chat over ${options.concurrency} connections for ${options.chatSeconds} s…`);
      const chatRun = await runClosedLoop(chat, {
        concurrency: options.concurrency,
        warmupMs: 1_000,
        measureMs: options.chatSeconds * 1000,
      });
      return {
        webConcurrency,
        tasks: taskPhase,
        deliveries: deliveryPhase,
        chat: { requestsPerSecond: chatRun.requests / chatRun.seconds, errors: chatRun.errors },
      };
    } finally {
      await world.close();
    }
  } finally {
    await receiver.close();
  }
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);

function formatRuns(runs: ProcessRun[]): string {
  const rows = runs.map((run) => {
    const { tasks, deliveries, chat } = run;
    return (
      `  WEB_CONCURRENCY=${run.webConcurrency}: tasks accepted ${fixed(tasks.acceptedPerSecond)}/s ` +
      `(p50 ${fixed(tasks.acceptLatencyMs?.p50 ?? 0, 1)} ms, p99 ${fixed(tasks.acceptLatencyMs?.p99 ?? 0, 1)} ms, ${tasks.errors} errors); ` +
      `task webhooks ${fixed(tasks.webhooks.perSecond)}/s (${tasks.webhooks.received} in ${fixed(tasks.webhooks.seconds, 2)} s, ` +
      `${tasks.missing} missing, ${tasks.webhooks.failedTasks} failed); queued deliveries ${fixed(deliveries.webhooks.perSecond)}/s ` +
      `(${deliveries.webhooks.received} in ${fixed(deliveries.webhooks.seconds, 2)} s, ${deliveries.missing} missing); ` +
      `chat ${fixed(chat.requestsPerSecond)} req/s (${chat.errors} errors)`
    );
  });
  return rows.join("\n");
}

function checkTargets(runs: ProcessRun[]): TargetCheck[] {
  const check = (name: string, limit: number, measured: number, atLeast: boolean): TargetCheck => ({
    name,
    limit: `${atLeast ? "≥" : "≤"} ${limit.toLocaleString("en")}`,
    measured: measured.toFixed(0),
    holds: atLeast ? measured >= limit : measured <= limit,
  });
  /** A count that must be 0, summed over every process count's run. */
  const none = (name: string, figure: (run: ProcessRun) => number) =>
    check(
      name,
      0,
      runs.reduce((total, run) => total + figure(run), 0),
      false,
    );
  return [
    ...runs.map((run) => check(`tasks accepted/s, WEB_CONCURRENCY=${run.webConcurrency}`, 500, run.tasks.acceptedPerSecond, true)),
    ...runs.map((run) =>
      check(`queued webhooks delivered/s, WEB_CONCURRENCY=${run.webConcurrency}`, 1000, run.deliveries.webhooks.perSecond, true),
    ),
    none("errors (task submissions, chats)", (run) => run.tasks.errors + run.chat.errors),
    none("bad signatures", (run) => run.tasks.webhooks.badSignatures + run.deliveries.webhooks.badSignatures),
    none("failed tasks", (run) => run.tasks.webhooks.failedTasks),
    none("webhooks missing", (run) => run.tasks.missing + run.deliveries.missing),
    none("webhooks repeated", (run) => run.tasks.webhooks.repeats + run.deliveries.webhooks.repeats),
  ];
}

async function main(): Promise<void> {
  const options = gatewayOptions();
  await ensureProductionBuild(ROOT);
  const upstream = await startUpstreamProcess(ROOT);
  const runs: ProcessRun[] = [];
  try {
    for (const processes of PROCESS_COUNTS) runs.push(await measureProcesses(processes, upstream, options));
  } finally {
    await upstream.stop();
  }
  const [one, two] = runs;
  const chatRatio = one && two && one.chat.requestsPerSecond > 0 ? two.chat.requestsPerSecond / one.chat.requestsPerSecond : 0;
  const targets = checkTargets(runs);
  console.log(`\nTask gateway on PostgreSQL (${availableParallelism()} CPUs):\n${formatRuns(runs)}`);
  console.log(`  chat req/s with 2 web processes ÷ 1: ${chatRatio.toFixed(2)}`);
  console.log(`\nTargets:\n${formatTargets(targets)}\n`);
  const json = {
    config: { ...options, backend: "postgres", node: process.version, cpus: availableParallelism() },
    runs,
    chatTwoProcessesOverOne: chatRatio,
    targets,
  };
  console.log(`BENCH_JSON ${benchJson(json)}`);
}

// No top-level await: tsx may load this file as CommonJS (the package has no "type": "module").
main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
