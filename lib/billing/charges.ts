import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db";
import { BatchWriter } from "@/lib/runtime/batch-writer";
import { processSingleton } from "@/lib/runtime/singleton";
import type { BudgetedKey, Reservation } from "./budget";
import { monthStart, periodStart } from "./periods";

/** What one model call used: charged to its key (if any) and counted against its organisation's plan. */
export interface CallCharge {
  orgId: string;
  key: {
    id: string;
    /** The budget period the call falls in (its reservation's, when it had one). */
    periodStart: Date;
    /** Released by the charge: what it held is given back, the cost taken instead. */
    reservation: Reservation | null;
    costMicrocents: number;
  } | null;
  inputTokens: number;
  outputTokens: number;
  /** The first call of its run counts the key's request. */
  countsRequest: boolean;
  /** The run's message, unless a limited plan counted it when the run started. */
  planMessages: number;
}

/**
 * A key's part of a call's charge: the call's cost, but never more than was reserved — the budget
 * is a promise, and the call was capped to fit it — in the period of its reservation, if it had one.
 */
export function keyCharge(key: BudgetedKey | null, held: Reservation | null, costMicrocents: number): CallCharge["key"] {
  if (!key) return null;
  return {
    id: key.id,
    periodStart: held?.periodStart ?? periodStart(key.budgetPeriod),
    reservation: held,
    costMicrocents: held ? Math.min(costMicrocents, held.amountMicrocents) : costMicrocents,
  };
}

interface QueuedCharge extends CallCharge {
  /** The plan month the call counts in: the one it was made in. */
  month: string;
}

interface KeyTotals {
  api_key_id: string;
  period_start: string;
  spent_microcents: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
}

interface PlanTotals {
  org_id: string;
  month: string;
  messages: number;
  tokens: number;
}

/** Adds to the totals kept under `name`, starting them with `start` when new. */
function addTo<T extends object>(totals: Map<string, T>, name: string, start: T, add: (sum: T) => void): void {
  const sum = totals.get(name) ?? start;
  totals.set(name, sum);
  add(sum);
}

/**
 * A batch of charges as one statement: a key's row (or an organisation's month) is written once
 * with the batch's totals, since one statement cannot update a row twice. Reservations are
 * deleted and what each still held is subtracted; one that already lapsed was given back.
 */
async function write(batch: QueuedCharge[]): Promise<void> {
  const keys = new Map<string, KeyTotals>();
  const plans = new Map<string, PlanTotals>();
  const released: string[] = [];
  for (const charge of batch) {
    const { month } = charge;
    addTo(plans, `${charge.orgId} ${month}`, { org_id: charge.orgId, month, messages: 0, tokens: 0 }, (sum) => {
      sum.messages += charge.planMessages;
      sum.tokens += charge.inputTokens + charge.outputTokens;
    });
    const key = charge.key;
    if (!key) continue;
    if (key.reservation) released.push(key.reservation.id);
    const period = key.periodStart.toISOString();
    const start = { api_key_id: key.id, period_start: period, spent_microcents: 0, requests: 0, input_tokens: 0, output_tokens: 0 };
    addTo(keys, `${key.id} ${period}`, start, (sum) => {
      sum.spent_microcents += key.costMicrocents;
      sum.requests += charge.countsRequest ? 1 : 0;
      sum.input_tokens += charge.inputTokens;
      sum.output_tokens += charge.outputTokens;
    });
  }
  const db = await getDb();
  await db.execute(sql`
    with released as (
      delete from budget_reservations
      where id in (select jsonb_array_elements_text(${JSON.stringify(released)}::jsonb)::uuid)
      returning api_key_id, period_start, amount_microcents
    ), held as (
      select api_key_id, period_start, sum(amount_microcents) as amount from released group by api_key_id, period_start
    ), charged as (
      insert into key_spend as spend (api_key_id, period_start, spent_microcents, requests, input_tokens, output_tokens)
      select api_key_id, period_start, spent_microcents, requests, input_tokens, output_tokens
      from jsonb_to_recordset(${JSON.stringify([...keys.values()])}::jsonb) as charge(api_key_id uuid, period_start timestamptz,
        spent_microcents bigint, requests integer, input_tokens bigint, output_tokens bigint)
      on conflict (api_key_id, period_start) do update set
        spent_microcents = spend.spent_microcents + excluded.spent_microcents,
        reserved_microcents = greatest(spend.reserved_microcents - coalesce((select held.amount from held
          where held.api_key_id = spend.api_key_id and held.period_start = spend.period_start), 0), 0),
        requests = spend.requests + excluded.requests,
        input_tokens = spend.input_tokens + excluded.input_tokens,
        output_tokens = spend.output_tokens + excluded.output_tokens
    )
    insert into org_usage as usage (org_id, month, messages, tokens)
    select org_id, month, messages, tokens
    from jsonb_to_recordset(${JSON.stringify([...plans.values()])}::jsonb) as plan(org_id uuid, month timestamptz, messages integer, tokens bigint)
    on conflict (org_id, month) do update set messages = usage.messages + excluded.messages, tokens = usage.tokens + excluded.tokens`);
}

/**
 * Charges are written behind the reply, many calls' in one statement: the embedded database
 * pays about a millisecond per statement, whatever it holds. Until a charge lands its call's
 * reservation stays held, so budgets are enforced as if it had. A process killed outright loses
 * the charges of its last batch window (50 ms): their reservations lapse and those calls go
 * uncharged.
 */
const writer = () => processSingleton("billing:charges", () => new BatchWriter<QueuedCharge>("model call charge", write));

export function recordCharge(charge: CallCharge): void {
  writer().add({ ...charge, month: monthStart().toISOString() });
}

/** Writes every charge queued so far: before spend and usage are read, and on shutdown. */
export function flushCharges(): Promise<void> {
  return writer().flush();
}
