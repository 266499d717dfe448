import { and, asc, desc, eq, type SQL } from "drizzle-orm";
import { z } from "zod";
import { tables, type Db, type GateThreadStatus } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { decide } from "./decisions";
import { imagesAsDataUrls } from "./images";
import { isOpen, riskLevel, summariseThread, threadInOrg } from "./threads";
import type { GateThreadResponse, GateThreadSummaryResponse } from "@/lib/contracts";

export const ReviewerDecisionRequest = z.object({
  action: z.enum(["approve", "reject", "escalate"]),
  message: z.string().trim().min(1).max(4000),
});

const threadStatuses = ["needs_review", "escalated", "approved", "rejected"] as const satisfies readonly GateThreadStatus[];

export const listThreadsQuery = z.object({ status: z.enum(threadStatuses).optional(), risk_level: riskLevel.optional() });

export async function listThreads(
  db: Db,
  orgId: string,
  filter: { status?: GateThreadStatus; riskLevel?: string },
): Promise<GateThreadSummaryResponse[]> {
  const conditions: SQL[] = [eq(tables.gateThreads.orgId, orgId)];
  if (filter.status) conditions.push(eq(tables.gateThreads.status, filter.status));
  if (filter.riskLevel) conditions.push(eq(tables.gateThreads.riskLevel, filter.riskLevel));
  const threads = await db
    .select()
    .from(tables.gateThreads)
    .where(and(...conditions))
    .orderBy(desc(tables.gateThreads.elevated), desc(tables.gateThreads.createdAt))
    .limit(200);
  return threads.map(summariseThread);
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
