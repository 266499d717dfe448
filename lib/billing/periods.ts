import { now } from "@/lib/runtime/clock";

export type BudgetPeriod = "daily" | "monthly" | "total";

/** Start of the budget period containing `at` (UTC): midnight, the 1st of the month, or forever. */
export function periodStart(period: BudgetPeriod | null, at: Date = now()): Date {
  if (period === "daily") return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (period === "monthly") return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  return new Date(0);
}

export function monthStart(at: Date = now()): Date {
  return periodStart("monthly", at);
}
