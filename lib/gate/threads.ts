import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { tables, type Db, type GateAgent, type GateThread } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { OPEN_STATUSES, riskLevel } from "./schemas";
import type { GateThreadSummaryResponse } from "@/lib/contracts";

/** What a review request shows reviewers; a revision may replace any of them. */
export const requestFields = {
  workflow_name: z.string().trim().min(1).max(200),
  task_label: z.string().trim().min(1).max(500),
  tool_name: z.string().trim().min(1).max(200),
  subject: z.string().trim().min(1).max(500),
  preview: z.string().max(2000).optional(),
  risk_level: riskLevel.optional(),
  summary: z.array(z.string().max(1000)).max(50).optional(),
};

const MAX_PAYLOAD_BYTES = 64 * 1024;

/** A request's or event's payload: any JSON object up to 64 KB, so that only images make a gate body large. */
export const payloadField = z
  .record(z.string(), z.unknown())
  .refine((payload) => Buffer.byteLength(JSON.stringify(payload)) <= MAX_PAYLOAD_BYTES, {
    error: `payload must be at most ${MAX_PAYLOAD_BYTES / 1024} KB as JSON`,
  });

/**
 * Task ids are the agent's own: any text up to 500 characters (an index holds them, and it
 * caps the size of one entry). Any character is fine, since revision events name the task
 * literally.
 */
const MAX_TASK_ID_LENGTH = 500;
const taskIdLengthMessage = `task ids are 1 to ${MAX_TASK_ID_LENGTH} characters`;

/** A task id in a body or query string. */
export const taskIdField = z.string().min(1, taskIdLengthMessage).max(MAX_TASK_ID_LENGTH, taskIdLengthMessage);

/** A task id in the path (`/api/agent/tasks/{taskID}/…`), held to the same rule as everywhere else. */
export function checkTaskId(taskId: string): void {
  if (!taskIdField.safeParse(taskId).success) throw new ApiError("BAD_REQUEST", `Invalid taskID: ${taskIdLengthMessage}`);
}

export function newThreadId(): string {
  return `THR-${randomBytes(4).toString("hex").toUpperCase()}`;
}

/** A thread of this gate agent: other agents' threads are not found. */
export async function threadOfAgent(db: Db, agent: GateAgent, publicId: string): Promise<GateThread> {
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

/** A thread of this organisation, as reviewers see them. */
export async function threadInOrg(db: Db, orgId: string, publicId: string): Promise<GateThread> {
  const [thread] = await db
    .select()
    .from(tables.gateThreads)
    .where(and(eq(tables.gateThreads.orgId, orgId), eq(tables.gateThreads.publicId, publicId)));
  if (!thread) throw notFound("Thread");
  return thread;
}

/** Still awaiting a reviewer; a guard on the status, so the other branch knows the thread was decided. */
export const isOpen = (status: GateThread["status"]): status is (typeof OPEN_STATUSES)[number] =>
  status === "needs_review" || status === "escalated";

export function summariseThread(thread: GateThread): GateThreadSummaryResponse {
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
