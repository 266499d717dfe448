import type { GenerationOutcome } from "./types";

/** A generation as the Agents API reports it (generate, tool-outputs, GET). */
export function serializeGeneration(outcome: GenerationOutcome) {
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
export function serializeToolCalls(outcome: GenerationOutcome) {
  return outcome.toolCalls.map((call) => ({
    tool_call_id: call.toolCallId,
    tool_name: call.toolName,
    args: call.input,
    ...(call.threadId ? { approval: { thread_id: call.threadId } } : {}),
  }));
}
