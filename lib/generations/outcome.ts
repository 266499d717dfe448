import type { Generation } from "@/lib/db";
import type { GenerationOutcome } from "./types";

/** A stored generation as an outcome; `finishReason` is the model's when a run just ended. */
export function outcomeOf(generation: Generation, finishReason?: string): GenerationOutcome {
  return {
    rowId: generation.id,
    id: generation.publicId,
    door: generation.door,
    status: generation.status,
    text: generation.text,
    toolCalls: generation.pendingToolCalls ?? [],
    traceId: generation.traceId,
    model: generation.model,
    finishReason: finishReason ?? (generation.status === "requires_action" ? "tool-calls" : "stop"),
    usage: { inputTokens: generation.inputTokens, outputTokens: generation.outputTokens },
  };
}
