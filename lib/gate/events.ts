import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { tables, type Db, type GateAgent, type GateThread, type GateThreadStatus } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { actionMessage, decide } from "./decisions";
import { recordDecision } from "./history";
import { imagesField, storeImages } from "./images";
import { evaluateRules } from "./rules";
import { checkTaskId, isOpen, payloadField, requestFields, threadOfAgent } from "./threads";
import { findGateToolByName } from "./tools";

const REVISION_PREFIX = "revision.";

/**
 * Dot-separated words, or a revision event: `revision.{taskID}.{threadID}` names the task as it
 * is, whatever characters its id has (`:`, `#`, spaces), so every task that can open a thread can
 * revise it.
 */
export const GateEventRequest = z.object({
  event_type: z
    .string()
    .regex(
      /^(?:revision\.[\s\S]+|[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)$/,
      "event_type must be dot-separated, e.g. task.started, or revision.{taskID}.{threadID}",
    ),
  event_summary: z.string().trim().min(1).max(2000),
  payload: payloadField.optional(),
  images: imagesField,
});

const revisionPayload = z.object({
  revision: z.object({
    revision_id: z.string().min(1).max(200),
    workflow_name: requestFields.workflow_name.optional(),
    task_label: requestFields.task_label.optional(),
    tool_name: requestFields.tool_name.optional(),
    subject: requestFields.subject.optional(),
    preview: requestFields.preview,
    risk_level: requestFields.risk_level,
    summary: requestFields.summary,
    request_payload: z.record(z.string(), z.unknown()).optional(),
  }),
});

/**
 * Logs a task event. `revision.{taskID}.{threadID}` events revise a pending request: the
 * revision supersedes it and the rules decide again, except that an escalated thread stays
 * escalated; a final decision cannot be revised.
 * One transaction: an event refused late (its images over a cap) leaves no revision behind.
 */
export function logEvent(db: Db, agent: GateAgent, taskId: string, input: z.output<typeof GateEventRequest>): Promise<void> {
  return db.transaction((tx) => logEventIn(tx, agent, taskId, input));
}

async function logEventIn(db: Db, agent: GateAgent, taskId: string, input: z.output<typeof GateEventRequest>): Promise<void> {
  checkTaskId(taskId);
  let threadId: string | null = null;
  if (input.event_type.startsWith(REVISION_PREFIX)) {
    const named = `${REVISION_PREFIX}${taskId}.`;
    const threadPublicId = input.event_type.startsWith(named) ? input.event_type.slice(named.length) : "";
    if (!/^THR-[A-Za-z0-9]+$/.test(threadPublicId))
      throw new ApiError("BAD_REQUEST", `Revision events must be named revision.{taskID}.{threadID}, here ${named}THR-…`);
    const thread = await threadOfAgent(db, agent, threadPublicId);
    if (thread.taskId !== taskId) throw notFound("Thread");
    if (!isOpen(thread.status))
      throw new ApiError("BAD_REQUEST", `Thread ${thread.publicId} is already ${thread.status}; its decision is final`);
    const parsed = revisionPayload.safeParse(input.payload);
    if (!parsed.success) throw new ApiError("BAD_REQUEST", "Revision events need payload.revision with a revision_id");
    await reviseThread(db, agent, thread, parsed.data.revision);
    threadId = thread.id;
  }
  await db.insert(tables.gateEvents).values({
    orgId: agent.orgId,
    gateAgentId: agent.id,
    taskId,
    threadId,
    eventType: input.event_type,
    eventSummary: input.event_summary,
    payload: input.payload ?? null,
    imageIds: await storeImages(db, agent.orgId, input.images),
  });
}

async function reviseThread(db: Db, agent: GateAgent, thread: GateThread, revision: z.output<typeof revisionPayload>["revision"]) {
  const toolName = revision.tool_name ?? thread.toolName;
  const registered = await findGateToolByName(db, agent.orgId, toolName);
  if (!registered) throw new ApiError("BAD_REQUEST", `Unknown tool_name: ${toolName}`);
  const payload = revision.request_payload ?? thread.payload;
  const { action, matched } = evaluateRules(registered.rules, registered.tool.defaultAction, payload);
  const [revised] = await db
    .update(tables.gateThreads)
    .set({
      workflowName: revision.workflow_name ?? thread.workflowName,
      taskLabel: revision.task_label ?? thread.taskLabel,
      toolName,
      subject: revision.subject ?? thread.subject,
      preview: revision.preview ?? thread.preview,
      riskLevel: revision.risk_level ?? thread.riskLevel,
      summary: revision.summary ?? thread.summary,
      payload,
      revisionId: revision.revision_id,
      // Escalation is a floor the agent cannot lower: an escalated thread (by a rule or a
      // reviewer) stays escalated, whatever the revision. Read from the row as it is now, so a
      // reviewer's escalation a moment ago counts too.
      status:
        action === "escalate"
          ? "escalated"
          : sql<GateThreadStatus>`case when ${tables.gateThreads.status} = 'escalated' then 'escalated' else 'needs_review' end`,
      ...(action === "escalate" ? { elevated: true } : {}),
      updatedAt: new Date(),
    })
    .where(and(eq(tables.gateThreads.id, thread.id), inArray(tables.gateThreads.status, ["needs_review", "escalated"])))
    .returning();
  if (!revised) throw new ApiError("BAD_REQUEST", `Thread ${thread.publicId} was decided meanwhile; its decision is final`);
  // An escalated thread waits for its elevated review: the rules' allow does not approve it, only
  // their reject (the strongest action) still decides it.
  const message = `${actionMessage(action, matched.length)} (revision ${revision.revision_id})`;
  if (action === "reject" || (action === "allow" && revised.status !== "escalated")) {
    await decide(db, agent, revised, action === "allow" ? "approved" : "rejected", message, null);
  } else {
    await recordDecision(db, revised, { status: revised.status, message, userId: null });
  }
}
