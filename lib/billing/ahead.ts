import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { rowsOf, type Db } from "@/lib/db";
import { processSingleton } from "@/lib/runtime/singleton";
import type { BudgetedKey, Reservation } from "./budget";
import { recordCharge } from "./charges";

/** How long a reservation outlives the run deadline: time for the call's charge to land. */
const LEASE_MARGIN_MS = 5_000;
/** How many reservations one process holds ahead for one key: at first, and at most (busy keys). */
const MIN_HELD_AHEAD = 4;
const MAX_HELD_AHEAD = 32;
/**
 * Reservations are made ahead only while what stays left after them is at least this many times
 * what they hold: a key near its limit reserves each call as it comes, so calls are hardly ever
 * refused for money another process merely holds ahead.
 */
const LEFT_PER_HELD = 10;

/**
 * How long a reservation stays in the database: past any call it can cover (the run deadline
 * aborts a call first), so it only lapses when its holder is gone. The database's clock times it,
 * so instances with skewed clocks agree.
 */
export const reservationLeaseMs = (heldAheadMs = 0) => config().RUN_TIMEOUT_MS + LEASE_MARGIN_MS + heldAheadMs;

/** Several reservations of `amount` in one statement, by the same rule as one (lib/billing/budget.ts). */
async function reserveSeveral(db: Db, keyId: string, start: Date, amount: number, count: number, limit: number): Promise<Reservation[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const total = amount * count;
  const rows = await rowsOf<{ id: string }>(
    db,
    sql`
    with reserved as (
      insert into key_spend as spend (api_key_id, period_start, reserved_microcents)
      values (${keyId}::uuid, ${start.toISOString()}::timestamptz, ${total})
      on conflict (api_key_id, period_start) do update
        set reserved_microcents = spend.reserved_microcents + ${total}
        where spend.spent_microcents + spend.reserved_microcents + ${total * (1 + LEFT_PER_HELD)} <= ${limit}
      returning api_key_id
    )
    insert into budget_reservations (id, api_key_id, period_start, amount_microcents, expires_at)
    select ahead.id::uuid, reserved.api_key_id, ${start.toISOString()}::timestamptz, ${amount},
      now() + ${reservationLeaseMs(config().BUDGET_RESERVE_AHEAD_MS)} * interval '1 millisecond'
    from reserved, jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb) as ahead(id)
    returning id`,
  );
  return rows.map((row) => ({ id: row.id, periodStart: start, amountMicrocents: amount }));
}

/** Gives a reservation back unused: a charge of nothing, written with the others. */
function release(key: BudgetedKey, reservation: Reservation): void {
  recordCharge({
    orgId: key.orgId,
    key: { id: key.id, periodStart: reservation.periodStart, reservation, costMicrocents: 0 },
    inputTokens: 0,
    outputTokens: 0,
    countsRequest: false,
    planMessages: 0,
  });
}

interface HeldAhead {
  reservation: Reservation;
  /** Until when (this process's clock, counted from before the statement was sent) a call may take it. */
  usableUntil: number;
}

/** What one process holds ahead for one key, limit and budget period. */
class KeyReserve {
  private held: HeldAhead[] = [];
  /**
   * How many to hold: doubled when a call finds none (the key got busier), halved when some wait
   * too long. A refill starts when half are used, so it lands before the rest are.
   */
  private target = MIN_HELD_AHEAD;
  /** The largest amount a call asked for: what each reservation made ahead holds. */
  private amount = 0;
  private refill: Promise<void> | null = null;
  /** After the database declined to hold more (the key nears its limit), no new try until then. */
  private pausedUntil = 0;
  private lastUsed = Date.now();

  constructor(
    private readonly key: BudgetedKey,
    private readonly limit: number,
    private readonly start: Date,
  ) {}

  /** A held reservation covering `wanted`, if there is one; the key's next ones are made in the background. */
  take(db: Db, wanted: number): Reservation | null {
    const now = Date.now();
    this.lastUsed = now;
    this.amount = Math.max(this.amount, wanted);
    this.releaseStale(now);
    const index = this.held.findIndex((entry) => entry.reservation.amountMicrocents >= wanted);
    const taken = index < 0 ? null : this.held.splice(index, 1)[0]!.reservation;
    if (!taken && this.held.length === 0) this.target = Math.min(this.target * 2, MAX_HELD_AHEAD);
    if (this.held.length <= this.target / 2) this.startRefill(db, now);
    return taken;
  }

  private startRefill(db: Db, now: number): void {
    const count = this.target - this.held.length;
    if (this.refill || now < this.pausedUntil || count <= 0 || this.amount <= 0) return;
    const aheadMs = config().BUDGET_RESERVE_AHEAD_MS;
    // A period's first row is inserted unchecked: the statement can only check rows that exist.
    if (this.amount * count * (1 + LEFT_PER_HELD) > this.limit) {
      this.pausedUntil = now + aheadMs;
      return;
    }
    this.refill = reserveSeveral(db, this.key.id, this.start, this.amount, count, this.limit)
      .then((reservations) => {
        if (reservations.length === 0) this.pausedUntil = Date.now() + aheadMs;
        for (const reservation of reservations) this.held.push({ reservation, usableUntil: now + aheadMs });
      })
      .catch((error: unknown) => {
        this.pausedUntil = Date.now() + aheadMs;
        console.error(`[conduit] could not reserve budget ahead: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        this.refill = null;
      });
  }

  /** Gives back what waited too long: its lease no longer covers a whole call. */
  releaseStale(now: number): void {
    const stale = this.held.filter((entry) => entry.usableUntil <= now);
    if (stale.length === 0) return;
    this.held = this.held.filter((entry) => entry.usableUntil > now);
    this.target = Math.max(MIN_HELD_AHEAD, this.target / 2);
    for (const entry of stale) release(this.key, entry.reservation);
  }

  /** Whether nothing is held or being reserved and no call came for a while: the entry can go. */
  isIdle(now: number): boolean {
    return this.held.length === 0 && !this.refill && now - this.lastUsed > config().BUDGET_RESERVE_AHEAD_MS;
  }

  async releaseAll(): Promise<void> {
    await this.refill;
    for (const entry of this.held) release(this.key, entry.reservation);
    this.held = [];
  }
}

interface Reserves {
  byKey: Map<string, KeyReserve>;
  sweeper: NodeJS.Timeout | null;
}

const reserves = () => processSingleton<Reserves>("billing:reserved-ahead", () => ({ byKey: new Map(), sweeper: null }));

/** Gives back what every key left waiting, and forgets keys no call came for. */
function sweep(): void {
  const now = Date.now();
  const { byKey } = reserves();
  for (const [name, reserve] of byKey) {
    reserve.releaseStale(now);
    if (reserve.isIdle(now)) byKey.delete(name);
  }
}

/**
 * Budget reserved ahead. A key far from its limit has its next calls' reservations made in the
 * background, several in one statement (more for a busy key), so a call takes one already held
 * instead of waiting on the database before the model, and the database sees a fraction of the
 * statements. Each is an ordinary reservation (a lease
 * row and the key's counter), charged or given back like any other; only when it is made
 * changes. Held ones are given back after BUDGET_RESERVE_AHEAD_MS unused, and on shutdown; a
 * process killed outright leaves them to lapse with their lease, as a running call's would.
 * A changed limit or a new budget period starts afresh: the old ones are never taken again.
 */
export function takeReservedAhead(db: Db, key: BudgetedKey, limit: number, start: Date, wanted: number): Reservation | null {
  const aheadMs = config().BUDGET_RESERVE_AHEAD_MS;
  if (aheadMs === 0) return null;
  const state = reserves();
  const name = `${key.id} ${limit} ${start.toISOString()}`;
  let reserve = state.byKey.get(name);
  if (!reserve) {
    reserve = new KeyReserve(key, limit, start);
    state.byKey.set(name, reserve);
  }
  if (!state.sweeper) {
    state.sweeper = setInterval(sweep, aheadMs);
    state.sweeper.unref();
  }
  return reserve.take(db, wanted);
}

/** Gives back every reservation held ahead (on shutdown, before the last charges are written). */
export async function releaseReservedAhead(): Promise<void> {
  const state = reserves();
  if (state.sweeper) clearInterval(state.sweeper);
  state.sweeper = null;
  await Promise.all([...state.byKey.values()].map((reserve) => reserve.releaseAll()));
  state.byKey.clear();
}
