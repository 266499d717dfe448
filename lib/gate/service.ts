import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray, type SQL } from "drizzle-orm";
import { z } from "zod";
import { decryptSecret } from "@/lib/crypto";
import { tables, type Db, type GateAction, type GateAgent, type GateThread } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs";
import { REVIEW_RESUME_JOB } from "@/lib/jobs/kinds";
import type {
  GateDecisionResponse,
  GateDecisionWebhook,
  GateRequestResponse,
  GateThreadResponse,
  GateThreadSummaryResponse,
} from "@/lib/openapi/schemas";
import { queueWebhook } from "@/lib/webhooks";
import { evaluateRules } from "./rules";
import { approvalTokenFor, issueApprovalToken } from "./tokens";
import { findGateToolByName } from "./tools";

const MAX_IMAGES = 10;
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const DATA_URL = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=\s]+)$/;
/** Gate decision webhooks are retried up to 3 times after the first attempt. */
const DECISION_WEBHOOK_ATTEMPTS = 4;
const POLL_AFTER_SECONDS = 15;

const images = z.array(z.string()).max(MAX_IMAGES, `at most ${MAX_IMAGES} images`).optional();
const riskLevel = z.enum(["low", "medium", "high", "critical"]);

export const GateEventRequest = z.object({
  event_type: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "event_type must be dot-separated, e.g. task.started"),
  event_summary: z.string().trim().min(1).max(2000),
  payload: z.record(z.string(), z.unknown()).optional(),
  images,
});

const requestFields = {
  workflow_name: z.string().trim().min(1).max(200),
  task_label: z.string().trim().min(1).max(500),
  tool_name: z.string().trim().min(1).max(200),
  subject: z.string().trim().min(1).max(500),
  preview: z.string().max(2000).optional(),
  risk_level: riskLevel.optional(),
  summary: z.array(z.string().max(1000)).max(50).optional(),
};

export const GateDecisionRequest = z.object({ ...requestFields, payload: z.record(z.string(), z.unknown()).optional(), images });

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

/** Stores base64 data-URL images (size-capped) and returns their ids. */
async function storeImages(db: Db, orgId: string, dataUrls: string[] | undefined): Promise<string[] | null> {
  if (!dataUrls?.length) return null;
  const rows = dataUrls.map((url, i) => {
    const match = url.match(DATA_URL);
    if (!match) throw new ApiError("BAD_REQUEST", `images[${i}] must be a data:image/(png|jpeg|gif|webp);base64 URL`);
    const data = match[2]!.replace(/\s/g, "");
    const bytes = Buffer.from(data, "base64").length;
    if (bytes > MAX_IMAGE_BYTES) throw new ApiError("BAD_REQUEST", `images[${i}] exceeds ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
    return { orgId, mediaType: match[1]!, data, bytes };
  });
  const stored = await db.insert(tables.gateImages).values(rows).returning({ id: tables.gateImages.id });
  return stored.map((row) => row.id);
}

function newThreadId(): string {
  return `THR-${randomBytes(4).toString("hex").toUpperCase()}`;
}

async function threadOfAgent(db: Db, agent: GateAgent, publicId: string): Promise<GateThread> {
  const [thread] = await db
    .select()
    .from(tables.gateThreads)
    .where(
      and(
        eq(tables.gateThreads.orgId, agent.orgId),
        eq(tables.gateThreads.gateAgentId, agent.id),
        eq(tables.gateThreads.publicId, publicId),
      ),
    );
  if (!thread) throw notFound("Thread");
  return thread;
}

/** Still awaiting a reviewer; a guard on the status, so the other branch knows the thread was decided. */
const isOpen = (status: GateThread["status"]): status is "needs_review" | "escalated" =>
  status === "needs_review" || status === "escalated";

/** Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret. */
function standardWebhookHeaders(secret: string, body: string): Record<string, string> {
  const id = `msg_${randomUUID()}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": `v1,${signature}` };
}

/**
 * Final decisions (by a reviewer or by the rules on a revision): stored, a one-time approval token
 * issued where the agent wants them, and the agent's webhook queued, all in one transaction.
 */
async function decide(
  db: Db,
  agent: GateAgent,
  thread: GateThread,
  outcome: "approved" | "rejected",
  message: string,
  userId: string | null,
) {
  return db.transaction(async (tx) => {
    const [decided] = await tx
      .update(tables.gateThreads)
      .set({ status: outcome, decisionMessage: message, decidedAt: new Date(), decidedByUserId: userId, updatedAt: new Date() })
      .where(and(eq(tables.gateThreads.id, thread.id), inArray(tables.gateThreads.status, ["needs_review", "escalated"])))
      .returning();
    if (!decided) throw new ApiError("BAD_REQUEST", `Thread ${thread.publicId} is already ${thread.status}; its decision is final`);
    if (outcome === "approved" && agent.signedTokensEnabled) {
      await issueApprovalToken(tx, { orgId: agent.orgId, threadId: decided.id, threadPublicId: decided.publicId, taskId: decided.taskId });
    }
    if (agent.webhookUrl && agent.webhookSecretCiphertext) {
      const payload: GateDecisionWebhook = {
        thread_id: decided.publicId,
        task_id: decided.taskId,
        decision: outcome,
        message,
        tenant_id: agent.orgId,
        workflow_name: decided.workflowName,
        task_label: decided.taskLabel,
      };
      const body = JSON.stringify(payload);
      await queueWebhook(tx, {
        orgId: agent.orgId,
        subjectId: decided.id,
        url: agent.webhookUrl,
        body,
        headers: standardWebhookHeaders(decryptSecret(agent.webhookSecretCiphertext), body),
        maxAttempts: DECISION_WEBHOOK_ATTEMPTS,
      });
    }
    // A Conduit generation paused on this thread resumes from the queue.
    if (decided.generationId) {
      await enqueueJob(tx, { kind: REVIEW_RESUME_JOB, payload: { generationId: decided.generationId } });
    }
    return decided;
  });
}

function actionMessage(action: GateAction, matched: number): string {
  const by = matched > 0 ? "by rule" : "by the tool's default action";
  if (action === "allow") return `Allowed ${by}.`;
  if (action === "reject") return `Rejected ${by}.`;
  return action === "escalate" ? `Escalated for elevated review ${by}.` : `Sent for human review ${by}.`;
}

/** Evaluates a proposed action: allow or reject at once, or open a review thread. */
export async function requestDecision(
  db: Db,
  agent: GateAgent,
  taskId: string,
  input: z.output<typeof GateDecisionRequest>,
): Promise<GateRequestResponse> {
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

/**
 * Logs a task event. `revision.{taskID}.{threadID}` events revise a pending request: the
 * revision supersedes it and the rules decide again; a final decision cannot be revised.
 */
export async function logEvent(db: Db, agent: GateAgent, taskId: string, input: z.output<typeof GateEventRequest>): Promise<void> {
  let threadId: string | null = null;
  const revision = input.event_type.match(/^revision\.(.+)\.(THR-[A-Za-z0-9]+)$/);
  if (input.event_type.startsWith("revision.")) {
    if (!revision || revision[1] !== taskId)
      throw new ApiError("BAD_REQUEST", "Revision events must be named revision.{taskID}.{threadID}");
    const thread = await threadOfAgent(db, agent, revision[2]!);
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
      status: action === "escalate" ? "escalated" : "needs_review",
      elevated: thread.elevated || action === "escalate",
      updatedAt: new Date(),
    })
    .where(and(eq(tables.gateThreads.id, thread.id), inArray(tables.gateThreads.status, ["needs_review", "escalated"])))
    .returning();
  if (!revised) throw new ApiError("BAD_REQUEST", `Thread ${thread.publicId} was decided meanwhile; its decision is final`);
  if (action === "allow" || action === "reject") {
    await decide(
      db,
      agent,
      revised,
      action === "allow" ? "approved" : "rejected",
      `${actionMessage(action, matched.length)} (revision ${revision.revision_id})`,
      null,
    );
  }
}

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
  const token = thread.status === "approved" && agent.signedTokensEnabled ? await approvalTokenFor(db, thread.id) : null;
  return {
    ...base,
    status: thread.status,
    message: thread.decisionMessage ?? "",
    ...(token ? { approval_token: token.token, token_expires_at: token.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z") } : {}),
  };
}

// --- Reviewers -------------------------------------------------------------------------------

export const ReviewerDecisionRequest = z.object({
  action: z.enum(["approve", "reject", "escalate"]),
  message: z.string().trim().min(1).max(4000),
});

export async function listThreads(
  db: Db,
  orgId: string,
  filter: { status?: string; riskLevel?: string },
): Promise<GateThreadSummaryResponse[]> {
  const conditions: SQL[] = [eq(tables.gateThreads.orgId, orgId)];
  if (filter.status) conditions.push(eq(tables.gateThreads.status, filter.status as GateThread["status"]));
  if (filter.riskLevel) conditions.push(eq(tables.gateThreads.riskLevel, filter.riskLevel));
  const threads = await db
    .select()
    .from(tables.gateThreads)
    .where(and(...conditions))
    .orderBy(desc(tables.gateThreads.elevated), desc(tables.gateThreads.createdAt))
    .limit(200);
  return threads.map(summariseThread);
}

function summariseThread(thread: GateThread): GateThreadSummaryResponse {
  return {
    thread_id: thread.publicId,
    task_id: thread.taskId,
    status: thread.status,
    elevated: thread.elevated,
    workflow_name: thread.workflowName,
    task_label: thread.taskLabel,
    tool_name: thread.toolName,
    subject: thread.subject,
    preview: thread.preview,
    risk_level: thread.riskLevel,
    created_at: thread.createdAt.toISOString(),
    decided_at: thread.decidedAt?.toISOString() ?? null,
  };
}

async function imagesAsDataUrls(db: Db, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(tables.gateImages).where(inArray(tables.gateImages.id, ids));
  const byId = new Map(rows.map((row) => [row.id, `data:${row.mediaType};base64,${row.data}`]));
  return ids.map((id) => byId.get(id)).filter((url): url is string => url !== undefined);
}

async function threadInOrg(db: Db, orgId: string, publicId: string): Promise<GateThread> {
  const [thread] = await db
    .select()
    .from(tables.gateThreads)
    .where(and(eq(tables.gateThreads.orgId, orgId), eq(tables.gateThreads.publicId, publicId)));
  if (!thread) throw notFound("Thread");
  return thread;
}

/** A thread as a reviewer opens it: the request, its images, and the task's timeline. */
export async function openThread(db: Db, orgId: string, publicId: string): Promise<GateThreadResponse> {
  const thread = await threadInOrg(db, orgId, publicId);
  const events = await db
    .select()
    .from(tables.gateEvents)
    .where(
      and(
        eq(tables.gateEvents.orgId, orgId),
        eq(tables.gateEvents.gateAgentId, thread.gateAgentId),
        eq(tables.gateEvents.taskId, thread.taskId),
      ),
    )
    .orderBy(asc(tables.gateEvents.createdAt));
  return {
    ...summariseThread(thread),
    summary: thread.summary ?? [],
    payload: thread.payload,
    revision_id: thread.revisionId,
    decision_message: thread.decisionMessage,
    images: await imagesAsDataUrls(db, thread.imageIds ?? []),
    timeline: await Promise.all(
      events.map(async (event) => ({
        event_type: event.eventType,
        event_summary: event.eventSummary,
        payload: event.payload,
        images: await imagesAsDataUrls(db, event.imageIds ?? []),
        created_at: event.createdAt.toISOString(),
      })),
    ),
  };
}

/** A reviewer approves, rejects or escalates; approve and reject are final. */
export async function reviewThread(
  db: Db,
  orgId: string,
  userId: string,
  publicId: string,
  input: z.output<typeof ReviewerDecisionRequest>,
): Promise<GateThreadResponse> {
  const thread = await threadInOrg(db, orgId, publicId);
  const [agent] = await db.select().from(tables.gateAgents).where(eq(tables.gateAgents.id, thread.gateAgentId));
  if (!isOpen(thread.status))
    throw new ApiError("BAD_REQUEST", `Thread ${thread.publicId} is already ${thread.status}; its decision is final`);
  if (input.action === "escalate") {
    await db
      .update(tables.gateThreads)
      .set({ status: "escalated", elevated: true, decisionMessage: input.message, updatedAt: new Date() })
      .where(eq(tables.gateThreads.id, thread.id));
  } else {
    await decide(db, agent!, thread, input.action === "approve" ? "approved" : "rejected", input.message, userId);
  }
  return openThread(db, orgId, publicId);
}

// The names route handlers import today; new code uses the names above.
export { GateEventRequest as eventRequest, GateDecisionRequest as decisionRequest, ReviewerDecisionRequest as reviewerDecisionRequest };
