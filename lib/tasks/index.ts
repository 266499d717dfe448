import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { findAgent, type AgentWithProvider } from "@/lib/agents";
import type { TaskCaller } from "@/lib/auth/task-gateway";
import { assertBudgetLeft, assertWithinPlan } from "@/lib/billing";
import { config } from "@/lib/config";
import { decryptSecret } from "@/lib/crypto";
import { getDb, tables, UUID_PATTERN, type AgentTask, type Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { startGeneration, type GenerationOutcome, type ResumedRun } from "@/lib/generations";
import { RequestTiming } from "@/lib/http/timing";
import { jobsInsertCte, nudgeWorkers, PermanentJobError, type JobHandler } from "@/lib/jobs";
import { backgroundRefusal, keyAllowsAgent, loadApiKeyById, type ResolvedKey } from "@/lib/keys";
import type { TaskReplyWebhook, TaskResponse } from "@/lib/contracts";
import { now } from "@/lib/runtime/clock";
import { modelIdFor } from "@/lib/llm";
import { publishEvent } from "@/lib/events";
import { getDeliveriesFor, queueWebhook, signBody } from "@/lib/webhooks";

const TASK_TTL_MS = 24 * 60 * 60 * 1000;
/** What callers see when a task fails for a reason that is not theirs to fix. */
const GENERIC_FAILURE = "An error occurred while processing your request.";

export const submitTaskRequest = z.object({
  message: z
    .string({ error: "message is required and must be a string" })
    .trim()
    .min(1, "message must not be empty")
    .max(10_000, "message must be at most 10,000 characters"),
  context: z
    .object({
      entity_type: z.string().max(100).optional(),
      entity_id: z.string().max(200).optional(),
      action: z.string().max(100).optional(),
      /** Conduit extension: which agent of the organisation should handle the task. */
      agent_id: z.string().optional(),
    })
    .optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

type TaskInput = z.output<typeof submitTaskRequest>;

/** Whose task it is: the member it belongs to, and the key that pays for it and receives its webhook. */
export type TaskOwner = Pick<TaskCaller, "key"> & { user: Pick<TaskCaller["user"], "userId"> };

/** The agent a task goes to: one named in the context, the key's first agent, or the organisation's first. */
async function chooseAgent(db: Db, key: ResolvedKey, requested: string | undefined): Promise<AgentWithProvider> {
  if (requested) {
    const target = await findAgent(key.orgId, requested).catch(() => null);
    if (!target || !keyAllowsAgent(key, target.agent.id)) {
      throw new ApiError("VALIDATION_FAILED", "context.agent_id does not name an agent this key may use");
    }
    return target;
  }
  const ref =
    key.agentIds?.[0] ??
    (
      await db
        .select({ id: tables.agents.id })
        .from(tables.agents)
        .where(eq(tables.agents.orgId, key.orgId))
        .orderBy(asc(tables.agents.createdAt))
        .limit(1)
    )[0]?.id;
  const target = ref ? await findAgent(key.orgId, ref) : null;
  if (!target) throw new ApiError("VALIDATION_FAILED", "This organisation has no agent to handle tasks yet");
  return target;
}

/**
 * Stores the task and queues its run in one statement: accepted means it will be worked on. A
 * key that could not pay for the run's first model call is refused here, before anything is stored.
 */
export async function submitTask(caller: TaskOwner, input: TaskInput): Promise<AgentTask> {
  const db = await getDb();
  const target = await chooseAgent(db, caller.key, input.context?.agent_id);
  const request = { message: input.message, context: input.context ?? null, metadata: input.metadata ?? null };
  const { instructions } = target.agent;
  await assertBudgetLeft(caller.key, {
    modelId: modelIdFor(target.agent, target.provider),
    // The first call's prompt as the run sends it: the agent's instructions, then the task.
    prompt: [
      ...(instructions ? [{ role: "system" as const, content: instructions }] : []),
      { role: "user", content: [{ type: "text", text: promptOf(request) }] },
    ],
  });
  await assertWithinPlan(caller.key.org);
  const at = now();
  // The id is chosen here so the task and its run's job go in as one statement: no transaction,
  // one round trip, and accepted still means it will be worked on.
  const id = randomUUID();
  const job = jobsInsertCte(db, "task_job", [{ kind: "task.run", payload: { taskId: id }, maxAttempts: config().TASK_MAX_ATTEMPTS }]);
  const [task] = await db
    .with(job)
    .insert(tables.agentTasks)
    .values({
      id,
      orgId: caller.key.orgId,
      apiKeyId: caller.key.id,
      userId: caller.user.userId,
      agentId: target.agent.id,
      ...request,
      turns: [
        {
          role: "user",
          payload: { message: input.message, ...(input.context ? { context: input.context } : {}) },
          timestamp: at.toISOString(),
        },
      ],
      expiresAt: new Date(at.getTime() + TASK_TTL_MS),
      createdAt: at,
    })
    .returning();
  if (!task) throw new Error("Inserting a task returned no row");
  nudgeWorkers();
  return task;
}

/** A task of the caller's (same user, same organisation) that has not expired. */
export async function getTask(caller: TaskOwner, id: string): Promise<AgentTask> {
  if (!UUID_PATTERN.test(id)) throw notFound("Conversation");
  const db = await getDb();
  const [task] = await db
    .select()
    .from(tables.agentTasks)
    .where(
      and(eq(tables.agentTasks.id, id), eq(tables.agentTasks.orgId, caller.key.orgId), eq(tables.agentTasks.userId, caller.user.userId)),
    )
    .limit(1);
  if (!task || task.expiresAt.getTime() <= now().getTime()) throw notFound("Conversation");
  return task;
}

export async function serializeTask(task: AgentTask): Promise<TaskResponse> {
  const [delivery] = await getDeliveriesFor(await getDb(), task.id);
  return {
    conversation_uuid: task.id,
    status: task.status,
    turns: task.turns,
    webhook: delivery
      ? {
          status: delivery.status,
          delivered_at: delivery.deliveredAt?.toISOString() ?? null,
          attempts: delivery.attempts.map(({ at, status, error, duration_ms }) => ({ at, status, error, duration_ms })),
        }
      : null,
    resolved_at: task.resolvedAt?.toISOString() ?? null,
    expires_at: task.expiresAt.toISOString(),
    created_at: task.createdAt.toISOString(),
  };
}

/** The prompt the agent sees: the message, plus the caller's hints. */
function promptOf(task: Pick<AgentTask, "message" | "context" | "metadata">): string {
  const hints = Object.entries(task.context ?? {})
    .filter(([key]) => key !== "agent_id")
    .map(([key, value]) => `${key}: ${String(value)}`);
  const metadata = task.metadata ? [`metadata: ${JSON.stringify(task.metadata)}`] : [];
  const extra = [...hints, ...metadata];
  return extra.length > 0 ? `${task.message}\n\n${extra.join("\n")}` : task.message;
}

/** Ends a task (resolved or failed) and queues its signed webhook in the same transaction. */
async function finishTask(task: AgentTask, key: ResolvedKey | null, outcome: { response: string } | { error: string }): Promise<void> {
  const db = await getDb();
  const at = now();
  const resolved = "response" in outcome;
  await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(tables.agentTasks)
      .set({
        status: resolved ? "resolved" : "failed",
        turns: resolved
          ? [...task.turns, { role: "agent", payload: { content: outcome.response }, timestamp: at.toISOString() }]
          : task.turns,
        error: resolved ? null : outcome.error,
        resolvedAt: resolved ? at : null,
        updatedAt: at,
      })
      .where(and(eq(tables.agentTasks.id, task.id), inArray(tables.agentTasks.status, ["open", "processing", "waiting"])))
      .returning({ id: tables.agentTasks.id });
    // Someone else finished it already (a retried run after a lost lease): deliver nothing twice.
    if (!updated) return;
    await (resolved
      ? publishEvent(tx, { orgId: task.orgId, type: "task.resolved", data: { task_id: task.id, response: outcome.response } })
      : publishEvent(tx, { orgId: task.orgId, type: "task.failed", data: { task_id: task.id, error: outcome.error } }));
    if (!key?.responseUrl || !key.signingSecretCiphertext) return;
    const payload: TaskReplyWebhook = resolved
      ? { conversation_uuid: task.id, status: "resolved", response: outcome.response }
      : { conversation_uuid: task.id, status: "failed", error: outcome.error };
    const body = JSON.stringify(payload);
    await queueWebhook(tx, {
      orgId: task.orgId,
      subjectId: task.id,
      url: key.responseUrl,
      body,
      headers: {
        "X-Signature": signBody(decryptSecret(key.signingSecretCiphertext), body),
        "X-Conversation-UUID": task.id,
        // Delivery is at-least-once: the same id on every retry lets receivers drop repeats.
        "X-Webhook-Id": randomUUID(),
      },
    });
  });
}

/**
 * A finished run resolves the task. A run paused on a reviewer's decision leaves the task
 * waiting until the review resumes it; a client tool cannot be answered through a task, so the
 * task fails and says which tool the agent asked for.
 */
async function settleTask(task: AgentTask, key: ResolvedKey, outcome: GenerationOutcome): Promise<void> {
  if (outcome.status !== "requires_action") return finishTask(task, key, { response: outcome.text ?? "" });
  const clientCalls = outcome.toolCalls.filter((call) => !call.approvalId);
  if (clientCalls.length > 0) {
    const names = [...new Set(clientCalls.map((call) => call.toolName))].join(", ");
    return finishTask(task, key, { error: `The agent asked for client tools (${names}), which a task cannot answer.` });
  }
  const db = await getDb();
  await db
    .update(tables.agentTasks)
    .set({ status: "waiting", generationId: outcome.rowId, updatedAt: now() })
    .where(and(eq(tables.agentTasks.id, task.id), inArray(tables.agentTasks.status, ["processing", "waiting"])));
}

/** A task's run resumed after its review: resolve (or fail) the task it belongs to. */
export async function resumeTaskAfterReview(resumed: ResumedRun): Promise<void> {
  const db = await getDb();
  const [task] = await db
    .select()
    .from(tables.agentTasks)
    .where(and(eq(tables.agentTasks.generationId, resumed.generation.id), eq(tables.agentTasks.status, "waiting")))
    .limit(1);
  if (!task) return;
  const key = task.apiKeyId ? await loadApiKeyById(task.apiKeyId) : null;
  if ("error" in resumed) return finishTask(task, key, { error: resumed.error.status >= 500 ? GENERIC_FAILURE : resumed.error.message });
  if (!key) return finishTask(task, null, { error: GENERIC_FAILURE });
  await settleTask(task, key, resumed.outcome);
}

async function loadTask(id: string): Promise<AgentTask | null> {
  const db = await getDb();
  const [task] = await db.select().from(tables.agentTasks).where(eq(tables.agentTasks.id, id)).limit(1);
  return task ?? null;
}

/**
 * Runs one task: processing → resolved. A key revoked or expired since, or an API channel
 * switched off, fails the task before the model runs. Errors the caller must fix (budget, plan,
 * key) fail the task at once with their message; anything else is retried by the queue.
 */
export const taskJobHandler: JobHandler<"task.run"> = {
  async run(payload) {
    const db = await getDb();
    // Claimed and read in one statement. Only an open task starts, or one whose earlier run was cut
    // short: a finished task is done, and a waiting one belongs to its review, whose decision resumes it.
    const [task] = await db
      .update(tables.agentTasks)
      .set({ status: "processing", attempts: sql`${tables.agentTasks.attempts} + 1`, updatedAt: now() })
      .where(and(eq(tables.agentTasks.id, payload.taskId), inArray(tables.agentTasks.status, ["open", "processing"])))
      .returning();
    if (!task) return;
    const key = task.apiKeyId ? await loadApiKeyById(task.apiKeyId) : null;
    const target = task.agentId ? await findAgent(task.orgId, task.agentId) : null;
    if (!key || !target) throw new PermanentJobError("The task's key or agent no longer exists");
    const refusal = backgroundRefusal(key, now());
    if (refusal) return finishTask(task, key, { error: refusal.message });
    try {
      const outcome = await startGeneration(
        { door: "task", agentRef: target.agent.id, messages: [{ role: "user", content: promptOf(task) }] },
        { key, timing: new RequestTiming(performance.now()), signal: new AbortController().signal },
      );
      await settleTask(task, key, outcome);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      await finishTask(task, key, { error: error.message });
    }
  },
  async giveUp(payload) {
    const task = await loadTask(payload.taskId);
    // A waiting task belongs to its review now; the review's decision resumes it.
    if (!task || task.status === "resolved" || task.status === "failed" || task.status === "waiting") return;
    const key = task.apiKeyId ? await loadApiKeyById(task.apiKeyId) : null;
    await finishTask(task, key, { error: GENERIC_FAILURE });
  },
};
