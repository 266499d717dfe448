import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { tables, type Db, type GateThreadStatus } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { decide } from "./decisions";
import { decisionHistory, recordDecision } from "./history";
import { imagesAsDataUrls } from "./images";
import { OPEN_STATUSES, RISK_LEVELS, ReviewerDecisionRequest, riskLevel, THREAD_STATUSES } from "./schemas";
import { isOpen, summariseThread, threadInOrg } from "./threads";
import type { GateThreadResponse, GateThreadSummaryResponse } from "@/lib/contracts";

export const listThreadsQuery = z.object({ status: z.enum(THREAD_STATUSES).optional(), risk_level: riskLevel.optional() });

/** The order of the review inbox: elevated (escalated) first, then the riskiest, then the newest. */
const riskRank = sql`case ${tables.gateThreads.riskLevel} ${sql.raw(
  RISK_LEVELS.map((level, rank) => `when '${level}' then ${rank + 1}`).join(" "),
)} else 0 end`;

/**
 * Review threads in inbox order. `status` takes one status or several (the dashboard's inbox
 * shows both open ones); `page` slices the ordered list, which the id keeps stable among equals.
 */
export async function listThreads(
  db: Db,
  orgId: string,
  filter: { status?: GateThreadStatus | readonly GateThreadStatus[]; riskLevel?: string },
  page: { limit: number; offset: number } = { limit: 200, offset: 0 },
): Promise<GateThreadSummaryResponse[]> {
  const conditions: SQL[] = [eq(tables.gateThreads.orgId, orgId)];
  if (typeof filter.status === "string") conditions.push(eq(tables.gateThreads.status, filter.status));
  else if (filter.status) conditions.push(inArray(tables.gateThreads.status, [...filter.status]));
  if (filter.riskLevel) conditions.push(eq(tables.gateThreads.riskLevel, filter.riskLevel));
  const threads = await db
    .select()
    .from(tables.gateThreads)
    .where(and(...conditions))
    .orderBy(desc(tables.gateThreads.elevated), desc(riskRank), desc(tables.gateThreads.createdAt), desc(tables.gateThreads.id))
    .limit(page.limit)
    .offset(page.offset);
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
    decisions: await decisionHistory(db, thread.id),
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
    await db.transaction(async (tx) => {
      // Only while still open: a decision made meanwhile stays final.
      const [escalated] = await tx
        .update(tables.gateThreads)
        .set({ status: "escalated", elevated: true, decisionMessage: input.message, updatedAt: new Date() })
        .where(and(eq(tables.gateThreads.id, thread.id), inArray(tables.gateThreads.status, [...OPEN_STATUSES])))
        .returning();
      if (!escalated) throw new ApiError("BAD_REQUEST", `Thread ${thread.publicId} was decided meanwhile; its decision is final`);
      await recordDecision(tx, escalated, { status: "escalated", message: input.message, userId });
    });
  } else {
    await decide(db, agent!, thread, input.action === "approve" ? "approved" : "rejected", input.message, userId);
  }
  return openThread(db, orgId, publicId);
}
