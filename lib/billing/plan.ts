import { and, eq, sql } from "drizzle-orm";
import { getDb, rowsOf, tables, type Db, type Organisation } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { publishEventLater } from "@/lib/events";
import { flushCharges } from "./charges";
import { monthStart } from "./periods";

/** An organisation as its row has it: its monthly message cap and token ceiling. */
export type PlanOrg = Pick<Organisation, "id" | "monthlyMessageLimit" | "monthlyTokenLimit">;

const hasLimits = (org: PlanOrg) => org.monthlyMessageLimit !== null || org.monthlyTokenLimit !== null;

/** A refusal for a reached plan limit; the organisation hears of it as a `plan.limit_reached` event. */
function planRefusal(db: Db, org: PlanOrg, limit: "messages" | "tokens", allowed: number): ApiError {
  const message = `This organisation has used its ${allowed} ${limit} for this month`;
  publishEventLater(db, { orgId: org.id, type: "plan.limit_reached", data: { limit, allowed, message } });
  return new ApiError(limit === "messages" ? "MESSAGE_LIMIT_REACHED" : "TOKEN_LIMIT_REACHED", message);
}

function limitReached(db: Db, org: PlanOrg, usage: { messages: number; tokens: number } | undefined): ApiError | null {
  if (org.monthlyMessageLimit !== null && (usage?.messages ?? 0) >= org.monthlyMessageLimit) {
    return planRefusal(db, org, "messages", org.monthlyMessageLimit);
  }
  if (org.monthlyTokenLimit !== null && (usage?.tokens ?? 0) >= org.monthlyTokenLimit) {
    return planRefusal(db, org, "tokens", org.monthlyTokenLimit);
  }
  return null;
}

async function monthUsage(db: Db, orgId: string) {
  await flushCharges();
  const [usage] = await db
    .select({ messages: tables.orgUsage.messages, tokens: tables.orgUsage.tokens })
    .from(tables.orgUsage)
    .where(and(eq(tables.orgUsage.orgId, orgId), eq(tables.orgUsage.month, monthStart())));
  return usage;
}

/** One plan cap this month: what is used, and the limit (null: unlimited). */
export interface PlanCap {
  used: number;
  limit: number | null;
}

/** The organisation's plan caps for the current calendar month (UTC), with what is used of each. */
export async function planStanding(db: Db, org: PlanOrg): Promise<{ month: Date; messages: PlanCap; tokens: PlanCap }> {
  const usage = await monthUsage(db, org.id);
  return {
    month: monthStart(),
    messages: { used: usage?.messages ?? 0, limit: org.monthlyMessageLimit },
    tokens: { used: usage?.tokens ?? 0, limit: org.monthlyTokenLimit },
  };
}

/** Refuses work up front when the plan's monthly limits are already used (before queueing a task). */
export async function assertWithinPlan(org: PlanOrg): Promise<void> {
  if (!hasLimits(org)) return;
  const db = await getDb();
  const refusal = limitReached(db, org, await monthUsage(db, org.id));
  if (refusal) throw refusal;
}

/**
 * Counts a run's message against a limited plan when it starts, in one conditional statement,
 * so concurrent runs cannot all pass the last messages left. Returns whether it counted one
 * (an organisation without limits counts its messages when they are charged).
 */
export async function claimPlanMessage(org: PlanOrg): Promise<boolean> {
  if (!hasLimits(org)) return false;
  const db = await getDb();
  const empty = limitReached(db, org, undefined);
  if (empty) throw empty;
  const claimed = await rowsOf<{ messages: number }>(
    db,
    sql`insert into org_usage as usage (org_id, month, messages, tokens)
      values (${org.id}::uuid, ${monthStart().toISOString()}::timestamptz, 1, 0)
      on conflict (org_id, month) do update set messages = usage.messages + 1
        where (${org.monthlyMessageLimit}::integer is null or usage.messages < ${org.monthlyMessageLimit}::integer)
          and (${org.monthlyTokenLimit}::bigint is null or usage.tokens < ${org.monthlyTokenLimit}::bigint)
      returning messages`,
  );
  if (claimed.length > 0) return true;
  throw (
    limitReached(db, org, await monthUsage(db, org.id)) ??
    new ApiError("MESSAGE_LIMIT_REACHED", "This organisation's plan limit is reached")
  );
}

/** Gives back a message counted by a run that was refused before any model call. */
export async function returnPlanMessage(orgId: string): Promise<void> {
  const db = await getDb();
  await db
    .update(tables.orgUsage)
    .set({ messages: sql`greatest(${tables.orgUsage.messages} - 1, 0)` })
    .where(and(eq(tables.orgUsage.orgId, orgId), eq(tables.orgUsage.month, monthStart())));
}
