import { config } from "@/lib/config";
import { DEMO_MODEL_ID } from "@/lib/llm/demo-model";

export interface Price {
  /** micro-cents (1e-6 US cent) per input token */
  input: number;
  /** micro-cents per output token */
  output: number;
}

/** List prices in micro-cents per token ($/1M tokens × 100). Override or extend with MODEL_PRICES. */
const BUILT_IN: Record<string, Price> = {
  [DEMO_MODEL_ID]: { input: 15, output: 60 },
  "gpt-4o-mini": { input: 15, output: 60 },
  "gpt-4o": { input: 250, output: 1000 },
  "gpt-4.1": { input: 200, output: 800 },
  "gpt-4.1-mini": { input: 40, output: 160 },
  "gpt-4.1-nano": { input: 10, output: 40 },
  "o4-mini": { input: 110, output: 440 },
  "text-embedding-3-small": { input: 2, output: 0 },
  "text-embedding-3-large": { input: 13, output: 0 },
  "text-embedding-ada-002": { input: 10, output: 0 },
};

/** Unknown models are priced like a large model, so budgets err on the safe side. */
const UNKNOWN_MODEL: Price = { input: 250, output: 1000 };

export function priceOf(model: string): Price {
  return config().MODEL_PRICES[model] ?? BUILT_IN[model] ?? UNKNOWN_MODEL;
}

/** Tokens per character when a count must be estimated: prompts before a call, a stream cut short, a provider that reports none. */
const CHARS_PER_TOKEN = 4;

export const estimateTokens = (chars: number) => Math.ceil(chars / CHARS_PER_TOKEN);

export function costMicrocents(model: string, usage: { inputTokens: number; outputTokens: number }): number {
  const price = priceOf(model);
  return Math.ceil(usage.inputTokens * price.input + usage.outputTokens * price.output);
}
