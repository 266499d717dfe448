import { createHash, randomUUID } from "node:crypto";
import { A2A_PROTOCOL_VERSION, A2A_VERSION_HEADER, Role, TaskState, type AgentCard, type Part, type SendMessageResult } from "@a2a-js/sdk";
import { ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory } from "@a2a-js/sdk/client";
import { TtlCache } from "@/lib/cache/ttl-cache";
import { config } from "@/lib/config";
import { TRACE_METADATA_KEY, type A2aAgentConfig } from "@/lib/contracts/tool-configs";
import { processSingleton } from "@/lib/runtime/singleton";
import { ToolError } from "./errors";
import { createGuardedFetch } from "./guard";

export type { A2aAgentConfig };

/** The generation that calls the remote agent: where it sits in its trace tree. */
export interface A2aCaller {
  traceId: string;
  rootTraceId: string;
  callDepth: number;
}

/** What the model is told of the remote agent's answer. */
export interface A2aReply {
  text: string;
  /** Absent when the agent answered with a message rather than a task. */
  task_id?: string;
  state: string;
  context_id?: string;
  /** Set when the remote agent waits for more input: what the model should do next. */
  note?: string;
}

export interface A2aAgent {
  /** The card's name, description and skills: the tool's description when none is configured. */
  describe(): Promise<string>;
  /** Sends one message; later calls continue the conversation (and a task waiting for input). */
  send(message: string, signal: AbortSignal): Promise<A2aReply>;
}

/** What one run keeps of its exchange with a remote agent (empty strings: none yet). */
interface Conversation {
  contextId: string;
  /** A task that waits for input: the next message answers it. */
  waitingTaskId: string;
}

/** Cards change rarely; a run usually asks the same agent several times. */
const CARD_TTL_MS = 60_000;

const cards = () => processSingleton("tools:a2a-cards", () => new TtlCache<AgentCard>(CARD_TTL_MS));

/** v0.3 cards are translated to v1.0, and the JSON-RPC factory picks the transport of the card's version. */
const legacyCompat = { enabled: true };
const cardResolver = new DefaultAgentCardResolver({ legacyCompat });

const STATE_NAMES: Partial<Record<TaskState, string>> = {
  [TaskState.TASK_STATE_SUBMITTED]: "submitted",
  [TaskState.TASK_STATE_WORKING]: "working",
  [TaskState.TASK_STATE_COMPLETED]: "completed",
  [TaskState.TASK_STATE_FAILED]: "failed",
  [TaskState.TASK_STATE_CANCELED]: "canceled",
  [TaskState.TASK_STATE_INPUT_REQUIRED]: "input-required",
  [TaskState.TASK_STATE_REJECTED]: "rejected",
  [TaskState.TASK_STATE_AUTH_REQUIRED]: "auth-required",
};

const FAILED_STATES = new Set([TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_REJECTED, TaskState.TASK_STATE_CANCELED]);
const WAITING_STATES = new Set([TaskState.TASK_STATE_INPUT_REQUIRED, TaskState.TASK_STATE_AUTH_REQUIRED]);

/** The description built from a card stays short: it is sent to the model on every step. */
const MAX_DESCRIPTION_CHARS = 1_000;

/**
 * A remote A2A agent, spoken to over JSON-RPC (A2A v0.3 or v1.0, as its card says). Every request,
 * the card's included, goes through the outbound guard with the tool's headers and the size cap.
 */
export function connectA2aAgent(agent: A2aAgentConfig, caller: A2aCaller): A2aAgent {
  const target = describeUrl(agent.url);
  const fetchImpl = fetchWithHeaders(agent.headers ?? {});
  const loadCard = () => cards().get(cardCacheKey(agent), () => fetchCard(agent.url, fetchImpl));
  /** Kept across calls of one run, so the remote agent sees one conversation. */
  const conversation: Conversation = { contextId: "", waitingTaskId: "" };

  return {
    describe: async () => describeCard(await loadCard()),
    send: async (message, signal) => {
      const timeoutMs = config().TOOL_TIMEOUT_MS;
      const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
      try {
        const card = await loadCard();
        const factory = new ClientFactory({ transports: [new JsonRpcTransportFactory({ fetchImpl, legacyCompat })], cardResolver });
        const client = await factory.createFromAgentCard(card);
        const result = await client.sendMessage(
          {
            tenant: "",
            message: {
              messageId: randomUUID(),
              contextId: conversation.contextId,
              taskId: conversation.waitingTaskId,
              role: Role.ROLE_USER,
              parts: [{ content: { $case: "text", value: message }, metadata: undefined, filename: "", mediaType: "text/plain" }],
              metadata: {
                [TRACE_METADATA_KEY]: {
                  parent_trace_id: caller.traceId,
                  root_trace_id: caller.rootTraceId,
                  call_depth: caller.callDepth + 1,
                },
              },
              extensions: [],
              referenceTaskIds: [],
            },
            configuration: undefined,
            metadata: undefined,
          },
          { signal: deadline },
        );
        return readReply(result, conversation, target);
      } catch (error) {
        if (error instanceof ToolError) throw error;
        if (deadline.aborted && !signal.aborted)
          throw new ToolError(`A2A agent ${target} timed out after ${timeoutMs} ms`, { cause: error });
        throw new ToolError(`A2A agent ${target} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    },
  };
}

/** The guarded fetch, sending the tool's headers (credentials) on top of the SDK's own. */
function fetchWithHeaders(headers: Record<string, string>): typeof fetch {
  // A capped body fails the read of that response with the ToolError, which reaches the caller.
  const guarded = createGuardedFetch(() => undefined);
  return (input, init) => {
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return guarded(input instanceof Request ? input.url : input, { ...init, headers: merged });
  };
}

/** Cards are cached per URL and headers: another tool's credentials may be shown another card. */
function cardCacheKey(agent: A2aAgentConfig): string {
  return `${agent.url}\n${createHash("sha256")
    .update(JSON.stringify(agent.headers ?? {}))
    .digest("base64url")}`;
}

async function fetchCard(url: string, fetchImpl: typeof fetch): Promise<AgentCard> {
  const where = describeUrl(url);
  const response = await fetchImpl(url, {
    headers: { Accept: "application/json", [A2A_VERSION_HEADER]: A2A_PROTOCOL_VERSION },
    signal: AbortSignal.timeout(config().TOOL_TIMEOUT_MS),
  }).catch((error: unknown) => {
    if (error instanceof ToolError) throw error;
    throw new ToolError(`A2A agent card ${where} could not be fetched: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  });
  if (!response.ok) throw new ToolError(`A2A agent card ${where} answered HTTP ${response.status}`);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError(`A2A agent card ${where} is not JSON`, { cause: error });
  }
  if (typeof raw !== "object" || raw === null) throw new ToolError(`A2A agent card ${where} is not an agent card`);
  return cardResolver.normalizeAgentCard(raw);
}

function describeCard(card: AgentCard): string {
  const skills = (card.skills ?? []).map((skill) => (skill.description ? `${skill.name}: ${skill.description}` : skill.name));
  const text = [
    `Ask the remote agent ${card.name}${card.description ? ` (${card.description})` : ""}.`,
    skills.length > 0 ? `Skills: ${skills.join("; ")}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
  return text.slice(0, MAX_DESCRIPTION_CHARS);
}

/** Origin and path, never the query: a configured URL may carry credentials. */
function describeUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** The reply for the model; a task that failed, was rejected or canceled is a tool error. */
function readReply(result: SendMessageResult, conversation: Conversation, target: string): A2aReply {
  if ("messageId" in result) {
    conversation.contextId = result.contextId || conversation.contextId;
    conversation.waitingTaskId = "";
    return { text: partsText(result.parts), state: "completed", context_id: result.contextId || undefined };
  }
  const state = result.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED;
  const stateName = STATE_NAMES[state] ?? "unknown";
  const statusText = partsText(result.status?.message?.parts ?? []);
  conversation.contextId = result.contextId || conversation.contextId;
  conversation.waitingTaskId = WAITING_STATES.has(state) ? result.id : "";
  if (FAILED_STATES.has(state)) {
    throw new ToolError(`A2A agent ${target}: task ${result.id} ${stateName}${statusText ? `: ${statusText}` : ""}`);
  }
  const artifactsText = result.artifacts.map((artifact) => partsText(artifact.parts)).filter(Boolean);
  const reply: A2aReply = {
    text: artifactsText.length > 0 ? artifactsText.join("\n") : statusText,
    task_id: result.id,
    state: stateName,
    context_id: result.contextId || undefined,
  };
  if (state === TaskState.TASK_STATE_INPUT_REQUIRED) reply.note = "The remote agent needs more input: call this tool again with it.";
  if (state === TaskState.TASK_STATE_AUTH_REQUIRED) reply.note = "The remote agent needs authorisation before it can go on.";
  return reply;
}

/** Text stays text and data is JSON; files are named rather than inlined, since the model cannot read them. */
function partsText(parts: Part[]): string {
  return parts
    .map((part) => {
      switch (part.content?.$case) {
        case "text":
          return part.content.value;
        case "data":
          return JSON.stringify(part.content.value);
        case "url":
          return `[file: ${part.content.value}]`;
        case "raw":
          return `[file: ${part.filename || part.mediaType || "binary"}]`;
        default:
          return "";
      }
    })
    .filter(Boolean)
    .join("\n");
}
