import type { Door, Organisation } from "@/lib/db";
import type { RequestTiming } from "@/lib/http/timing";
import type { ResolvedKey } from "@/lib/keys";

export type { Door } from "@/lib/db";

export interface ChatTurn {
  role: "system" | "user" | "assistant";
  content: string;
}

/** The organisation a run belongs to: its plan limits count every run, its billing mode picks the model. */
export type RunOrg = Pick<Organisation, "id" | "billingMode" | "monthlyMessageLimit" | "monthlyTokenLimit">;

/**
 * Who runs the agent: the request's timing, the caller's abort signal, and who pays. An API key
 * pays from its budget within its organisation's plan; a signed-in member trying an agent in the
 * dashboard has no key, so only the organisation's plan limits apply.
 */
export type RunCaller = {
  timing: RequestTiming;
  /** Aborted when the caller goes away; the model call and tools stop with it. */
  signal: AbortSignal;
} & (
  | {
      /** The key that pays: its budget is reserved before each model call and charged after. */
      key: ResolvedKey;
    }
  | { key: null; org: RunOrg }
);

/** The organisation of a run's caller, with or without a key. */
export function runOrg(caller: RunCaller): RunOrg {
  return caller.key ? caller.key.org : caller.org;
}

/** One request to run an agent, whatever door it came through. */
export interface RunRequest {
  door: Door;
  agentRef: string;
  messages: ChatTurn[];
  traceId?: string;
  parentTraceId?: string | null;
  rootTraceId?: string | null;
  maxCallDepth?: number;
  /** How deep in an agent-to-agent chain this run is (0: called from outside). */
  callDepth?: number;
  toolContext?: Record<string, string> | null;
  actorRef?: string;
  /**
   * A conversation record whose prompt the door already stored (a channel contact's): the reply
   * joins it. Without one, the run's exchange starts a conversation of its own.
   */
  conversationId?: string;
}

export interface PendingToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
  /** Set for gated tool calls waiting on a reviewer (AI SDK tool approval). */
  approvalId?: string;
  threadId?: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** What a run (or a stored generation read back) ended with. */
export interface GenerationOutcome {
  /** The generation's row id: also the id of the reply in the conversation record. */
  rowId: string;
  id: string;
  door: Door;
  /** running and failed only show when reading a generation back, never from a run. */
  status: "completed" | "requires_action" | "running" | "failed";
  text: string | null;
  toolCalls: PendingToolCall[];
  traceId: string;
  /** The model that answered; null when no model ran (depth guard). */
  model: string | null;
  /** The model's reason for stopping ("stop", "length", "tool-calls"…). */
  finishReason: string;
  usage: Usage;
}

export type GenerationEvent =
  | { type: "text-delta"; delta: string }
  | { type: "tool-call"; toolCallId: string; toolName: string; input: unknown }
  | { type: "tool-result"; toolCallId: string; toolName: string; output: unknown }
  | { type: "done"; outcome: GenerationOutcome };

/** A stream that has produced its first event, so early failures still get a real HTTP status. */
export interface StartedStream {
  /** The generation's public id, for doors whose first bytes must already name it. */
  generationId: string;
  /** The generation's row id: the id of its reply, and of the conversation a new run starts. */
  rowId: string;
  first: GenerationEvent;
  rest: AsyncGenerator<GenerationEvent, void>;
}
