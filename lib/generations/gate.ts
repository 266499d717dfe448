import { and, eq, inArray } from "drizzle-orm";
import { getDb, tables, type Agent, type Generation } from "@/lib/db";
import { requestDecision } from "@/lib/gate";
import { createGateTool, findGateToolByName } from "@/lib/gate/tools";
import { enqueueJob } from "@/lib/jobs";
import type { PendingToolCall } from "./types";

/** What the approval gate said about one gated tool call. */
export type GateVerdict = { action: "run" } | { action: "refuse"; reason: string } | { action: "review"; threadId: string };

/**
 * A gated tool call goes to the approval gate of the gate agent linked to this agent, as a
 * request of the task named after the generation: allow runs it, reject refuses it, a review
 * pauses the run. A tool the gate does not know yet is registered for review.
 */
export async function askGate(agent: Agent, generation: Generation, toolName: string, input: unknown): Promise<GateVerdict> {
  const db = await getDb();
  const [gateAgent] = await db
    .select()
    .from(tables.gateAgents)
    .where(and(eq(tables.gateAgents.orgId, agent.orgId), eq(tables.gateAgents.agentId, agent.id), eq(tables.gateAgents.status, "active")))
    .limit(1);
  if (!gateAgent) return { action: "refuse", reason: `${toolName} needs approval, but no gate agent is linked to this agent` };
  if (!(await findGateToolByName(db, agent.orgId, toolName))) {
    await createGateTool(db, agent.orgId, { name: toolName, default_action: "review" }).catch(() => undefined);
  }
  const decision = await requestDecision(db, gateAgent, generation.publicId, {
    workflow_name: agent.name ?? agent.publicId,
    task_label: `${toolName} in ${generation.publicId}`,
    tool_name: toolName,
    subject: `${agent.name ?? agent.publicId} wants to call ${toolName}`,
    payload: (input ?? {}) as Record<string, unknown>,
  });
  if (decision.status === "allow") return { action: "run" };
  if (decision.status === "reject") return { action: "refuse", reason: `The approval gate refused this call: ${decision.message}` };
  return { action: "review", threadId: decision.thread_id! };
}

/**
 * Connects the review threads of a paused run to its generation, so a reviewer's decision
 * resumes it; a decision that came first is picked up here.
 */
export async function linkReviewThreads(generation: Generation, pending: PendingToolCall[]): Promise<void> {
  const threadIds = pending.flatMap((call) => (call.threadId ? [call.threadId] : []));
  if (threadIds.length === 0) return;
  const db = await getDb();
  const linked = await db
    .update(tables.gateThreads)
    .set({ generationId: generation.id })
    .where(and(eq(tables.gateThreads.orgId, generation.orgId), inArray(tables.gateThreads.publicId, threadIds)))
    .returning({ status: tables.gateThreads.status });
  if (linked.some((thread) => thread.status === "approved" || thread.status === "rejected")) {
    await enqueueJob(db, { kind: "generation.resume-after-review", payload: { generationId: generation.id } });
  }
}
