import { asc, eq } from "drizzle-orm";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ApiKeyAuth } from "@/lib/auth";
import { tables, UUID_PATTERN, type Agent, type Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import {
  keyConversationTurns,
  serializeToolCalls,
  startGeneration,
  streamGeneration,
  type GenerationOutcome,
  type RunCaller,
  type RunRequest,
} from "@/lib/generations";
import type { RequestContext } from "@/lib/http";
import { keyAllowsAgent } from "@/lib/keys";
import { toolResult } from "./results";

/** Tool names stay well inside the 64 characters some MCP clients allow. */
const MAX_SLUG_LENGTH = 48;

export const AskAgentInput = {
  prompt: z.string().trim().min(1, "prompt must not be empty").max(10_000, "prompt must be at most 10,000 characters"),
  conversation_id: z
    .string()
    .regex(UUID_PATTERN, "conversation_id must be a UUID from an earlier answer")
    .optional()
    .describe("Continue a conversation: the conversation_id an earlier answer of this tool returned"),
};
type AskAgentArgs = { prompt: string; conversation_id?: string };

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface AgentTool {
  name: string;
  description: string;
  agent: Agent;
}

function slugOf(agent: Pick<Agent, "name" | "publicId">): string {
  const slug = (agent.name ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/_+$/, "");
  return slug || agent.publicId.toLowerCase();
}

/** The tool that asks this agent, for a key limited to it alone (others may number clashing names). */
export const askToolName = (agent: Pick<Agent, "name" | "publicId">) => `ask_${slugOf(agent)}`;

/**
 * One `ask_<slug>` tool per agent the key may use. Oldest agents claim a name first, so a tool
 * keeps its name when agents are added; a later agent with the same slug gets `_2`, `_3`, ….
 */
export async function agentToolsFor(db: Db, auth: ApiKeyAuth): Promise<AgentTool[]> {
  const agents = await db
    .select()
    .from(tables.agents)
    .where(eq(tables.agents.orgId, auth.key.orgId))
    .orderBy(asc(tables.agents.createdAt), asc(tables.agents.id));
  const taken = new Set<string>();
  return agents
    .filter((agent) => keyAllowsAgent(auth.key, agent.id))
    .map((agent) => {
      const slug = slugOf(agent);
      let name = askToolName(agent);
      for (let n = 2; taken.has(name); n++) name = `ask_${slug}_${n}`;
      taken.add(name);
      const label = agent.name ? `"${agent.name}" (${agent.publicId})` : agent.publicId;
      return {
        name,
        agent,
        // Agents have no description of their own, and their instructions may be private.
        description:
          `Ask the Conduit agent ${label} and get its reply. The agent runs with its own tools; ` +
          "pass the conversation_id of an earlier answer to continue that conversation.",
      };
    });
}

/** Runs to the end, reporting each text delta and tool event as MCP progress when the client asked for it. */
async function runWithProgress(run: RunRequest, caller: RunCaller, extra: ToolExtra): Promise<GenerationOutcome> {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return startGeneration(run, caller);
  const started = await streamGeneration(run, caller);
  try {
    let event = started.first;
    for (let progress = 1; event.type !== "done"; progress++) {
      const message =
        event.type === "text-delta" ? event.delta : event.type === "tool-call" ? `Calling ${event.toolName}` : `${event.toolName} answered`;
      await extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress, message } });
      const next = await started.rest.next();
      if (next.done) throw new ApiError("UPSTREAM_ERROR", "The generation ended without any output");
      event = next.value;
    }
    return event.outcome;
  } finally {
    // A client gone mid-run (a notification that cannot be sent) stops the run as a closed chat stream does.
    await started.rest.return();
  }
}

/** A paused run, as a result the caller can act on: what it waits for and where to follow it. */
function pausedResult(outcome: GenerationOutcome, agent: Agent, conversationId: string | null): CallToolResult {
  const threadIds = outcome.toolCalls.flatMap((call) => (call.threadId ? [call.threadId] : []));
  const underReview = outcome.toolCalls.some((call) => call.approvalId);
  const generation = `/api/v1/agents/${agent.publicId}/generate/${outcome.id}`;
  const text = underReview
    ? `The agent paused: a gated tool call waits for a reviewer's decision (review thread ${threadIds.join(", ")}). ` +
      `The run resumes by itself once decided; follow generation ${outcome.id} with GET ${generation}.`
    : `The agent paused for client tool outputs, which this tool cannot give. Answer them with POST ${generation}/tool-outputs.`;
  return toolResult(text, {
    status: "requires_action",
    waiting_on: underReview ? "review" : "client_tools",
    agent_id: agent.publicId,
    generation_id: outcome.id,
    trace_id: outcome.traceId,
    conversation_id: conversationId,
    review_thread_ids: threadIds,
    tool_calls: serializeToolCalls(outcome),
  });
}

/** One `ask_<agent>` call: the agent runs through the one pipeline, door `mcp`, paid by the key. */
export async function askAgent(
  db: Db,
  auth: ApiKeyAuth,
  agent: Agent,
  args: AskAgentArgs,
  context: RequestContext,
  extra: ToolExtra,
): Promise<CallToolResult> {
  const messages = await keyConversationTurns(db, auth.key, agent, "mcp", args.conversation_id, args.prompt);
  const outcome = await runWithProgress(
    { door: "mcp", agentRef: agent.id, messages, conversationId: args.conversation_id },
    { key: auth.key, timing: context.timing, signal: extra.signal },
    extra,
  );
  // A new conversation is named after its first reply; its record is written just behind the reply.
  const conversationId = args.conversation_id ?? (outcome.status === "completed" ? outcome.rowId : null);
  if (outcome.status === "requires_action") return pausedResult(outcome, agent, conversationId);
  return toolResult(outcome.text ?? "", {
    status: "completed",
    agent_id: agent.publicId,
    generation_id: outcome.id,
    trace_id: outcome.traceId,
    conversation_id: conversationId,
    model: outcome.model,
    usage: {
      input_tokens: outcome.usage.inputTokens,
      output_tokens: outcome.usage.outputTokens,
      total_tokens: outcome.usage.inputTokens + outcome.usage.outputTokens,
    },
  });
}
