import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { getDb, rowsOf, tables, type ApiKey, type Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { publishEventLater } from "@/lib/events";
import { reservationLeaseMs, takeReservedAhead } from "./ahead";
import { flushCharges } from "./charges";
import { periodStart } from "./periods";

export const MICROCENTS_PER_CENT = 1_000_000;

/** A key as its row has it: lib/keys depends on billing (key details show spend), not the reverse. */
export type BudgetedKey = Pick<ApiKey, "id" | "orgId" | "publicId" | "budgetUsdCents" | "budgetPeriod">;

/**
 * The refusal of a key whose budget cannot pay for another call; only a budget that resets says
 * when. The organisation hears of it as a `key.budget_exceeded` event.
 */
export async function budgetExceeded(key: BudgetedKey): Promise<ApiError> {
  publishEventLater(await getDb(), {
    orgId: key.orgId,
    type: "key.budget_exceeded",
    data: { api_key_id: key.publicId, budget_usd_cents: key.budgetUsdCents ?? 0, budget_period: key.budgetPeriod ?? "total" },
  });
  const period = key.budgetPeriod === "total" || !key.budgetPeriod ? "in total" : key.budgetPeriod === "daily" ? "today" : "this month";
  const resets =
    key.budgetPeriod === "daily" ? " It resets at midnight UTC." : key.budgetPeriod === "monthly" ? " It resets on the 1st (UTC)." : "";
  const wait =
    key.budgetPeriod === "daily" || key.budgetPeriod === "monthly" ? " Raise the budget or wait for the reset." : " Raise the budget.";
  return new ApiError(
    "BUDGET_EXCEEDED",
    `This API key has used up its budget of $${((key.budgetUsdCents ?? 0) / 100).toFixed(2)} ${period}: too little is left to pay for another model call.${resets}${wait}`,
  );
}

/** Budget held for one model call, from its reservation until its charge. */
export interface Reservation {
  id: string;
  periodStart: Date;
  amountMicrocents: number;
}

/**
 * Reserves `amount` for a call in one statement: the key's counter grows only while spent plus
 * reserved stays within the limit (the upsert re-checks the latest row under its lock, so
 * concurrent calls cannot all pass), and a lease row records the hold so it can lapse.
 */
async function tryReserve(db: Db, keyId: string, start: Date, amount: number, limit: number): Promise<Reservation | null> {
  const id = randomUUID();
  const rows = await rowsOf<{ id: string }>(
    db,
    sql`
    with reserved as (
      insert into key_spend as spend (api_key_id, period_start, reserved_microcents)
      values (${keyId}::uuid, ${start.toISOString()}::timestamptz, ${amount})
      on conflict (api_key_id, period_start) do update
        set reserved_microcents = spend.reserved_microcents + ${amount}
        where spend.spent_microcents + spend.reserved_microcents + ${amount} <= ${limit}
      returning api_key_id
    )
    insert into budget_reservations (id, api_key_id, period_start, amount_microcents, expires_at)
    select ${id}::uuid, api_key_id, ${start.toISOString()}::timestamptz, ${amount}, now() + ${reservationLeaseMs()} * interval '1 millisecond'
    from reserved
    returning id`,
  );
  return rows.length > 0 ? { id, periodStart: start, amountMicrocents: amount } : null;
}

/** Gives back the reservations of a key whose holders are gone (their lease ran out). */
async function reclaimLapsed(db: Db, keyId: string): Promise<void> {
  await db.execute(sql`
    with lapsed as (
      delete from budget_reservations where api_key_id = ${keyId}::uuid and expires_at < now()
      returning period_start, amount_microcents
    ), totals as (select period_start, sum(amount_microcents) as amount from lapsed group by period_start)
    update key_spend set reserved_microcents = greatest(key_spend.reserved_microcents - totals.amount, 0)
    from totals where key_spend.api_key_id = ${keyId}::uuid and key_spend.period_start = totals.period_start`);
}

async function leftToReserve(db: Db, keyId: string, start: Date, limit: number): Promise<number> {
  const [row] = await db
    .select({ spent: tables.keySpend.spentMicrocents, reserved: tables.keySpend.reservedMicrocents })
    .from(tables.keySpend)
    .where(and(eq(tables.keySpend.apiKeyId, keyId), eq(tables.keySpend.periodStart, start)));
  return limit - (row?.spent ?? 0) - (row?.reserved ?? 0);
}

/**
 * Whether a key can pay for a call costing `minimal` by the rule every reservation follows (what
 * is left, after taking back lapsed reservations when short, covers it): checked up front by
 * doors that accept work to run later, so they refuse what the run would refuse.
 */
export async function budgetCovers(db: Db, key: BudgetedKey, minimal: number): Promise<boolean> {
  if (key.budgetUsdCents === null) return true;
  const limit = key.budgetUsdCents * MICROCENTS_PER_CENT;
  const start = periodStart(key.budgetPeriod);
  if ((await leftToReserve(db, key.id, start, limit)) >= minimal) return true;
  await reclaimLapsed(db, key.id);
  return (await leftToReserve(db, key.id, start, limit)) >= minimal;
}

/**
 * Reserves up to `wanted` for one model call on a key with a budget, but never less than
 * `minimal` (the cost of the shortest useful call): null when even that is not left. A key far
 * from its limit usually has one reserved ahead (lib/billing/ahead.ts); a key running short
 * first takes back lapsed reservations, then gets what is left.
 */
export async function reserveBudget(db: Db, key: BudgetedKey, wanted: number, minimal: number): Promise<Reservation | null> {
  if (key.budgetUsdCents === null) throw new Error("reserveBudget needs a key with a budget");
  const limit = key.budgetUsdCents * MICROCENTS_PER_CENT;
  const start = periodStart(key.budgetPeriod);
  let amount = Math.min(wanted, limit);
  const ahead = amount >= minimal ? takeReservedAhead(db, key, limit, start, amount) : null;
  if (ahead) return ahead;
  for (let attempt = 0; attempt < 3 && amount >= minimal; attempt++) {
    const reservation = await tryReserve(db, key.id, start, amount, limit);
    if (reservation) return reservation;
    if (attempt === 0) await reclaimLapsed(db, key.id);
    amount = Math.min(wanted, await leftToReserve(db, key.id, start, limit));
  }
  return null;
}

export async function keySpendFor(key: Pick<BudgetedKey, "id" | "budgetPeriod">) {
  await flushCharges();
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
