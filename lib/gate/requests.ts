import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { tables, type Db, type GateAgent, type GateThread } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { actionMessage } from "./decisions";
import { recordDecision } from "./history";
import { imagesField, storeImages } from "./images";
import { evaluateRules } from "./rules";
import { checkTaskId, isOpen, newThreadId, payloadField, requestFields, taskIdField, threadOfAgent } from "./threads";
import { approvalTokenFor } from "./tokens";
import { findGateToolByName } from "./tools";
import type { GateDecisionResponse, GateRequestResponse } from "@/lib/contracts";
import { publishEvent } from "@/lib/events";

const POLL_AFTER_SECONDS = 15;

export const GateDecisionRequest = z.object({
  ...requestFields,
  payload: payloadField.optional(),
  images: imagesField,
});

/** Evaluates a proposed action: allow or reject at once, or open a review thread. */
export async function requestDecision(
  db: Db,
  agent: GateAgent,
  taskId: string,
  input: z.output<typeof GateDecisionRequest>,
): Promise<GateRequestResponse> {
  checkTaskId(taskId);
  const registered = await findGateToolByName(db, agent.orgId, input.tool_name);
  if (!registered) throw new ApiError("BAD_REQUEST", `Unknown tool_name: ${input.tool_name}; register the tool first`);
  const { action, matched } = evaluateRules(registered.rules, registered.tool.defaultAction, input.payload);
  const message = actionMessage(action, matched.length);
  return db.transaction(async (tx) => {
    if (action === "allow" || action === "reject") {
      await tx
        .insert(tables.gateRequests)
        .values({ orgId: agent.orgId, gateAgentId: agent.id, taskId, toolName: input.tool_name, status: action, message });
      return { status: action, task_id: taskId, message, recommended_poll_after_seconds: 0 };
    }
    const [thread] = await tx
      .insert(tables.gateThreads)
      .values({
        publicId: newThreadId(),
        orgId: agent.orgId,
        gateAgentId: agent.id,
        taskId,
        workflowName: input.workflow_name,
        taskLabel: input.task_label,
        toolName: input.tool_name,
        subject: input.subject,
        preview: input.preview ?? null,
        riskLevel: input.risk_level ?? null,
        summary: input.summary ?? null,
        payload: input.payload ?? null,
        imageIds: await storeImages(tx, agent.orgId, input.images),
        status: action === "escalate" ? "escalated" : "needs_review",
        elevated: action === "escalate",
      })
      .returning();
    await recordDecision(tx, thread!, { status: thread!.status, message, userId: null });
    await publishEvent(tx, {
      orgId: agent.orgId,
      type: "approval.requested",
      data: {
        thread_id: thread!.publicId,
        gate_agent_id: agent.id,
        task_id: taskId,
        workflow_name: thread!.workflowName,
        task_label: thread!.taskLabel,
        status: action === "escalate" ? "escalated" : "needs_review",
      },
    });
    await tx.insert(tables.gateRequests).values({
      orgId: agent.orgId,
      gateAgentId: agent.id,
      taskId,
      threadId: thread!.id,
      toolName: input.tool_name,
      status: "pending_review",
      message,
    });
    return {
      status: "pending_review",
      thread_id: thread!.publicId,
      task_id: taskId,
      message,
      recommended_poll_after_seconds: POLL_AFTER_SECONDS,
    };
  });
}

/** Polls name a thread (preferred) or a task; that one of them is present is checked by pollDecision. */
export const pollDecisionQuery = z.object({ thread_id: z.string().min(1).optional(), task_id: taskIdField.optional() });

/** What an agent sees when it polls: the decision, or that the review is still pending. */
export async function pollDecision(db: Db, agent: GateAgent, query: { threadId?: string; taskId?: string }): Promise<GateDecisionResponse> {
  let thread: GateThread | null = null;
  if (query.threadId) {
    thread = await threadOfAgent(db, agent, query.threadId);
  } else if (query.taskId) {
    const [latest] = await db
      .select()
      .from(tables.gateRequests)
      .where(
        and(
          eq(tables.gateRequests.orgId, agent.orgId),
          eq(tables.gateRequests.gateAgentId, agent.id),
          eq(tables.gateRequests.taskId, query.taskId),
        ),
      )
      .orderBy(desc(tables.gateRequests.createdAt))
      .limit(1);
    if (!latest) throw notFound("Task");
    if (!latest.threadId) return { status: latest.status, task_id: latest.taskId, message: latest.message };
    const [found] = await db.select().from(tables.gateThreads).where(eq(tables.gateThreads.id, latest.threadId));
    thread = found ?? null;
  } else {
    throw new ApiError("BAD_REQUEST", "Pass thread_id or task_id");
  }
  if (!thread) throw notFound("Thread");
  const base = { thread_id: thread.publicId, task_id: thread.taskId };
  if (isOpen(thread.status)) {
    return {
      ...base,
      status: "pending_review",
      review_status: thread.status,
      message: thread.status === "escalated" ? "Escalated; awaiting an elevated review." : "Awaiting a reviewer's decision.",
      recommended_poll_after_seconds: POLL_AFTER_SECONDS,
    };
  }
  // A used or expired token is left out: it could only fail, and the agent should ask afresh.
  const token =
    thread.status === "approved" && agent.signedTokensEnabled ? await approvalTokenFor(db, thread.id, { usableOnly: true }) : null;
  return {
    ...base,
    status: thread.status,
    message: thread.decisionMessage ?? "",
    ...(token ? { approval_token: token.token, token_expires_at: token.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z") } : {}),
  };
}
