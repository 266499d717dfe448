import type { ApiKeyResponse } from "@/lib/contracts";

/** $12.50 from 1250 cents (spend can carry fractions of a cent: they show as whole cents). */
export function usd(cents: number): string {
  return `$${(cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

const PERIOD_WORDS = { daily: "per day", monthly: "per month", total: "in total" } as const;

export function budgetText(key: Pick<ApiKeyResponse, "budget_usd_cents" | "budget_period">): string {
  if (key.budget_usd_cents === null) return "No budget";
  return `${usd(key.budget_usd_cents)} ${PERIOD_WORDS[key.budget_period ?? "total"]}`;
}

/** What "the current period" of a key's usage is. */
export function periodText(period: ApiKeyResponse["budget_period"]): string {
  if (period === "daily") return "today (UTC)";
  if (period === "monthly") return "this month (UTC)";
  return "since created";
}

export function keyHint(key: Pick<ApiKeyResponse, "start" | "last4">): string {
  return `${key.start}…${key.last4}`;
}
