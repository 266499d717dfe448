import { budgetExceeded, keySpendFor, MICROCENTS_PER_CENT, type BudgetedKey } from "./budget";

/** Refuses work up front when the key's budget is already spent (used before queueing tasks). */
export async function assertBudgetLeft(key: BudgetedKey): Promise<void> {
  if (key.budgetUsdCents === null) return;
  const usage = await keySpendFor(key);
  if (usage.spentMicrocents + usage.reservedMicrocents >= key.budgetUsdCents * MICROCENTS_PER_CENT) throw budgetExceeded(key);
}

export function microcentsToCents(value: number): number {
  return Math.round(value / 10_000) / 100;
}
