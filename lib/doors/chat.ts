import { ApiError } from "@/lib/errors";
import { serializeToolCalls, serializeToolEvent, type GenerationEvent, type GenerationOutcome } from "@/lib/generations";
import type { ChatResponse, V1ChatResponse } from "@/lib/contracts";

/** Conduit chat's reply (JSON, and the NDJSON `done` line): the run's outcome in chat terms. */
export function chatPayload(outcome: GenerationOutcome, agentId: string): ChatResponse {
  return {
    /** The reply's id in the conversation record. */
    id: outcome.rowId,
    agent_id: agentId,
    model: outcome.model,
    // A run just ended: it completed or paused (running and failed only show when read back).
    status: outcome.status === "requires_action" ? "requires_action" : "completed",
    message: { role: "assistant", content: outcome.text ?? "" },
    finish_reason: outcome.finishReason,
    usage: {
      input_tokens: outcome.usage.inputTokens,
      output_tokens: outcome.usage.outputTokens,
      total_tokens: outcome.usage.inputTokens + outcome.usage.outputTokens,
    },
    generation_id: outcome.id,
    trace_id: outcome.traceId,
    // A paused run lists what it waits for; answer client tools with the Agents API's tool-outputs.
    ...(outcome.status === "requires_action" ? { tool_calls: serializeToolCalls(outcome) } : {}),
  };
}

/** One NDJSON line of a chat stream: text deltas, tool activity, then `done`. */
export function chatStreamLine(event: GenerationEvent, agentId: string): string {
  switch (event.type) {
    case "text-delta":
      return JSON.stringify({ type: "delta", content: event.delta }) + "\n";
    case "tool-call":
    case "tool-result":
      return JSON.stringify(serializeToolEvent(event)) + "\n";
    case "done":
      return JSON.stringify({ type: "done", ...chatPayload(event.outcome, agentId) }) + "\n";
  }
}

/**
 * For doors that cannot hand a tool call back: a run that paused (a client tool, or a gated call
 * under review) is an error that names the generation to follow up on with the Agents API.
 */
export function assertRunEnded(outcome: GenerationOutcome, agentId: string): void {
  if (outcome.status !== "requires_action") return;
  const waitingOn = outcome.toolCalls.some((call) => call.approvalId) ? "a reviewer's decision" : "client tool outputs";
  throw new ApiError(
    "RUN_PAUSED",
    `The agent paused for ${waitingOn}, which this endpoint cannot answer. Follow generation ${outcome.id} with ` +
      `GET /api/v1/agents/${agentId}/generate/${outcome.id}` +
      (waitingOn === "client tool outputs" ? ` and answer it with POST …/generate/${outcome.id}/tool-outputs` : ""),
    { details: [`generation_id: ${outcome.id}`, `trace_id: ${outcome.traceId}`] },
  );
}

/** Sistava's synchronous chat: the answer's text, or an error for a run that paused. */
export function v1ChatReply(outcome: GenerationOutcome, agentId: string): V1ChatResponse {
  assertRunEnded(outcome, agentId);
  return { message_id: outcome.rowId, employee_id: agentId, content: outcome.text ?? "" };
}
