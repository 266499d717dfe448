import { agentPublicId } from "@/lib/agents";
import type { Db, Generation } from "@/lib/db";
import { publishEvent } from "@/lib/events";

/**
 * `generation.completed` or `generation.failed` for a run that ended; nothing for one that paused
 * or is still running. Pass the transaction that stores the ending, so the event goes with it.
 */
export async function publishRunEnded(db: Db, generation: Generation): Promise<void> {
  if (generation.status !== "completed" && generation.status !== "failed") return;
  const common = {
    generation_id: generation.publicId,
    agent_id: await agentPublicId(db, generation.orgId, generation.agentId),
    conversation_id: generation.conversationId,
    door: generation.door,
    model: generation.model,
    usage: { input_tokens: generation.inputTokens, output_tokens: generation.outputTokens },
  };
  await (generation.status === "completed"
    ? publishEvent(db, { orgId: generation.orgId, type: "generation.completed", data: { ...common, text: generation.text } })
    : publishEvent(db, { orgId: generation.orgId, type: "generation.failed", data: { ...common, error: generation.error ?? "" } }));
}
