import type { GenerationResponse } from "@/lib/contracts";
import type { GenerationEvent, GenerationOutcome } from "./types";

type SerializedToolCall = NonNullable<GenerationResponse["tool_calls"]>[number];

/** A generation as the Agents API reports it (generate, tool-outputs, GET). */
export function serializeGeneration(outcome: GenerationOutcome): GenerationResponse {
  return {
    id: outcome.id,
    status: outcome.status,
    text: outcome.text,
    tool_calls: outcome.status === "requires_action" ? serializeToolCalls(outcome) : null,
    trace_id: outcome.traceId,
    usage: {
      input_tokens: outcome.usage.inputTokens,
      output_tokens: outcome.usage.outputTokens,
      total_tokens: outcome.usage.inputTokens + outcome.usage.outputTokens,
    },
  };
}

/** The calls a paused run waits on: client tools to answer, or gated calls under review. */
export function serializeToolCalls(outcome: GenerationOutcome): SerializedToolCall[] {
  return outcome.toolCalls.map((call) => ({
    tool_call_id: call.toolCallId,
    tool_name: call.toolName,
    // Every tool's input schema is an object, so the model's arguments are one.
    args: call.input as Record<string, unknown>,
    ...(call.threadId ? { approval: { thread_id: call.threadId } } : {}),
  }));
}

type ToolEvent = Extract<GenerationEvent, { type: "tool-call" | "tool-result" }>;

/** Tool activity as every streaming door writes it (chat NDJSON lines, generate SSE events). */
export function serializeToolEvent(event: ToolEvent) {
  return event.type === "tool-call"
    ? { type: event.type, tool_call_id: event.toolCallId, tool_name: event.toolName, args: event.input }
    : { type: event.type, tool_call_id: event.toolCallId, tool_name: event.toolName, result: event.output };
}
