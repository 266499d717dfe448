import { and, eq, sql, type SQLWrapper } from "drizzle-orm";
import { getDb, oneStatement, tables, type ApiKey, type Db, type Organisation } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { now } from "@/lib/runtime/clock";
import { costMicrocents, estimateMicrocents } from "./prices";

export { costMicrocents, estimateMicrocents, priceOf } from "./prices";

const MICROCENTS_PER_CENT = 1_000_000;
export type BudgetPeriod = "daily" | "monthly" | "total";

/** Start of the budget period containing `at` (UTC): midnight, the 1st of the month, or forever. */
export function periodStart(period: BudgetPeriod | null, at: Date = now()): Date {
  if (period === "daily") return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (period === "monthly") return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  return new Date(0);
}

function monthStart(at: Date = now()): Date {
  return periodStart("monthly", at);
}

// Keys and organisations as their rows have them: lib/keys depends on billing (key details show spend), not the reverse.
type BudgetedKey = Pick<ApiKey, "id" | "budgetUsdCents" | "budgetPeriod">;
type PlanOrg = Pick<Organisation, "id" | "monthlyMessageLimit" | "monthlyTokenLimit">;
/** A key with its organisation's plan, as an authenticated request has it. */
type MeteredKey = BudgetedKey & { orgId: string; org: PlanOrg };

function budgetExceeded(key: BudgetedKey): ApiError {
  const period = key.budgetPeriod === "total" || !key.budgetPeriod ? "in total" : key.budgetPeriod === "daily" ? "today" : "this month";
  const resets =
    key.budgetPeriod === "daily" ? " It resets at midnight UTC." : key.budgetPeriod === "monthly" ? " It resets on the 1st (UTC)." : "";
  return new ApiError(
    "BUDGET_EXCEEDED",
    `This API key has spent its budget of $${((key.budgetUsdCents ?? 0) / 100).toFixed(2)} ${period}.${resets} Raise the budget or wait for the reset.`,
  );
}

export interface Reservation {
  /** The write that charges what the call actually cost and releases the reservation (once). */
  charge(model: string, usage: { inputTokens: number; outputTokens: number }): SQLWrapper | null;
  /** Gives the reservation back (the call did not happen). */
  release(): Promise<void>;
}

/**
 * Reserves an estimate of a call's cost before it runs, in one conditional statement, so
 * concurrent calls cannot all pass a nearly spent budget: at most one reservation overspends.
 * Keys without a budget reserve nothing but are still charged.
 */
export async function reserveBudget(key: BudgetedKey, estimateMicrocents: number): Promise<Reservation> {
  const db = await getDb();
  const start = periodStart(key.budgetPeriod);
  const reserved = key.budgetUsdCents === null ? 0 : estimateMicrocents;
  if (key.budgetUsdCents !== null) {
    const limit = key.budgetUsdCents * MICROCENTS_PER_CENT;
    if (reserved > limit) throw budgetExceeded(key);
    const rows = await db
      .insert(tables.keySpend)
      .values({ apiKeyId: key.id, periodStart: start, reservedMicrocents: reserved })
      .onConflictDoUpdate({
        target: [tables.keySpend.apiKeyId, tables.keySpend.periodStart],
        set: { reservedMicrocents: sql`${tables.keySpend.reservedMicrocents} + ${reserved}` },
        setWhere: sql`${tables.keySpend.spentMicrocents} + ${tables.keySpend.reservedMicrocents} + ${reserved} <= ${limit}`,
      })
      .returning({ apiKeyId: tables.keySpend.apiKeyId });
    if (rows.length === 0) throw budgetExceeded(key);
  }
  let done = false;
  const finish = (spent: number, usage: { inputTokens: number; outputTokens: number } | null) => {
    if (done) return null;
    done = true;
    return db
      .insert(tables.keySpend)
      .values({
        apiKeyId: key.id,
        periodStart: start,
        spentMicrocents: spent,
        requests: usage ? 1 : 0,
        inputTokens: usage?.inputTokens ?? 0,
        outputTokens: usage?.outputTokens ?? 0,
      })
      .onConflictDoUpdate({
        target: [tables.keySpend.apiKeyId, tables.keySpend.periodStart],
        set: {
          spentMicrocents: sql`${tables.keySpend.spentMicrocents} + ${spent}`,
          reservedMicrocents: sql`greatest(${tables.keySpend.reservedMicrocents} - ${reserved}, 0)`,
          requests: sql`${tables.keySpend.requests} + ${usage ? 1 : 0}`,
          inputTokens: sql`${tables.keySpend.inputTokens} + ${usage?.inputTokens ?? 0}`,
          outputTokens: sql`${tables.keySpend.outputTokens} + ${usage?.outputTokens ?? 0}`,
        },
      });
  };
  return {
    charge: (model, usage) => finish(costMicrocents(model, usage), usage),
    release: async () => {
      await finish(0, null);
    },
  };
}

/** Refuses work up front when the key's budget is already spent (used before queueing tasks). */
export async function assertBudgetLeft(key: BudgetedKey): Promise<void> {
  if (key.budgetUsdCents === null) return;
  const usage = await keySpendFor(key);
  if (usage.spentMicrocents + usage.reservedMicrocents >= key.budgetUsdCents * MICROCENTS_PER_CENT) throw budgetExceeded(key);
}

export async function keySpendFor(key: Pick<BudgetedKey, "id" | "budgetPeriod">) {
  const db = await getDb();
  const start = periodStart(key.budgetPeriod);
  const [row] = await db
    .select()
    .from(tables.keySpend)
    .where(and(eq(tables.keySpend.apiKeyId, key.id), eq(tables.keySpend.periodStart, start)));
  return {
    periodStart: start,
    spentMicrocents: row?.spentMicrocents ?? 0,
    reservedMicrocents: row?.reservedMicrocents ?? 0,
    requests: row?.requests ?? 0,
    inputTokens: row?.inputTokens ?? 0,
    outputTokens: row?.outputTokens ?? 0,
  };
}

/** Plan limits: the organisation's monthly message cap and token ceiling. */
export async function assertWithinPlan(org: PlanOrg): Promise<void> {
  if (org.monthlyMessageLimit === null && org.monthlyTokenLimit === null) return;
  const db = await getDb();
  const [usage] = await db
    .select()
    .from(tables.orgUsage)
    .where(and(eq(tables.orgUsage.orgId, org.id), eq(tables.orgUsage.month, monthStart())));
  if (org.monthlyMessageLimit !== null && (usage?.messages ?? 0) >= org.monthlyMessageLimit) {
    throw new ApiError("MESSAGE_LIMIT_REACHED", `This organisation has used its ${org.monthlyMessageLimit} messages for this month`);
  }
  if (org.monthlyTokenLimit !== null && (usage?.tokens ?? 0) >= org.monthlyTokenLimit) {
    throw new ApiError("TOKEN_LIMIT_REACHED", `This organisation has used its ${org.monthlyTokenLimit} tokens for this month`);
  }
}

/** Counts a message and its tokens against the organisation's plan for this month. */
function orgUsageWrite(db: Db, orgId: string, tokens: number) {
  return db
    .insert(tables.orgUsage)
    .values({ orgId, month: monthStart(), messages: 1, tokens })
    .onConflictDoUpdate({
      target: [tables.orgUsage.orgId, tables.orgUsage.month],
      set: { messages: sql`${tables.orgUsage.messages} + 1`, tokens: sql`${tables.orgUsage.tokens} + ${tokens}` },
    });
}

export function microcentsToCents(value: number): number {
  return Math.round(value / 10_000) / 100;
}

export interface Meter {
  /** Charges the key and counts the message against the plan; runs off the request path. */
  settle(usage: { inputTokens: number; outputTokens: number }): void;
  release(): void;
}

function logFailure(what: string) {
  return (error: unknown) => console.error(`[conduit] could not ${what}:`, error);
}

/**
 * Everything that guards money before a model call: the plan's monthly limits, then an atomic
 * budget reservation for this key. Settling afterwards charges the real cost.
 */
export async function startMetering(key: MeteredKey, model: string, promptChars: number): Promise<Meter> {
  await assertWithinPlan(key.org);
  const reservation = await reserveBudget(key, estimateMicrocents(model, promptChars));
  return {
    // The key's charge and the plan's count in one statement: both or neither.
    settle: (usage) => {
      const charge = reservation.charge(model, usage);
      if (!charge) return;
      void getDb()
        .then((db) => db.execute(oneStatement([charge, orgUsageWrite(db, key.orgId, usage.inputTokens + usage.outputTokens)])))
        .catch(logFailure("charge a key and record plan usage"));
    },
    release: () => void reservation.release().catch(logFailure("release a budget reservation")),
  };
}
