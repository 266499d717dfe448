import { getDb } from "@/lib/db";
import { budgetExceeded, reserveBudget, type BudgetedKey, type Reservation } from "./budget";
import { keyCharge, recordCharge } from "./charges";
import { costMicrocents, estimateTokens, priceOf } from "./prices";

/** Who pays for an embedding call: always its organisation (plan tokens), and the API key it came in with, if any. */
export interface EmbeddingPayer {
  orgId: string;
  key: BudgetedKey | null;
}

/**
 * An embedding call (passages or a query), paid like a model call. A key with a budget reserves
 * before the call the most its texts can cost — a token per UTF-8 byte, which no tokenizer
 * exceeds — and is refused (nothing called) when that is not left; after the call it is charged
 * what the provider reports, never more than it reserved. The tokens count for the organisation
 * too, like a model call's prompt. A failed call releases its reservation and costs nothing.
 */
export async function meteredEmbedding<T>(
  payer: EmbeddingPayer,
  modelId: string,
  texts: readonly string[],
  call: () => Promise<{ result: T; tokens: number }>,
): Promise<T> {
  const { key } = payer;
  let held: Reservation | null = null;
  if (key && key.budgetUsdCents !== null) {
    const most = Math.ceil(texts.reduce((bytes, text) => bytes + Buffer.byteLength(text, "utf8"), 0) * priceOf(modelId).input);
    held = await reserveBudget(await getDb(), key, most, most);
    if (!held) throw await budgetExceeded(key);
  }
  const charge = (inputTokens: number) => {
    recordCharge({
      orgId: payer.orgId,
      key: keyCharge(key, held, costMicrocents(modelId, { inputTokens, outputTokens: 0 })),
      inputTokens,
      outputTokens: 0,
      countsRequest: false,
      planMessages: 0,
    });
  };
  let outcome: { result: T; tokens: number };
  try {
    outcome = await call();
  } catch (error) {
    if (held) charge(0);
    throw error;
  }
  const estimated = estimateTokens(texts.reduce((chars, text) => chars + text.length, 0));
  charge(Number.isFinite(outcome.tokens) && outcome.tokens > 0 ? outcome.tokens : estimated);
  return outcome.result;
}
