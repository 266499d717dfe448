import { asc, eq } from "drizzle-orm";
import { tables, type Db, type GateThread, type GateThreadStatus } from "@/lib/db";
import type { GateThreadResponse } from "@/lib/contracts";

/** One step of a thread's decision history; `userId` null means the rules took it. */
export interface DecisionStep {
  status: GateThreadStatus;
  message: string;
  userId: string | null;
}

/** Records a step, in the transaction that made it, with the revision of the request it was about. */
export async function recordDecision(db: Db, thread: GateThread, step: DecisionStep): Promise<void> {
  await db.insert(tables.gateDecisions).values({
    orgId: thread.orgId,
    threadId: thread.id,
    status: step.status,
    message: step.message,
    decidedBy: step.userId ? "reviewer" : "rules",
    decidedByUserId: step.userId,
    revisionId: thread.revisionId,
  });
}

/** The thread's decisions, oldest first, with the reviewer's name where a reviewer took them. */
export async function decisionHistory(db: Db, threadId: string): Promise<GateThreadResponse["decisions"]> {
  const rows = await db
    .select({ step: tables.gateDecisions, reviewerName: tables.users.name, reviewerEmail: tables.users.email })
    .from(tables.gateDecisions)
    .leftJoin(tables.users, eq(tables.users.id, tables.gateDecisions.decidedByUserId))
    .where(eq(tables.gateDecisions.threadId, threadId))
    .orderBy(asc(tables.gateDecisions.createdAt), asc(tables.gateDecisions.id));
  return rows.map(({ step, reviewerName, reviewerEmail }) => ({
    status: step.status,
    message: step.message,
    decided_by: step.decidedBy,
    reviewer: reviewerName !== null && reviewerEmail !== null ? { name: reviewerName, email: reviewerEmail } : null,
    revision_id: step.revisionId,
    created_at: step.createdAt.toISOString(),
  }));
}
