/**
 * Seeds an organisation with many conversations (each with its messages, generation and trace
 * steps), for measuring the dashboard on realistic volumes:
 *
 *   npx tsx bench/seed-conversations.ts --data-dir .bench-data [--count 10000] [--days 90]
 *
 * The owner, agents and key are made with Conduit's own lib/ functions; the run records are
 * batched inserts of the rows a run leaves (the conversation rows from lib/conversations).
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { parseArgs } from "node:util";
import { signUp } from "@/lib/accounts";
import { createAgent } from "@/lib/agents";
import { costMicrocents, monthStart as monthStartOf } from "@/lib/billing";
import { exchangeRows } from "@/lib/conversations";
import { newPublicId, openDatabase, tables, type Agent, type Db, type Door, type Generation, type GenerationStep } from "@/lib/db";
import { createApiKey } from "@/lib/keys";

const DAY_MS = 86_400_000;
const BATCH = 500;
const DOORS: Door[] = ["chat", "chat", "chat", "v1_chat", "generate", "task"];
const WORDS = ["invoice", "refund", "shipping", "password", "upgrade", "weather", "contract", "meeting", "discount", "delivery"];

export interface SeededOrg {
  email: string;
  password: string;
  orgId: string;
  agents: Agent[];
  keyId: string;
  /** A word some prompts contain, for text searches. */
  word: string;
  /** A conversation and the trace of its run (with a child run: an agent-to-agent call). */
  sample: { conversationId: string; traceId: string };
}

/** A deterministic pseudo-random sequence, so two seeded databases hold the same data. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

interface RunRows {
  generations: Generation[];
  steps: Array<Omit<GenerationStep, "id">>;
  conversation: typeof tables.conversations.$inferInsert;
  messages: Array<typeof tables.messages.$inferInsert>;
}

/** The rows one exchange leaves: its generation (and a child generation for agent-to-agent calls), steps and conversation record. */
function runRows(org: { orgId: string; keyId: string }, agent: Agent, child: Agent | null, door: Door, at: Date, prompt: string): RunRows {
  const generationId = randomUUID();
  const traceId = newPublicId("trace");
  const inputTokens = 20 + Math.round(prompt.length / 4);
  const outputTokens = 40 + Math.round(prompt.length / 2);
  const answer = `Here is what I found about ${prompt.slice(0, 60)}`;
  const base = {
    orgId: org.orgId,
    apiKeyId: org.keyId,
    actorId: null,
    status: "completed" as const,
    model: "conduit-demo",
    maxCallDepth: 10,
    toolContext: null,
    conversationId: null,
    pendingToolCalls: null,
    error: null,
  };
  const generation: Generation = {
    ...base,
    id: generationId,
    publicId: newPublicId("generation"),
    agentId: agent.id,
    door,
    traceId,
    parentTraceId: null,
    rootTraceId: traceId,
    callDepth: 0,
    messages: [
      { role: "user", content: prompt },
      { role: "assistant", content: [{ type: "text", text: answer }] },
    ],
    stepsUsed: 1,
    text: answer,
    inputTokens,
    outputTokens,
    createdAt: at,
    updatedAt: new Date(at.getTime() + 180),
  };
  const step = (generation: Generation, sequence: number, kind: "model" | "tool", name: string, offsetMs: number, durationMs: number) => ({
    orgId: org.orgId,
    generationId: generation.id,
    sequence,
    kind,
    name,
    toolCallId: kind === "tool" ? `call_${sequence}` : null,
    input: kind === "tool" ? { question: prompt.slice(0, 40) } : null,
    output: kind === "tool" ? { answer } : null,
    error: null,
    inputTokens: kind === "model" ? inputTokens : null,
    outputTokens: kind === "model" ? outputTokens : null,
    startedAt: new Date(at.getTime() + offsetMs),
    durationMs,
  });
  const generations = [generation];
  const steps = [step(generation, 0, "model", "conduit-demo", 5, 120)];
  if (child) {
    const childTrace = newPublicId("trace");
    const called: Generation = {
      ...generation,
      id: randomUUID(),
      publicId: newPublicId("generation"),
      agentId: child.id,
      door: "agent",
      traceId: childTrace,
      parentTraceId: traceId,
      callDepth: 1,
      createdAt: new Date(at.getTime() + 130),
      updatedAt: new Date(at.getTime() + 170),
    };
    generations.push(called);
    steps.push(step(generation, 1, "tool", `ask ${child.name}`, 125, 50), step(called, 0, "model", "conduit-demo", 135, 30));
  }
  const record = exchangeRows(
    {
      orgId: org.orgId,
      agentId: agent.id,
      apiKeyId: org.keyId,
      channel: door,
      conversationId: null,
      prompt: { role: "user", content: prompt },
      reply: { id: generationId, content: answer, model: "conduit-demo", inputTokens, outputTokens, latencyMs: 180, status: "completed" },
    },
    at,
  );
  return {
    generations,
    steps,
    // A run without a conversation of its own starts one.
    conversation: record.conversation!,
    messages: record.messages.map((message) => ({ ...message, createdAt: at })),
  };
}

/**
 * An owner (who signs in with the returned email and password), three agents, a key with a
 * monthly budget, plan limits, and `count` conversations spread over the last `days` days.
 */
export async function seedConversations(db: Db, options: { count: number; days: number }): Promise<SeededOrg> {
  const email = `bench-${Date.now().toString(36)}@example.test`;
  const password = "bench password, not secret";
  const signedUp = await signUp(db, { name: "Bench Owner", email, password, organisation: "Bench organisation" });
  if (signedUp.status !== "created") throw new Error("the bench owner could not be created");
  const orgId = signedUp.orgId;
  const agents = [
    await createAgent(db, { orgId, name: "Support agent" }),
    await createAgent(db, { orgId, name: "Sales agent" }),
    await createAgent(db, { orgId, name: "Research agent" }),
  ];
  const { record: key } = await createApiKey(db, { orgId, name: "Bench key" });
  await db.update(tables.apiKeys).set({ budgetUsdCents: 5_000, budgetPeriod: "monthly" }).where(eq(tables.apiKeys.id, key.id));
  const random = sequence(42);
  const now = Date.now();
  const word = WORDS[0]!;
  let sample: SeededOrg["sample"] | null = null;
  let monthMessages = 0;
  let monthTokens = 0;
  let monthSpend = 0;
  const monthStart = monthStartOf(new Date(now)).getTime();

  for (let start = 0; start < options.count; start += BATCH) {
    const batch: RunRows[] = [];
    for (let i = start; i < Math.min(start + BATCH, options.count); i++) {
      // Oldest first, as a live system appends them, a few minutes of jitter apart.
      const at = new Date(now - Math.floor(((options.count - i) / options.count) * options.days * DAY_MS) + Math.floor(random() * 300_000));
      const agent = agents[i % agents.length]!;
      // One run in twenty asks another agent: a trace with a child generation.
      const child = i % 20 === 0 ? agents[(i + 1) % agents.length]! : null;
      const prompt = `Question ${i} about the ${WORDS[Math.floor(random() * WORDS.length)]} for customer ${Math.floor(random() * 500)}: what should I do next?`;
      const rows = runRows({ orgId, keyId: key.id }, agent, child, DOORS[i % DOORS.length]!, at, prompt);
      if (!sample && child) sample = { conversationId: rows.conversation.id!, traceId: rows.generations[0]!.traceId };
      for (const generation of rows.generations) {
        if (generation.createdAt.getTime() >= monthStart) {
          monthMessages += 1;
          monthTokens += generation.inputTokens + generation.outputTokens;
          monthSpend += costMicrocents(generation.model ?? "", generation);
        }
      }
      batch.push(rows);
    }
    await db.insert(tables.generations).values(batch.flatMap((rows) => rows.generations));
    await db.insert(tables.generationSteps).values(batch.flatMap((rows) => rows.steps));
    await db.insert(tables.conversations).values(batch.map((rows) => rows.conversation));
    await db.insert(tables.messages).values(batch.flatMap((rows) => rows.messages));
  }
  // The plan's and the key's counters, as the runs would have left them, under limits the page shows as bars.
  await db.insert(tables.orgUsage).values({ orgId, month: new Date(monthStart), messages: monthMessages, tokens: monthTokens });
  await db
    .insert(tables.keySpend)
    .values({ apiKeyId: key.id, periodStart: new Date(monthStart), spentMicrocents: monthSpend, requests: monthMessages });
  await db
    .update(tables.organisations)
    .set({ monthlyMessageLimit: Math.max(monthMessages * 2, 100), monthlyTokenLimit: Math.max(monthTokens * 2, 10_000) })
    .where(eq(tables.organisations.id, orgId));
  if (!sample) throw new Error("seed at least one conversation");
  return { email, password, orgId, agents, keyId: key.id, word, sample };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { "data-dir": { type: "string" }, count: { type: "string", default: "10000" }, days: { type: "string", default: "90" } },
  });
  if (!values["data-dir"]) throw new Error("--data-dir is required (an embedded database is created or extended there)");
  const handle = await openDatabase({ dataDir: values["data-dir"] });
  try {
    const started = performance.now();
    const seeded = await seedConversations(handle.db, { count: Number(values.count), days: Number(values.days) });
    console.log(
      JSON.stringify({
        email: seeded.email,
        password: seeded.password,
        orgId: seeded.orgId,
        seconds: (performance.now() - started) / 1000,
      }),
    );
  } finally {
    await handle.close();
  }
}

if (process.argv[1]?.endsWith("seed-conversations.ts")) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
