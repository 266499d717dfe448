/**
 * A2A tasks: each is one Conduit generation of door `a2a` (the task id is the generation's public
 * id), and its context is the conversation the generation's exchange joined or started.
 */
import { and, eq } from "drizzle-orm";
import type { ApiKeyAuth } from "@/lib/auth";
import { tables, type Agent, type Db, type Generation } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { flushGenerationRecords, type GenerationOutcome, type PendingToolCall } from "@/lib/generations";
import { TRACE_METADATA_KEY } from "@/lib/contracts/tool-configs";
import type { A2aMessage, Task, TaskState } from "./protocol";

/** What a task is made of, from a run that just ended or from its stored generation. */
export interface TaskFacts {
  id: string;
  contextId: string;
  state: TaskState;
  prompt: string;
  /** The agent's reply, once there is one. */
  reply: string | null;
  /** What the status says besides the reply: why the run paused, failed or stopped. */
  note: string | null;
  traceId: string;
}

const REPLY_ARTIFACT_ID = "reply";

export function agentMessage(facts: Pick<TaskFacts, "id" | "contextId">, text: string): A2aMessage {
  return {
    kind: "message",
    messageId: `${facts.id}-reply`,
    role: "agent",
    parts: [{ kind: "text", text }],
    taskId: facts.id,
    contextId: facts.contextId,
  };
}

const userMessage = (facts: TaskFacts): A2aMessage => ({
  kind: "message",
  messageId: `${facts.id}-prompt`,
  role: "user",
  parts: [{ kind: "text", text: facts.prompt }],
  taskId: facts.id,
  contextId: facts.contextId,
});

/** The status text: the reply when there is one, else why the task stands where it does. */
export const statusText = (facts: TaskFacts) => (facts.state === "completed" ? (facts.reply ?? "") : facts.note);

/** A task as A2A's Task object; `historyLength` keeps the latest messages only (0: none). */
export function toTask(facts: TaskFacts, historyLength?: number): Task {
  const text = statusText(facts);
  const history = [userMessage(facts), ...(facts.reply !== null ? [agentMessage(facts, facts.reply)] : [])];
  return {
    kind: "task",
    id: facts.id,
    contextId: facts.contextId,
    status: { state: facts.state, ...(text !== null ? { message: agentMessage(facts, text) } : {}), timestamp: new Date().toISOString() },
    ...(facts.reply !== null && facts.state === "completed"
      ? { artifacts: [{ artifactId: REPLY_ARTIFACT_ID, name: "reply", parts: [{ kind: "text" as const, text: facts.reply }] }] }
      : {}),
    history: historyLength === undefined ? history : history.slice(history.length - Math.min(historyLength, history.length)),
    metadata: { [TRACE_METADATA_KEY]: { trace_id: facts.traceId } },
  };
}

/** Why a run paused, naming what it waits for and where to follow it. */
export function pauseNote(taskId: string, agent: Pick<Agent, "publicId">, pending: PendingToolCall[]): string {
  const threadIds = pending.flatMap((call) => (call.threadId ? [call.threadId] : []));
  if (pending.some((call) => call.approvalId)) {
    return (
      `A gated tool call waits for a reviewer's decision (review thread ${threadIds.join(", ")}). ` +
      `The run resumes by itself once decided; follow it with tasks/get ${taskId}.`
    );
  }
  return `The agent paused for client tool outputs, which A2A cannot give: answer them with POST /api/v1/agents/${agent.publicId}/generate/${taskId}/tool-outputs.`;
}

/** A run that just ended (or paused) as a task. */
export function outcomeFacts(outcome: GenerationOutcome, agent: Agent, contextId: string, prompt: string): TaskFacts {
  const paused = outcome.status === "requires_action";
  return {
    id: outcome.id,
    contextId,
    state: paused ? "input-required" : "completed",
    prompt,
    reply: paused ? null : (outcome.text ?? ""),
    note: paused ? pauseNote(outcome.id, agent, outcome.toolCalls) : null,
    traceId: outcome.traceId,
  };
}

/** The prompt of a stored run: its last user message with text (earlier ones are the conversation's history). */
function promptOf(messages: unknown[]): string {
  for (const message of [...messages].reverse()) {
    const turn = message as { role?: unknown; content?: unknown };
    if (turn.role === "user" && typeof turn.content === "string") return turn.content;
  }
  return "";
}

/**
 * A stored generation's state. A run its caller stopped (tasks/cancel, or a client gone) is
 * stored as failed with an `aborted` reply in its conversation: that reads `canceled`.
 */
function storedState(generation: Generation, replyStatus: string | null): TaskState {
  switch (generation.status) {
    case "running":
      return "working";
    case "requires_action":
      return "input-required";
    case "completed":
      return "completed";
    case "failed":
      return replyStatus === "aborted" ? "canceled" : "failed";
  }
}

/**
 * A task of this key with this agent, read back from its generation; other keys', agents' and
 * doors' generations are not tasks here. Written behind the run that made them: stored first.
 */
export async function storedTask(db: Db, auth: ApiKeyAuth, agent: Agent, taskId: string): Promise<TaskFacts> {
  await flushGenerationRecords();
  const g = tables.generations;
  const [row] = await db
    .select({ generation: g, replyStatus: tables.messages.status })
    .from(g)
    .leftJoin(tables.messages, eq(tables.messages.id, g.id))
    .where(
      and(eq(g.publicId, taskId), eq(g.orgId, auth.key.orgId), eq(g.agentId, agent.id), eq(g.apiKeyId, auth.key.id), eq(g.door, "a2a")),
    )
    .limit(1);
  if (!row) throw new ApiError("NOT_FOUND", `Task ${taskId} not found`);
  const { generation } = row;
  const state = storedState(generation, row.replyStatus);
  return {
    id: generation.publicId,
    contextId: generation.conversationId ?? generation.id,
    state,
    prompt: promptOf(generation.messages),
    reply: state === "completed" ? (generation.text ?? "") : null,
    note:
      state === "input-required"
        ? pauseNote(generation.publicId, agent, generation.pendingToolCalls ?? [])
        : state === "canceled"
          ? "The task was canceled."
          : generation.error,
    traceId: generation.traceId,
  };
}
